/**
 * The analysts' console in a real browser (Debian's Chromium through playwright-core), on the real local stack:
 * the sample files go through the whole pipeline (drop, wait), the stack's console server serves the built
 * front end (dist/console/web/) and its API, and every expectation comes from somewhere else than the
 * console: the CLI's `alerts` (ids, counts, times), the stored documents (severity), the project's reader on
 * the same files (the bars of a day), the contract's worked example (the chart's lines).
 *
 * In the stack project (vitest.config.ts): it needs the stack that test/stackSetup.ts brings up.
 * CONSOLE_SCREENSHOTS=DIR also saves one screenshot of each page there (docs/screenshots for the README).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import { readObject } from '../../shared/objects/readObject.js';
import { ZoneOffsets } from '../../shared/core/timestamp.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { useBrowser } from '../helpers/browser.js';
import { clockFor } from '../helpers/read.js';
import { cli } from '../helpers/faultRun.js';
import { emptyStack, stopAndRestart } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';
const db = new Firestore({ projectId: endpoints.project });

const base = `http://${endpoints.host}:${endpoints.consolePort}/`;
const ZONE = 'Asia/Kolkata';
const IST = 19_800;
const sampleDir = new URL('../../data/sample/', import.meta.url).pathname;
const samples = ['IDFCFIRSTB', 'POWERGRID', 'TATASTEEL'].map((s) =>
  join(sampleDir, `${s}__EQ__NSE__NSE__MINUTE.csv`),
);
/** The contract's worked example (§2): A1 and A2 at 10:36 IST. */
const EXAMPLE = 'IDFCFIRSTB@2017-01-02T05:06:00Z';
/** The marker colour of the alert itself (console/web/chartModel.ts CHART_COLORS.alert). */
const MARKER = { r: 0x7e, g: 0x22, b: 0xce };

interface CliAlert {
  symbol: string;
  timestamp: string;
  rules: string[];
}

const browser = useBrowser();
let expected: CliAlert[];
const idOf = (alert: { symbol: string; timestamp: string }) => `${alert.symbol}@${alert.timestamp}`;
const shots = process.env.CONSOLE_SCREENSHOTS;

async function open(path: string, ready: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}${path}`);
  await page.waitForSelector(ready);
  return page;
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** The ids of the rows shown, in order. */
const rowIds = (page: Page, testid: string) =>
  page.$$eval(`[data-testid=${testid}-row]`, (rows) => rows.map((row) => row.getAttribute('data-id') ?? ''));

/** Every row of a list, page after page through its Next button. */
async function allRows(page: Page, testid: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const shown = await rowIds(page, testid);
    ids.push(...shown);
    const next = page.getByTestId('next-page');
    if (await next.isDisabled()) return ids;
    const first = shown[0];
    await next.click();
    await page.waitForFunction(
      ([id, selector]) => document.querySelector(selector)?.getAttribute('data-id') !== id,
      [first, `[data-testid=${testid}-row]`] as const,
    );
  }
}

async function waitForConsole(count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await fetch(`${base}api/alerts?limit=1`).catch(() => undefined);
    if (response?.ok && ((await response.json()) as { total: number }).total === count) return;
    if (Date.now() > deadline) throw new Error(`the console did not list ${count} alerts within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The exchange day (YYYY-MM-DD in IST) of an ISO instant. */
const istDay = (iso: string) => new Date(Date.parse(iso) + IST * 1000).toISOString().slice(0, 10);

