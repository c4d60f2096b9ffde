/**
 * The case report in a real browser (Debian's Chromium through playwright-core), on the real local stack: one
 * sample file goes through the whole pipeline (drop, wait, settle), two analysts' triages (the second with a
 * hostile comment) go through the console's API, and the stack's console serves the report of the episode that
 * holds the contract's worked example. Every expectation comes from elsewhere than the report: the CLI's
 * `alerts` (the episode and its alerts), the sample file read here (the bars), the stored episode (its score),
 * the triage answers (who and when), and IST (UTC+05:30, no daylight saving) worked out by hand.
 *
 * It renders with no error (a style the Content-Security-Policy refused would be one), every section is there,
 * the page fetches nothing but itself, the episode page links it, and Chromium prints it to a PDF.
 *
 * In the stack project (vitest.config.ts): it needs the stack that test/stackSetup.ts brings up.
 * CONSOLE_SCREENSHOTS=DIR also saves the report's first screen (case-report.png) and its PDF there.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../../stack/endpoints.js';
import { useBrowser } from '../helpers/browser.js';
import { cli } from '../helpers/faultRun.js';
import { emptyStack, stopAndRestart } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';
const db = new Firestore({ projectId: endpoints.project });

const base = `http://${endpoints.host}:${endpoints.consolePort}`;
const IST_MS = 19_800_000;
const sample = join(
  new URL('../../data/sample/', import.meta.url).pathname,
  'IDFCFIRSTB__EQ__NSE__NSE__MINUTE.csv',
);
/** The contract's worked example (§2): A1 and A2 at 10:36 IST. */
const EXAMPLE = { symbol: 'IDFCFIRSTB', timestamp: '2017-01-02T05:06:00Z' };
/** Would fetch from outside and run a script, were it markup. */
const HOSTILE =
  '</td><script>window.__pwned = 1</script><img src="http://203.0.113.7/x.png"> & "quotes"\nsecond line';
const SECTIONS = ['header', 'instrument', 'episode', 'score', 'chart', 'bars', 'alerts', 'history', 'source'];

interface CliAlert {
  symbol: string;
  timestamp: string;
  rules: string[];
  episodeStart: string;
}

interface Entry {
  at: string;
  by: string;
  from: string;
  to: string;
}

const browser = useBrowser();
const shots = process.env.CONSOLE_SCREENSHOTS;
let episodeId = '';
let episodeAlerts: CliAlert[] = [];
let reportUrl = '';
let history: Entry[] = [];

/** `2017-01-02 10:36` in IST, with `:SS` when the seconds are not zero, worked out by adding 05:30. */
function ist(iso: string): string {
  const shifted = new Date(Date.parse(iso) + IST_MS).toISOString();
  const seconds = shifted.slice(17, 19);
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}`;
}

/** The sample's bars whose minute lies in [from, to] (ISO, UTC): the file read plainly, here. */
function sampleMinutes(from: number, to: number): number[] {
  const minutes = new Set<number>();
  for (const line of readFileSync(sample, 'utf8').trim().split('\n').slice(1)) {
    const minute = Math.floor(Date.parse(line.split(',')[0]!.replace(' ', 'T')) / 60_000);
    if (minute >= from && minute <= to) minutes.add(minute);
  }
  return [...minutes].sort((a, b) => a - b);
}

async function triage(body: Record<string, unknown>): Promise<Entry[]> {
  const response = await fetch(`${base}/api/episodes/${encodeURIComponent(episodeId)}/triage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { history: Entry[] }).history;
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  expect((await cli('wait', '--timeout', '120')).stderr).not.toContain('timed out');
  await emptyStack();
  // Started afresh on the empty database (it learns of deleted documents only when it finds them gone).
  await stopAndRestart('console');
  expect((await cli('drop', sample)).code).toBe(0);
  expect((await cli('wait', '--timeout', '180')).stderr).toContain('all alerts written');
  const alerts = (await cli('alerts', '--format', 'jsonl')).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CliAlert);
  const example = alerts.find((a) => a.symbol === EXAMPLE.symbol && a.timestamp === EXAMPLE.timestamp)!;
  expect(example.rules).toEqual(['A1', 'A2']);
  episodeAlerts = alerts.filter(
    (a) => a.symbol === EXAMPLE.symbol && a.episodeStart === example.episodeStart,
  );
  episodeId = `${EXAMPLE.symbol}@${example.episodeStart}`;
  reportUrl = `${base}/api/episodes/${encodeURIComponent(episodeId)}/report`;
  // Settle scores the episode once detect has caught up: the report is read once it has.
  await waitFor('the episode was not settled', async () => {
    const settled = (await db.collection('episodes').doc(episodeId).get()).get('scoreSettled') as unknown;
    return settled === true ? true : undefined;
  });
  // The console follows what the pipeline wrote.
  await waitFor('the console did not list the episode', async () => {
    const response = await fetch(`${base}/api/episodes/${encodeURIComponent(episodeId)}`);
    return response.ok ? true : undefined;
  });
  await triage({ status: 'investigating', comment: 'first look: a burst at the open' });
  history = await triage({ status: 'confirmed', comment: HOSTILE, assignee: 'desk 4' });
  expect(history).toHaveLength(2);
}, 600_000);

