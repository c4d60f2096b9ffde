/**
 * The suspicion score in a real browser (Debian's Chromium through playwright-core): the console server runs
 * in-process on the local stack's Firestore emulator, over the integration tests' seeded documents
 * (test/integration/console/seeds.ts: episodes with the score fields detect writes, ties, provisional ones, some
 * not scored), and serves the built front end. Every expectation comes from the seeds, computed plainly there:
 * the episodes page lists by score and filters by a minimum, the episode page shows each factor's points and
 * detail, the alert's chart draws the context the score used.
 *
 * In the stack project (vitest.config.ts): it needs the emulator that test/stackSetup.ts brings up.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { alertId } from '../../shared/pipeline/documentIds.js';
import { useBrowser } from '../helpers/browser.js';
import { seededConsole, url } from '../integration/console/consoleUnderTest.js';
import {
  HAND_ALERT,
  HAND_MINUTE,
  allEpisodes,
  expectedEpisodes,
  hand,
  scoreFields,
  scoreOfEpisode,
} from '../integration/console/seeds.js';

seededConsole();
const browser = useBrowser();
const IST = 19_800;

/** How the page names each factor, and signs points (written here, not taken from the page's code). */
const LABELS: Record<string, string> = {
  move: 'price move',
  volume: 'volume',
  market: 'market',
  shape: 'shape',
  close: 'close',
  liquidity: 'liquidity',
};
const signed = (points: number) =>
  `${points > 0 ? '+' : points < 0 ? '−' : ''}${Math.abs(points).toFixed(1)}`;

interface SeededFactor {
  factor: string;
  points: number;
  detail: string;
}

async function open(path: string, ready: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url(`/${path}`));
  await page.waitForSelector(ready);
  return page;
}

const rowIds = (page: Page) =>
  page.$$eval('[data-testid=episode-row]', (rows) => rows.map((row) => row.getAttribute('data-id') ?? ''));

describe('the console ranks by the suspicion score', () => {
  it('lists episodes by score, not scored last, each with its score and top factor', async () => {
    const page = await open('#/episodes?limit=100', '[data-testid=episode-row]');
    const expected = expectedEpisodes('score', {});
    expect(await page.getByTestId('filter-sort').inputValue()).toBe('');
    const shownText = (id: string) => {
      const score = scoreOfEpisode(id);
      if (score === null) return 'not scored';
      return `${score.toFixed(1)}${scoreFields.get(id)!.scoreSettled ? '' : 'prov.'}`;
    };
    // Page after page: the order and the score shown in each row (the last ones not scored).
    expect(expected.at(-1) && scoreOfEpisode(expected.at(-1)!)).toBeNull();
    for (let at = 0; at < expected.length; at += 100) {
      if (at > 0) {
        await page.getByTestId('next-page').click();
        await page.waitForFunction(
          (id) => document.querySelector('[data-testid=episode-row]')?.getAttribute('data-id') === id,
          expected[at],
        );
      }
      const want = expected.slice(at, at + 100);
      expect(await rowIds(page)).toEqual(want);
      const scores = await page.locator('[data-testid=episode-row] [data-testid=score]').allTextContents();
      expect(scores).toEqual(want.map(shownText));
    }
    await page.getByTestId('prev-page').click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=episode-row]')?.getAttribute('data-id') === id,
      expected[100],
    );
    await page.getByTestId('prev-page').click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=episode-row]')?.getAttribute('data-id') === id,
      expected[0],
    );
    // The top factor: the one that added most (volume or move in these seeds), with its points.
    const first = expected[0]!;
    const factors = scoreFields.get(first)!.scoreFactors as SeededFactor[];
    const top = factors.reduce((best, factor) => (factor.points > best.points ? factor : best));
    expect(
      await page
        .locator(`[data-testid=episode-row][data-id="${first}"] [data-testid=top-factor]`)
        .textContent(),
    ).toBe(`${LABELS[top.factor]} ${signed(top.points)}`);
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('keeps only the episodes at or above a minimum score, from the filter bar, in the URL', async () => {
    const page = await open('#/episodes?limit=200', '[data-testid=episode-row]');
    const want = expectedEpisodes('score', { minScore: 40 });
    expect(want.length).toBeLessThanOrEqual(200);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(allEpisodes.length);
    await page.getByTestId('filter-minScore').fill('40');
    await page.getByTestId('filter-minScore').press('Enter');
    await page.getByTestId('filter-minScore').blur();
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid=episode-row]').length === count,
      want.length,
    );
    expect(await rowIds(page)).toEqual(want);
    expect(await page.getByTestId('total').textContent()).toBe(`${want.length} episodes`);
    expect(page.url()).toContain('minScore=40');
  });

  it('shows why an episode ranks here: the score, provisional, the baseline, each factor’s points and detail', async () => {
    const id = allEpisodes.find(
      (episode) => scoreFields.get(episode.id)?.scoreSettled === false && episode.symbol !== 'HAND',
    )!.id;
    const fields = scoreFields.get(id)!;
    const page = await open(`#/episodes/${id}`, '[data-testid=why-ranks]');
    expect(await page.getByTestId('score-value').textContent()).toBe((fields.score as number).toFixed(1));
    expect(await page.getByTestId('score-state').textContent()).toBe('provisional');
    expect(await page.getByTestId('score-baseline').textContent()).toContain(
      { usual: 'usual day', recent: 'recent bars', none: 'no baseline' }[fields.scoreBaseline as string],
    );
    const rows = page.getByTestId('score-factor');
    const factors = fields.scoreFactors as SeededFactor[];
    expect(await rows.count()).toBe(factors.length);
    for (const [i, factor] of factors.entries()) {
      const row = rows.nth(i);
      expect(await row.locator('td').allTextContents()).toEqual([
        LABELS[factor.factor],
        signed(factor.points),
        factor.detail,
      ]);
    }
    // The market's points are negative, and shown as such.
    const market = page.locator('[data-testid=score-factor][data-factor=market] [data-testid=factor-points]');
    expect(await market.textContent()).toMatch(/^−\d/);
    expect(await market.getAttribute('class')).toContain('negative');
    expect(browser.errorsOf(page)).toEqual([]);

    const unscored = allEpisodes.find((episode) => scoreOfEpisode(episode.id) === null)!.id;
    const plain = await open(`#/episodes/${unscored}`, '[data-testid=why-ranks]');
    expect(await plain.getByTestId('score-line').textContent()).toContain('Not scored');
  });

  it("draws on the alert's chart the usual volume and the market's move the score used", async () => {
    const id = alertId(HAND_ALERT);
    const page = await open(`#/alerts/${id}`, '[data-testid=chart] canvas');
    await page.waitForFunction(() => (window as { __chart?: unknown }).__chart !== undefined);
    const chart = (await page.evaluate(() => (window as unknown as { __chart: unknown }).__chart)) as {
      usualVolume: unknown[];
      marketMove: unknown[];
    };
    // HAND's episode (seeds.ts): one minute, usual volume 10, the market +0.1%; times shifted into IST.
    const time = HAND_MINUTE * 60 + IST;
    expect(chart.usualVolume).toEqual([{ time, value: 10 }]);
    expect(chart.marketMove).toEqual([{ time, value: 0.1 }]);
    expect(await page.getByTestId('score-context-legend').textContent()).toContain('usual volume');
    const fields = scoreFields.get(hand.episodes[0]!.id)!;
    expect(await page.getByTestId('score-value').textContent()).toBe((fields.score as number).toFixed(1));
    expect(await page.getByTestId('score-factor').count()).toBe(6);
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