beforeAll(async () => {
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).not.toContain('timed out');
  await emptyStack();
  // The emulator was emptied under the console, which learns of a deleted document only when a page it serves
  // finds it gone (a TTL policy's deletions): started afresh on the empty database, it follows this drop from
  // nothing.
  await stopAndRestart('console');
  const work = mkdtempSync(join(tmpdir(), 'console-'));
  // An object without its volume column: rejected whole (contract §1, Header).
  const noVolume = join(work, 'NOVOLUME__EQ__NSE__NSE__MINUTE.csv');
  writeFileSync(noVolume, 'timestamp,open,high,low,close\n2017-01-02 09:15:00+05:30,1,1,1,1\n');
  expect((await cli('drop', ...samples, noVolume)).code).toBe(0);
  const done = await cli('wait', '--timeout', '180');
  expect(done.stderr).toContain('all dropped objects ingested, all alerts written');
  rmSync(work, { recursive: true, force: true });
  expected = (await cli('alerts', '--format', 'jsonl')).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CliAlert);
  expect(expected.length).toBeGreaterThan(100);
  // The console was up before the files were dropped: it follows what the pipeline writes.
  await waitForConsole(expected.length);
}, 600_000);

describe('the console lists what the pipeline stored', () => {
  it('shows every alert of `stock-anomalies alerts`, newest first when asked, once each', async () => {
    const page = await open('#/alerts?sort=newest&limit=200', '[data-testid=alert-row]');
    expect(await page.getByTestId('total').textContent()).toBe(`${expected.length} alerts`);
    const ids = await allRows(page, 'alert');
    const newest = [...expected].sort((a, b) =>
      a.timestamp === b.timestamp ? 0 : a.timestamp < b.timestamp ? 1 : -1,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected.map(idOf).sort());
    // Newest first: the times shown never increase (ties, the same minute of two symbols, in any order).
    const times = ids.map((id) => id.slice(id.lastIndexOf('@') + 1));
    expect(times).toEqual(newest.map((alert) => alert.timestamp));
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('shows times in the exchange zone, with the zone named', async () => {
    const page = await open('#/alerts?limit=5', '[data-testid=alert-row]');
    expect(await page.getByTestId('zone').first().textContent()).toBe('Asia/Kolkata (UTC+05:30)');
    const [first] = await rowIds(page, 'alert');
    const shown = await page.locator('[data-testid=alert-row] time').first().textContent();
    const utc = first!.slice(first!.lastIndexOf('@') + 1);
    expect(shown).toBe(new Date(Date.parse(utc) + IST * 1000).toISOString().slice(0, 16).replace('T', ' '));
  });

  it('filters by symbol, rule and exchange-day range, and shows how many match', async () => {
    const page = await open(
      '#/alerts?symbol=TATASTEEL&rule=A1&from=2017-01-03&to=2017-01-03&limit=200',
      '[data-testid=alert-row]',
    );
    const want = expected
      .filter(
        (a) => a.symbol === 'TATASTEEL' && a.rules.includes('A1') && istDay(a.timestamp) === '2017-01-03',
      )
      .map(idOf);
    expect(want.length).toBeGreaterThan(0);
    expect((await rowIds(page, 'alert')).sort()).toEqual(want.sort());
    expect(await page.getByTestId('total').textContent()).toBe(
      `${want.length} ${want.length === 1 ? 'alert' : 'alerts'}`,
    );
    expect(page.url()).toContain('symbol=TATASTEEL');
  });

  it('sorts by severity and keeps only those at or above a minimum, as the stored severities say', async () => {
    const stored = new Map(
      (await db.collection('alerts').get()).docs.map((doc) => [doc.id, doc.get('severity') as number | null]),
    );
    const threshold = 3;
    const page = await open(
      `#/alerts?sort=severity&minSeverity=${threshold}&limit=200`,
      '[data-testid=alert-row]',
    );
    const ids = await allRows(page, 'alert');
    const want = [...stored].filter(([, s]) => s !== null && s >= threshold).map(([id]) => id);
    expect([...ids].sort()).toEqual(want.sort());
    const severities = ids.map((id) => stored.get(id)!);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    expect(await page.getByTestId('total').textContent()).toBe(`${want.length} alerts`);
  });

  it('pages on the server: next and previous, by button and by key', async () => {
    const page = await open('#/alerts?sort=newest&symbol=POWERGRID&limit=7', '[data-testid=alert-row]');
    const power = expected.filter((a) => a.symbol === 'POWERGRID');
    const order = [...power].sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1)).map(idOf);
    expect(await rowIds(page, 'alert')).toEqual(order.slice(0, 7));
    await page.keyboard.press('n');
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=alert-row]')?.getAttribute('data-id') === id,
      order[7],
    );
    expect(await rowIds(page, 'alert')).toEqual(order.slice(7, 14));
    await page.getByTestId('next-page').click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=alert-row]')?.getAttribute('data-id') === id,
      order[14],
    );
    expect(await rowIds(page, 'alert')).toEqual(order.slice(14, 21));
    await page.keyboard.press('p');
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=alert-row]')?.getAttribute('data-id') === id,
      order[7],
    );
    expect(await rowIds(page, 'alert')).toEqual(order.slice(7, 14));
    await page.getByTestId('prev-page').click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=alert-row]')?.getAttribute('data-id') === id,
      order[0],
    );
    expect(await page.getByTestId('prev-page').isDisabled()).toBe(true);
  });

  it('works by keyboard: j and k move the focus along the rows, Enter opens one', async () => {
    const page = await open('#/alerts?limit=10', '[data-testid=alert-row]');
    const ids = await rowIds(page, 'alert');
    for (const key of ['j', 'j', 'j', 'k']) await page.keyboard.press(key);
    const focused = () =>
      page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-id') ?? null);
    expect(await focused()).toBe(ids[1]);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(ids[2]);
    await page.keyboard.press('?');
    expect(await page.getByTestId('help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('help').isVisible()).toBe(false);
    expect(await focused()).toBe(ids[2]);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=alert-detail]');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/alerts/${ids[2]}`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=alert-row]');
    expect(new URL(page.url()).hash).toBe('#/alerts?limit=10');
  });

  it('lists episodes with their counts', async () => {
    const page = await open('#/episodes?limit=200', '[data-testid=episode-row]');
    const stored = (await db.collection('episodes').get()).docs;
    expect((await rowIds(page, 'episode')).sort()).toEqual(stored.map((doc) => doc.id).sort());
    const counted = stored.reduce((sum, doc) => sum + (doc.get('count') as number), 0);
    expect(counted).toBe(expected.length);
    await screenshot(page, 'episodes');
    const alerts = await open('#/alerts', '[data-testid=alert-row]');
    await screenshot(alerts, 'alerts');
  });
});

