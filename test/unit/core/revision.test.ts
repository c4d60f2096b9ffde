/**
 * Contract §2, late bars: what inserting bars into a symbol's detected history changes. Hand-computed cases, and
 * against the contract's definition on random series: the stored alerts with the revisions applied are the
 * alerts of every bar detected in minute order.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../helpers/seededRandom.js';
import type { Alert } from '../../../shared/core/alert.js';
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../../shared/core/barTable.js';
import { scanDecimal } from '../../../shared/core/decimal.js';
import { episodeOf, type Episode } from '../../../shared/core/episodes.js';
import { reviseHistory, type BarRef, type RevisionInput } from '../../../shared/core/revision.js';
import { alertOf } from '../../../shared/core/alert.js';
import { emptyCounts, SymbolDetector } from '../../../shared/core/rules.js';
import type { EpisodeState, SymbolState } from '../../../shared/core/symbolState.js';
import { configFor } from '../../helpers/read.js';

type Bar = [minute: number, close: string, volume: string];

const config = configFor({});

/** Bars as refs into one table, each from the object its source names (`obj`, line = minute + 2). */
function refs(bars: readonly Bar[], table = new BarTable()): BarRef[] {
  const symbol = table.symbolId('X');
  return bars.map(([minute, close, volume]) => {
    const row = table.addRow(symbol, minute, minute + 2);
    // A table takes the value last scanned (the reader scans each field as it checks it).
    for (const column of [OPEN, HIGH, LOW, CLOSE]) {
      scanDecimal(close);
      table.setScannedValue(row, column, close);
    }
    scanDecimal(volume);
    table.setScannedValue(row, VOLUME, volume);
    return { table, row, source: { object: 'obj' } };
  });
}

/** The reference: every bar detected in minute order from the symbol's first (contract §2). */
function inOrder(bars: readonly Bar[]): { alerts: Alert[]; episodes: Episode[]; state: SymbolState } {
  const sorted = [...bars].sort((a, b) => a[0] - b[0]);
  const detector = new SymbolDetector('X', config);
  const alerts: Alert[] = [];
  const episodes = new Map<number, EpisodeState>();
  for (const bar of refs(sorted)) {
    detector.run(bar.table, [bar.row], bar.source, emptyCounts(), (finding) => {
      alerts.push(alertOf(finding));
      episodes.set(finding.episode.start, finding.episode);
    });
  }
  return {
    alerts,
    episodes: [...episodes.values()].map((e) => episodeOf('X', e)),
    state: detector.toState(),
  };
}

function input(history: Bar[], inserted: Bar[], following: Bar[] = [], complete = true): RevisionInput {
  const table = new BarTable();
  return {
    symbol: 'X',
    config,
    history: refs(history, table),
    complete,
    inserted: refs(inserted, table),
    following: refs(following, table),
  };
}

const at = (minute: number) => new Date(minute * 60_000).toISOString().replace('.000Z', 'Z');

describe('a late bar detected in its place', () => {
  // Flat volume (A2 never fires); closes 100 at minute 0, 101 at minute 2: +1% fires A1 (severity 2).
  const history: Bar[] = [
    [0, '100', '10'],
    [2, '101', '10'],
  ];

  it("fires its own alert and withdraws the next bar's A1 it no longer earns", () => {
    // 100 → 100.6 is +0.6% (fires, severity 1.2); 100.6 → 101 is +0.397...% (no longer fires).
    const outcome = reviseHistory(input(history, [[1, '100.6', '10']]));
    expect(outcome.kind).toBe('revised');
    if (outcome.kind !== 'revised') return;
    expect(outcome.alerts.map((c) => [c.kind, c.alert.timestamp, c.alert.rules, c.alert.severity])).toEqual([
      ['late', at(1), ['A1'], 1.2],
      ['withdrawn', at(2), ['A1'], 2],
    ]);
    // The episode that began at minute 2 is gone, and no episode holds minute 2 now.
    expect(outcome.episodes.map((e) => [e.kind, e.episode.start, e.into])).toEqual([
      ['created', at(1), undefined],
      ['withdrawn', at(2), undefined],
    ]);
    expect(outcome.state).toMatchObject({ lastMinute: 2, lastClose: '101' });
  });

  it("revises the next bar's A1, now measured against it", () => {
    // 100 → 100.2 (+0.2%, quiet); 100.2 → 101 is +0.798...%: still fires, with other figures.
    const outcome = reviseHistory(input(history, [[1, '100.2', '10']]));
    if (outcome.kind !== 'revised') throw new Error(outcome.kind);
    expect(outcome.alerts).toHaveLength(1);
    expect(outcome.alerts[0]).toMatchObject({
      kind: 'revised',
      alert: { timestamp: at(2), a1: { prevClose: 100.2, prevTimestamp: at(1), changePct: 0.798403 } },
    });
    // Its episode's peak follows: 0.798403% / 0.5% = 1.596806.
    expect(outcome.episodes).toEqual([
      {
        kind: 'updated',
        episode: { symbol: 'X', start: at(2), end: at(2), count: 1, a1: 1, a2: 0, peakSeverity: 1.596806 },
      },
    ]);
  });

  it('enters the windows of the bars after it (A2)', () => {
    // Volumes 10 at minutes 0–3 and 10.4 at minute 4: 10.4 > 1.02 × 10 fires A2. A late bar of volume 20 at
    // minute -1 (before all) raises minute 4's window mean to (20 + 40) / 5 = 12: it stops firing.
    const flat: Bar[] = [
      [0, '100', '10'],
      [1, '100', '10'],
      [2, '100', '10'],
      [3, '100', '10'],
      [4, '100', '10.4'],
    ];
    const outcome = reviseHistory(input(flat, [[-1, '100', '20']]));
    if (outcome.kind !== 'revised') throw new Error(outcome.kind);
    // Minute 0 was the first bar (no window); now its window holds minute -1's 20 and it does not fire either.
    expect(outcome.alerts.map((c) => [c.kind, c.alert.timestamp])).toEqual([['withdrawn', at(4)]]);
  });

  it('bridges two episodes into one, named by the earlier start', () => {
    // A1 fires at minute 1 (+1%) and minute 9 (+1%), 8 minutes apart: two episodes with the default gap of 5.
    const bars: Bar[] = [
      [0, '100', '10'],
      [1, '101', '10'],
      [2, '101', '10'],
      [3, '101', '10'],
      [4, '101', '10'],
      [6, '101', '10'],
      [7, '101', '10'],
      [8, '101', '10'],
      [9, '102.01', '10'],
    ];
    // A late spike at minute 5 (+1%) that minute 6 reverts (−0.990...%): alerts at 1, 5, 6 and 9, each within 5
    // minutes of the one before, one episode from minute 1; minute 9's alert now belongs to it.
    const outcome = reviseHistory(input(bars, [[5, '102.01', '10']]));
    if (outcome.kind !== 'revised') throw new Error(outcome.kind);
    expect(outcome.alerts.map((c) => [c.kind, c.alert.timestamp, c.alert.episodeStart])).toEqual([
      ['late', at(5), at(1)],
      ['late', at(6), at(1)],
      ['revised', at(9), at(1)],
    ]);
    expect(
      outcome.episodes.map((e) => [e.kind, e.episode.start, e.episode.end, e.episode.count, e.into]),
    ).toEqual([
      ['updated', at(1), at(9), 4, undefined],
      ['withdrawn', at(9), at(9), 1, at(1)],
    ]);
  });

  it('asks for earlier bars when the history does not show the quiet spell before the episode', () => {
    // History from minute 0 only (not the symbol's first bar): minutes 0–9 have no full window yet.
    const outcome = reviseHistory(input(history, [[1, '100.6', '10']], [], false));
    expect(outcome.kind).toBe('need-earlier');
  });
});

