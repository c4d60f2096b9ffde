/**
 * The lists, filters, orders, pages and totals equal a plain computation over the seeded documents; an alert's
 * row and detail, an episode's alerts and history; the suspicion score (the default order, minScore, the factors
 * each row and detail carries) as the seeded score fields say.
 */
import { describe, expect, it } from 'vitest';
import { get, allPages, seededConsole } from './consoleUnderTest.js';
import {
  seeded,
  triaged,
  allAlerts,
  allEpisodes,
  expectedAlerts,
  expectedEpisodes,
  FILTERS,
  paramsOf,
  scoreFields,
  scoreOfEpisode,
} from './seeds.js';

seededConsole();

describe('the console server on the real emulator: lists and details', () => {
  it('seeded enough to page through, with ties and nulls', () => {
    expect(allAlerts.length).toBeGreaterThan(100);
    expect(allAlerts.some((alert) => alert.data.severity === null)).toBe(true);
    expect(new Set(allAlerts.map((alert) => alert.data.severity)).size).toBeLessThan(allAlerts.length / 5);
  });

  it('seeded scores with ties, provisional ones, and episodes not scored', () => {
    const scores = allEpisodes.map((episode) => scoreOfEpisode(episode.id));
    expect(scores.filter((score) => score === null).length).toBeGreaterThan(3);
    expect(scores.filter((score) => score === 40).length).toBeGreaterThan(3);
    expect([...scoreFields.values()].some((fields) => fields.scoreSettled === false)).toBe(true);
  });

  describe.each(['newest', 'severity', 'score'] as const)('sorted by %s', (sort) => {
    it.each(FILTERS)(
      'lists alerts (filter: %s): pages, order and total as computed from the documents',
      async (_name, filter) => {
        const expected = expectedAlerts(sort, filter);
        const { ids, totals } = await allPages('alerts', paramsOf(sort, filter), 17);
        expect(ids).toEqual(expected);
        expect(new Set(totals)).toEqual(new Set([expected.length]));
      },
    );

    it.each(FILTERS)('lists episodes (filter: %s): pages, order and total', async (_name, filter) => {
      const expected = expectedEpisodes(sort, filter);
      const { ids, totals } = await allPages('episodes', paramsOf(sort, filter), 7);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    });
  });

  it('gives a full alert row, its status its episode’s', async () => {
    const investigating = [...triaged].find(([, status]) => status === 'investigating')![0];
    const alert = allAlerts.find((row) => row.data.episode === investigating)!;
    const { status, body } = await get(
      `/api/alerts?symbol=${encodeURIComponent(alert.data.symbol)}&status=investigating&limit=200`,
    );
    expect(status).toBe(200);
    const row = body.items.find((item: { id: string }) => item.id === alert.id);
    expect(row).toMatchObject({
      id: alert.id,
      symbol: alert.data.symbol,
      timestamp: new Date(alert.minute * 60_000).toISOString().replace('.000Z', 'Z'),
      rules: alert.data.rules,
      severity: alert.data.severity,
      episode: investigating,
      status: 'investigating',
      source: alert.data.source,
    });
    const detail = await get(`/api/alerts/${encodeURIComponent(alert.id)}`);
    expect(detail.body.alert).toEqual(row);
    expect(detail.body.episode).toMatchObject({
      id: investigating,
      status: 'investigating',
      assignee: 'ana',
    });
  });

  it("gives an episode's alerts in time order and its history", async () => {
    const episode = [...seeded.episodes].sort((a, b) => b.count - a.count)[0]!;
    const { status, body } = await get(`/api/episodes/${encodeURIComponent(episode.id)}`);
    expect(status).toBe(200);
    expect(body.episode).toMatchObject({
      id: episode.id,
      symbol: episode.symbol,
      count: episode.count,
      peakSeverity: episode.peakSeverity,
    });
    expect(body.alerts.map((alert: { id: string }) => alert.id)).toEqual(
      allAlerts
        .filter((alert) => alert.data.episode === episode.id)
        .sort((a, b) => a.minute - b.minute)
        .map((alert) => alert.id),
    );
    expect(body.history).toEqual([]);
  });

  it('ranks by the suspicion score when no order is given: episodes, and alerts by their episode’s', async () => {
    const episodes = await allPages('episodes', new URLSearchParams(), 9);
    expect(episodes.ids).toEqual(expectedEpisodes('score', {}));
    const alerts = await allPages('alerts', new URLSearchParams(), 23);
    expect(alerts.ids).toEqual(expectedAlerts('score', {}));
    // Not scored last, and never a score of null or NaN among the scored.
    const rows = (await get('/api/episodes?limit=200')).body.items as Array<{ score?: { score: number } }>;
    const firstUnscored = rows.findIndex((row) => row.score === undefined);
    expect(firstUnscored).toBeGreaterThan(0);
    expect(rows.slice(firstUnscored).every((row) => row.score === undefined)).toBe(true);
    expect(rows.slice(0, firstUnscored).every((row) => Number.isFinite(row.score!.score))).toBe(true);
  });

  it('gives each episode its score, factors, baseline and state, and each alert its episode’s score', async () => {
    const scored = seeded.episodes.find((episode) => scoreFields.get(episode.id)?.scoreSettled === false)!;
    const fields = scoreFields.get(scored.id)!;
    const expectedScore = {
      score: fields.score,
      settled: false,
      baseline: fields.scoreBaseline,
      factors: fields.scoreFactors,
      alerts: fields.scoreAlerts,
    };
    const { body } = await get(`/api/episodes/${encodeURIComponent(scored.id)}`);
    expect(body.episode.score).toEqual(expectedScore);
    expect(body.episode.score.factors.map((factor: { factor: string }) => factor.factor)).toEqual([
      'move',
      'volume',
      'market',
      'shape',
      'close',
      'liquidity',
    ]);
    expect(body.episode.score.factors[2].points).toBeLessThan(0);
    expect(body.alerts.map((alert: { score: number }) => alert.score)).toEqual(
      body.alerts.map(() => fields.score),
    );
    const listed = await get(
      `/api/episodes?symbol=${encodeURIComponent(scored.symbol)}&minScore=${fields.score}&limit=200`,
    );
    expect(listed.body.items.find((row: { id: string }) => row.id === scored.id).score).toEqual(
      expectedScore,
    );

    const unscored = seeded.episodes.find((episode) => scoreOfEpisode(episode.id) === null)!;
    const plain = await get(`/api/episodes/${encodeURIComponent(unscored.id)}`);
    expect(plain.body.episode).not.toHaveProperty('score');
    expect(plain.body.alerts.every((alert: object) => !('score' in alert))).toBe(true);
  });

  it('refuses a minScore that is not a number, naming it', async () => {
    const { status, body } = await get('/api/episodes?minScore=high');
    expect(status).toBe(400);
    expect(body.error).toContain('minScore');
  });
});