/** A page in a context of its own that records every request it makes. */
async function recordedPage(): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
  const requests: string[] = [];
  page.context().on('request', (request) => requests.push(request.url()));
  return { page, requests };
}

describe('the case report', () => {
  it('renders every section of the episode, on the exchange clock, fetching nothing but itself', async () => {
    const { page, requests } = await recordedPage();
    const response = await page.goto(reportUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await page.waitForLoadState('networkidle');
    expect(requests).toEqual([reportUrl]);
    expect(browser.errorsOf(page)).toEqual([]);
    for (const name of SECTIONS)
      await expect.poll(() => page.locator(`[data-section=${name}]`).isVisible()).toBe(true);
    expect(await page.locator('script, img, iframe, link, object').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // The episode, its start and end in IST.
    const start = episodeAlerts[0]!.timestamp;
    const end = episodeAlerts.at(-1)!.timestamp;
    expect(await page.locator('h1').textContent()).toBe('Case report: IDFCFIRSTB');
    const header = (await page.locator('[data-section=header]').textContent()) ?? '';
    expect(header).toContain(`${ist(start)}–${ist(end).slice(11)}, Asia/Kolkata (UTC+05:30)`);
    expect(header).toContain(`from episode ${episodeId}`);
    const instrument = (await page.locator('[data-section=instrument]').textContent()) ?? '';
    expect(instrument).toContain('NSE (series EQ)');
    expect(instrument).toContain('IDFCFIRSTB__EQ__NSE__NSE__MINUTE.csv');

    // The bars: the sample's minutes from 15 before the first alert to 15 after the last, each once, in IST.
    const from = Date.parse(start) / 60_000 - 15;
    const to = Date.parse(end) / 60_000 + 15;
    const minutes = sampleMinutes(from, to);
    const times = await page.locator('[data-section=bars] tbody tr td:first-child').allTextContents();
    expect(times).toEqual(minutes.map((minute) => ist(new Date(minute * 60_000).toISOString())));
    // The chart: a candle body and a volume bar a minute, the episode's shade and the frame; a mark an alert.
    expect(await page.locator('svg.chart rect').count()).toBe(minutes.length * 2 + 2);
    expect(await page.locator('svg.chart path').count()).toBe(episodeAlerts.length);
    const box = await page.locator('svg.chart').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(200);

    // Each alert, with its rules; the worked example's figures (contract §2: −0.525%, 16 against 8).
    const alerts = page.getByTestId('alert');
    expect(await alerts.evaluateAll((all) => all.map((a) => a.getAttribute('data-id')))).toEqual(
      episodeAlerts.map((a) => `${a.symbol}@${a.timestamp}`),
    );
    const example =
      (await page.locator(`[data-id="${EXAMPLE.symbol}@${EXAMPLE.timestamp}"]`).textContent()) ?? '';
    expect(example).toContain('2017-01-02 10:36 · A1 and A2');
    expect(example).toContain('against the previous close 123.8 at 10:35: a change of -0.525%');
    expect(example).toContain('volume 16 against a mean of 8 over the 10 bars');

    // The score as stored, settled.
    const stored = (await db.collection('episodes').doc(episodeId).get()).data()!;
    const score = (await page.locator('[data-section=score]').textContent()) ?? '';
    expect(score).toContain(
      `${(stored.score as number).toFixed(1)} of 100, settled from every bar committed`,
    );
    expect(await page.locator('[data-section=score] tbody tr').count()).toBe(
      (stored.scoreFactors as unknown[]).length,
    );

    // The whole history, oldest first: who, when (IST), the change, the hostile comment as text.
    const rows = page.locator('[data-section=history] tbody tr');
    const oldestFirst = [...history].reverse();
    expect(await rows.count()).toBe(2);
    for (const [i, entry] of oldestFirst.entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual([ist(entry.at), entry.by, `${entry.from} → ${entry.to}`]);
    }
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toBe(HOSTILE);
  });

  it('is linked from the episode page, and opens on its own', async () => {
    const { page } = await recordedPage();
    await page.goto(`${base}/#/episodes/${encodeURIComponent(episodeId)}`);
    const link = page.getByTestId('case-report');
    await link.waitFor();
    expect(await link.textContent()).toBe('Case report');
    const [opened] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await opened.waitForLoadState('load');
    expect(opened.url()).toBe(reportUrl);
    expect(await opened.locator('[data-section=history]').isVisible()).toBe(true);
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('prints to a PDF of a few A4 pages, without the screen note', async () => {
    const { page, requests } = await recordedPage();
    await page.goto(reportUrl);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.screen-only').isVisible()).toBe(false);
    expect(await page.locator('[data-section=history]').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    // Each page object of the file (the page tree is /Pages).
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.length).toBeLessThanOrEqual(12);
    expect(requests).toEqual([reportUrl]);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      writeFileSync(join(shots, 'case-report.pdf'), pdf);
      await page.emulateMedia({ media: 'screen' });
      await page.screenshot({ path: join(shots, 'case-report.png') });
    }
  });
});