describe('the alert chart', () => {
  it("draws the alert's session: its bars, its marker, the previous close and the band, the volume limit", async () => {
    const page = await open(`#/alerts/${EXAMPLE}`, '[data-testid=chart] canvas');
    await page.waitForFunction(() => (window as { __chart?: unknown }).__chart !== undefined);
    const chart = (await page.evaluate(() => (window as unknown as { __chart: unknown }).__chart)) as {
      bars: { time: number }[];
      volumes: { time: number; value: number; color: string }[];
      markers: { time: number; shape: string; color: string; id?: string }[];
      priceLines: { id: string; price: number }[];
      volumeLines: { id: string; price: number }[];
      whitespace: { time: number }[];
      shift: number;
    };

    // The bars of that UTC day, as the project's reader takes them from the same file.
    const read = await readObject([readFileSync(samples[0]!)], {
      objectName: basename(samples[0]!),
      zone: new ZoneOffsets(ZONE),
      limits: ingestLimitsFromEnv({}),
      clock: clockFor(),
    });
    const minutes = read.runs[0]!.rows.map((row) => read.table.minute(row));
    const day = [...minutes].filter((m) => new Date(m * 60_000).toISOString().startsWith('2017-01-02'));
    expect(chart.bars.length).toBe(day.length);
    expect(chart.shift).toBe(IST);
    expect(chart.bars.map((bar) => bar.time)).toEqual(day.map((m) => m * 60 + IST));
    // Every missing minute between the first and the last bar is a hole.
    const span = day[day.length - 1]! - day[0]! + 1;
    expect(chart.whitespace.length).toBe(span - day.length);
    expect(await page.getByTestId('gap-count').textContent()).toMatch(/^\d+ gaps?/);

    // The alert's marker at 10:36 IST, and one smaller for each other alert of the day.
    const alertTime = Date.parse('2017-01-02T05:06:00Z') / 1000 + IST;
    const mine = chart.markers.filter((marker) => marker.id === EXAMPLE);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ time: alertTime, shape: 'arrowDown', color: '#7e22ce' });
    const sameDay = expected.filter((a) => a.symbol === 'IDFCFIRSTB' && a.timestamp.startsWith('2017-01-02'));
    expect(chart.markers.map((marker) => marker.id).sort()).toEqual(sameDay.map(idOf).sort());

    // §2's worked example: p = 123.8, the ten bars before with mean 8, limit 8.16.
    const line = (id: string) => chart.priceLines.find((each) => each.id === id)?.price;
    expect(line('prevClose')).toBe(123.8);
    expect(line('a1Upper')).toBeCloseTo(123.8 * 1.005, 9);
    expect(line('a1Lower')).toBeCloseTo(123.8 * 0.995, 9);
    expect(chart.volumeLines.find((each) => each.id === 'a2Limit')?.price).toBeCloseTo(8.16, 9);
    const windowBars = chart.volumes.filter((bar) => bar.time >= alertTime - 600 && bar.time < alertTime);
    expect(windowBars.map((bar) => bar.value)).toEqual([0, 11, 0, 7, 17, 26, 12, 7, 0, 0]);
    expect(new Set(windowBars.map((bar) => bar.color)).size).toBe(1);
    expect(windowBars[0]!.color).not.toBe(chart.volumes[0]!.color);

    // What made it fire, in figures.
    expect(await page.getByTestId('a1-change').textContent()).toBe('−0.525%');
    expect(await page.getByTestId('a1-threshold').textContent()).toBe('±0.5%');
    expect(await page.getByTestId('a2-volume').textContent()).toBe('16');
    expect(await page.getByTestId('a2-limit').textContent()).toContain('8.16');

    // The canvas is drawn, and the alert's marker colour is on it.
    const box = (await page.getByTestId('chart').boundingBox())!;
    const png = await page.screenshot({ clip: box });
    const pixels = await pixelStats(png, MARKER);
    expect(pixels.distinctColours).toBeGreaterThan(20);
    expect(pixels.near).toBeGreaterThan(10);
    // The attribution link lightweight-charts adds, placed by the library's own <style> (allowed by its hash in
    // the CSP; console.css has no rule for it), and its notice in the footer.
    const logo = page.locator('#tv-attr-logo');
    expect(await logo.getAttribute('href')).toContain('tradingview.com');
    expect(
      await logo.evaluate((element) => {
        const style = getComputedStyle(element);
        return [style.position, style.left, style.bottom, style.width];
      }),
    ).toEqual(['absolute', '10px', '10px', '35px']);
    expect(await page.getByTestId('chart-notice').textContent()).toContain(
      'Copyright (c) 2026 TradingView, Inc.',
    );
    expect(browser.errorsOf(page)).toEqual([]);
    await screenshot(page, 'alert-detail');
  });
});

