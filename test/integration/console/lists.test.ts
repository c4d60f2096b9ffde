/**
 * The lists, filters, orders, pages and totals equal a plain computation over the seeded documents; an alert's
 * row and detail, an episode's alerts and history.
 */
import { describe, expect, it } from 'vitest';
import { get, allPages, seededConsole } from './consoleUnderTest.js';
import { seeded, triaged, allAlerts, expectedAlerts, expectedEpisodes, FILTERS, paramsOf } from './seeds.js';

seededConsole();

describe('the console server on the real emulator: lists and details', () => {
  it('seeded enough to page through, with ties and nulls', () => {
    expect(allAlerts.length).toBeGreaterThan(100);
    expect(allAlerts.some((alert) => alert.data.severity === null)).toBe(true);
    expect(new Set(allAlerts.map((alert) => alert.data.severity)).size).toBeLessThan(allAlerts.length / 5);
  });

  describe.each(['newest', 'severity'] as const)('sorted by %s', (sort) => {
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
});