/** A series with gaps, moves around the A1 threshold and volume spikes. */
function series(next: () => number, length: number): Bar[] {
  const bars: Bar[] = [];
  let minute = 0;
  let close = 100;
  for (let i = 0; i < length; i++) {
    minute += next() < 0.15 ? 2 + Math.floor(next() * 12) : 1;
    close = Math.max(1, close * (1 + (next() - 0.5) * 0.014));
    const volume = next() < 0.1 ? 0 : Math.round(5 + next() * 20);
    bars.push([minute, close.toFixed(2), String(volume)]);
  }
  return bars;
}

describe('the stored alerts with the revisions applied are those of every bar in minute order', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`random series ${seed}`, () => {
      const next = random(seed);
      const all = series(next, 120);
      // Late bars: a few scattered before the last stored minute; the rest were detected in order.
      const lateCount = 1 + Math.floor(next() * 6);
      const late = new Set<number>();
      while (late.size < lateCount) late.add(Math.floor(next() * (all.length - 1)));
      const stored = all.filter((_, i) => !late.has(i));
      const inserted = all.filter((_, i) => late.has(i));
      const following =
        next() < 0.5 ? series(next, 5).map(([m, c, v]): Bar => [all.at(-1)![0] + m, c, v]) : [];

      const before = inOrder(stored);
      const after = inOrder([...stored, ...inserted, ...following]);
      // Series of a few dozen alerts, so that there is something to revise.
      expect(before.alerts.length).toBeGreaterThan(10);

      // The history as the pipeline reads it: from some stored bar on, reaching back further when asked.
      let from = Math.floor(next() * stored.length * 0.8);
      let outcome = reviseHistory(input(stored.slice(from), inserted, following, from === 0));
      while (outcome.kind === 'need-earlier') {
        from = Math.max(0, from - 10);
        outcome = reviseHistory(input(stored.slice(from), inserted, following, from === 0));
      }

      const alerts = new Map(before.alerts.map((a) => [a.timestamp, a]));
      for (const change of outcome.alerts) {
        if (change.kind === 'withdrawn') {
          expect(alerts.get(change.alert.timestamp)).toEqual(change.alert);
          alerts.delete(change.alert.timestamp);
        } else {
          expect(alerts.has(change.alert.timestamp)).toBe(change.kind === 'revised');
          alerts.set(change.alert.timestamp, change.alert);
        }
      }
      expect([...alerts.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1))).toEqual(after.alerts);

      const episodes = new Map(before.episodes.map((e) => [e.start, e]));
      for (const change of outcome.episodes) {
        if (change.kind === 'withdrawn') episodes.delete(change.episode.start);
        else episodes.set(change.episode.start, change.episode);
      }
      expect([...episodes.values()].sort((a, b) => (a.start < b.start ? -1 : 1))).toEqual(after.episodes);

      // The state carried on is in-order detection's; its episode too, unless no alert was seen since the
      // revision's starting point (then no later alert can join the one before it anyway).
      const { episode, ...state } = outcome.state;
      const { episode: expectedEpisode, ...expectedState } = after.state;
      expect(state).toEqual(expectedState);
      if (episode !== null) expect(episode).toEqual(expectedEpisode);
      else expect(expectedEpisode!.end).toBeLessThan(outcome.from - config.episodeGapMinutes);
    });
  }
});