/** Distinct colours in a PNG, and how many pixels lie within 24 of `colour` on every channel. */
async function pixelStats(png: Buffer, colour: { r: number; g: number; b: number }) {
  const page = await browser.newPage();
  return page.evaluate(
    async ({ base64, colour }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, 0, image.width, image.height).data;
      const colours = new Set<number>();
      let near = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        colours.add((r << 16) | (g << 8) | b);
        if (Math.abs(r - colour.r) <= 24 && Math.abs(g - colour.g) <= 24 && Math.abs(b - colour.b) <= 24)
          near++;
      }
      return { distinctColours: colours.size, near };
    },
    { base64: png.toString('base64'), colour },
  );
}

describe('triage', () => {
  it('sets a status that persists and appears in the history, and refuses to close without a comment', async () => {
    const episodes = (await db.collection('episodes').where('symbol', '==', 'POWERGRID').get()).docs;
    const id = episodes[0]!.id;
    const page = await open(`#/episodes/${id}`, '[data-testid=triage]');
    expect(await page.getByTestId('status-new').getAttribute('aria-pressed')).toBe('true');

    // 2: investigating, with an assignee.
    await page.getByTestId('assignee').fill('asha');
    // Esc leaves the field (so the next key is a command, not text), then 2 chooses investigating: a key alone
    // writes nothing; Ctrl+Enter saves.
    await page.getByTestId('assignee').press('Escape');
    await page.keyboard.press('2');
    expect(await page.getByTestId('status-investigating').getAttribute('aria-pressed')).toBe('false');
    expect((await db.collection('episodes').doc(id).get()).get('triage')).toBeUndefined();
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('triage-ok').waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid=history-entry]');
    expect(await page.getByTestId('status-investigating').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('assignee').inputValue()).toBe('asha');
    const first = await page.getByTestId('history-entry').first().textContent();
    expect(first).toContain('new → investigating');
    expect(first).toContain('root');

    // 4: dismissed without a comment: the page says why, the comment box takes the focus, nothing is sent.
    await page.keyboard.press('4');
    expect(await page.getByTestId('triage-error').textContent()).toContain('A comment is required');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('comment');
    // The server refuses it too, with its own reason.
    const refused = await page.evaluate(async (episode) => {
      const response = await fetch(`/api/episodes/${encodeURIComponent(episode)}/triage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'dismissed' }),
      });
      return { status: response.status, body: (await response.json()) as { error: string } };
    }, id);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/comment/);
    await page.reload();
    await page.waitForSelector('[data-testid=history-entry]');
    expect(await page.getByTestId('history-entry').count()).toBe(1);

    // 5: confirmed with a comment, typed after the key asked for it; Ctrl+Enter saves.
    await page.keyboard.press('5');
    await page.getByTestId('comment').fill('volume spike matches the block trade report');
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('triage-ok').waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid=history-entry]');
    expect(await page.getByTestId('status-confirmed').getAttribute('aria-pressed')).toBe('true');
    const entries = await page.getByTestId('history-entry').allTextContents();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain('investigating → confirmed');
    expect(entries[0]).toContain('volume spike matches the block trade report');

    // The lists follow: its alerts now have the episode's status.
    const list = await open(`#/alerts?status=confirmed&limit=200`, '[data-testid=alert-row]');
    const want = (await db.collection('alerts').where('episode', '==', id).get()).docs.map((doc) => doc.id);
    expect((await rowIds(list, 'alert')).sort()).toEqual(want.sort());
    // Chromium logs the refused request the test sent itself; nothing else went wrong.
    expect(browser.errorsOf(page).filter((error) => !/status of 400 .*\/triage\)$/.test(error))).toEqual([]);
    await screenshot(page, 'episode-triage');
  });

  it('follows changes without a reload: a triage made elsewhere shows on the open first page', async () => {
    const page = await open('#/episodes?symbol=TATASTEEL&limit=200', '[data-testid=episode-row]');
    const [id] = await rowIds(page, 'episode');
    const row = page.locator(`[data-testid=episode-row][data-id="${id}"] [data-testid=status]`);
    expect(await row.textContent()).toBe('new');
    const answer = await fetch(`${base}api/episodes/${encodeURIComponent(id!)}/triage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'escalated', comment: 'seen by another analyst' }),
    });
    expect(answer.status).toBe(200);
    await page.waitForFunction(
      (episode) =>
        document.querySelector(`[data-testid=episode-row][data-id="${episode}"] [data-testid=status]`)
          ?.textContent === 'escalated',
      id,
      { timeout: 10_000 },
    );
    expect(await page.getByTestId('live').textContent()).toBe('live');
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('shows a replayed minute without a reload', async () => {
    const page = await open('#/alerts?sort=newest&limit=50', '[data-testid=alert-row]');
    // A live market of one symbol: 09:15 then 09:16, +1% (A1) on a day after the sample data.
    const work = mkdtempSync(join(tmpdir(), 'console-replay-'));
    const live = join(work, 'LIVEONE__EQ__NSE__NSE__MINUTE.csv');
    writeFileSync(
      live,
      'timestamp,open,high,low,close,volume\n' +
        '2021-06-01 09:15:00+05:30,100,100,100,100,10\n' +
        '2021-06-01 09:16:00+05:30,101,101,101,101,10\n',
    );
    const replayed = await cli('replay', '--speed', '60', live);
    expect(replayed.code).toBe(0);
    rmSync(work, { recursive: true, force: true });
    await page.waitForSelector('[data-testid=alert-row][data-id="LIVEONE@2021-06-01T03:46:00Z"]', {
      timeout: 60_000,
    });
    expect((await rowIds(page, 'alert'))[0]).toBe('LIVEONE@2021-06-01T03:46:00Z');
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it("shows the server's error for an episode that does not exist", async () => {
    const page = await open('#/episodes/NOSUCH@2017-01-02T03:45:00Z', '[data-testid=error]');
    expect(await page.getByTestId('error').textContent()).toContain("episode 'NOSUCH@2017-01-02T03:45:00Z'");
  });
});

describe('ingestions and health', () => {
  it("shows each object's report, the set-aside download, and a rejected object's error", async () => {
    const page = await open('#/ingestions', '[data-testid=ingestion-row]');
    const reports = JSON.parse((await cli('reports', '--json')).stdout) as {
      object: string;
      status: string;
      report?: { accepted: number };
      quarantine?: string | null;
    }[];
    const rows = page.getByTestId('ingestion-row');
    expect(await rows.count()).toBe(reports.length);
    for (const report of reports) {
      const row = page.locator(`[data-testid=ingestion-row]:has(code:text-is("${report.object}"))`);
      expect(await row.getAttribute('data-status')).toBe(report.status);
      if (report.status === 'done') {
        expect(await row.getByTestId('accepted').textContent()).toBe(
          report.report!.accepted.toLocaleString('en-US'),
        );
        expect(await row.getByTestId('set-aside').count()).toBe(report.quarantine ? 1 : 0);
      }
    }
    const rejected = page.locator('[data-status=rejected]');
    expect(await rejected.count()).toBe(1);
    const error = page.getByTestId('ingestion-error');
    expect(await error.textContent()).toContain('volume');
    expect(await error.isVisible()).toBe(true);
    const href = await page.getByTestId('set-aside').first().getAttribute('href');
    const csv = await fetch(new URL(href!, base));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    await screenshot(page, 'ingestions');
  });

  it('shows the consumer lag, the parked records and each symbol, and refreshes itself', async () => {
    const page = await open('#/health', '[data-testid=kafka] table');
    expect(await page.getByTestId('total-lag').textContent()).toBe('0');
    expect(await page.getByTestId('partitions-row').count()).toBe(endpoints.kafka.partitions);
    expect(await page.getByTestId('dead-letters').textContent()).toContain('None parked.');
    expect(await page.getByTestId('notify-dead-letters').textContent()).toContain('None dead-lettered.');
    expect(await page.getByTestId('expired').count()).toBe(0);
    const symbols = await page.getByTestId('symbol-row').allTextContents();
    // Every symbol the pipeline processed (each raised alerts here, the replayed one included).
    const alerted = (await cli('alerts', '--format', 'jsonl')).stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as CliAlert).symbol);
    expect(symbols.map((row) => row.split(/\d/)[0])).toEqual([...new Set(alerted)].sort());
    const first = await page.getByTestId('updated').textContent();
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid=updated]')?.textContent !== before,
      first,
      {
        timeout: 10_000,
      },
    );
    expect(browser.errorsOf(page)).toEqual([]);
    await screenshot(page, 'health');
  });
});
