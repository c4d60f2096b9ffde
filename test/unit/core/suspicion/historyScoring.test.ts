/**
 * The pipeline scores an episode from stored history: its symbol's bars from HISTORY_DAYS_BEFORE days before the
 * episode's date, every symbol's from MARKET_DAYS_BEFORE days before. These tests hold that bounded history to
 * the batch CLI's way, which follows every bar from each symbol's first: the scores must be identical.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../../helpers/seededRandom.js';
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../../../shared/core/barTable.js';
import { scanDecimal } from '../../../../shared/core/decimal.js';
import { compileParameters, DEFAULT_PARAMETERS } from '../../../../shared/core/detectionParameters.js';
import type { BarRef } from '../../../../shared/core/revision.js';
import { emptyCounts, SymbolDetector } from '../../../../shared/core/rules.js';
import { DetectionScoring, episodeKey } from '../../../../shared/core/suspicion/detectionScoring.js';
import {
  HISTORY_DAYS_BEFORE,
  MARKET_DAYS_BEFORE,
  marketOf,
  scoreFromHistory,
} from '../../../../shared/core/suspicion/historyScoring.js';
import { NO_PEER_GROUPS, parsePeerGroups } from '../../../../shared/core/suspicion/peerGroups.js';
import { formatMinute } from '../../../../shared/core/timestamp.js';

const config = compileParameters(DEFAULT_PARAMETERS);

/**
 * `symbols` stocks over `days` weekdays, 90 minutes a session from 03:45 UTC, random walks with now and then a
 * jump, volumes with now and then a burst or a zero, one stock that stops for ten days half way.
 */
function market(symbols: number, days: number, seed: number): Map<string, BarRef[]> {
  const next = random(seed);
  const histories = new Map<string, BarRef[]>();
  for (let s = 0; s < symbols; s++) {
    const symbol = `S${s}`;
    const table = new BarTable();
    const id = table.symbolId(symbol);
    const refs: BarRef[] = [];
    let close = 100 + 50 * next();
    let date = Date.UTC(2021, 0, 4) / 60_000;
    for (let d = 0; d < days; d++, date += 1440) {
      while ([0, 6].includes(new Date(date * 60_000).getUTCDay())) date += 1440;
      if (s === 0 && d >= days / 2 && d < days / 2 + 8) continue;
      for (let m = 0; m < 90; m++) {
        const minute = date + 225 + m;
        const jump = next() < 0.01 ? (next() - 0.5) * 0.06 : 0;
        const open = close;
        close = Math.max(1, close * (1 + (next() - 0.5) * 0.004 + jump));
        const volume = next() < 0.1 ? 0 : Math.round(1000 * (0.5 + next()) * (next() < 0.02 ? 8 : 1));
        const row = table.addRow(id, minute, refs.length + 2);
        const texts = [open, Math.max(open, close), Math.min(open, close), close].map((v) => v.toFixed(2));
        for (const [column, text] of [
          [OPEN, texts[0]!],
          [HIGH, texts[1]!],
          [LOW, texts[2]!],
          [CLOSE, texts[3]!],
          [VOLUME, String(volume)],
        ] as const) {
          scanDecimal(text);
          table.setScannedValue(row, column, text);
        }
        refs.push({ table, row, source: { object: `${symbol}.csv` } });
      }
    }
    histories.set(symbol, refs);
  }
  return histories;
}

const minuteOf = (bar: BarRef) => bar.table.minute(bar.row);

/** S0–S3 are peers (each has 3 others: enough); S4–S6 too (2 others each: too few, the market stands in). */
const GROUPS = parsePeerGroups('a=S0,S1,S2,S3\nb=S4,S5,S6');

describe('scores from stored history (contract §6, the pipeline)', () => {
  it.each([
    ['the whole market', NO_PEER_GROUPS],
    ['peer groups', GROUPS],
  ])("equal the batch CLI's, from the bounded history alone, for every episode (%s)", (_, peerGroups) => {
    const histories = market(7, 24, 5);
    // The batch CLI's way: every symbol's bars followed from its first, as the rules run.
    const scoring = new DetectionScoring(config.episodeGapMinutes, peerGroups);
    const episodes = new Map<string, Array<{ start: number; end: number }>>();
    for (const [symbol, bars] of histories) {
      const detector = new SymbolDetector(symbol, config, undefined, scoring.observe(symbol));
      const spans: Array<{ start: number; end: number }> = [];
      const rows = new Uint32Array(1);
      for (const bar of bars) {
        rows[0] = bar.row;
        detector.run(bar.table, rows, bar.source, emptyCounts(), (finding) => {
          const last = spans[spans.length - 1];
          if (last?.start === finding.episode.start) last.end = finding.minute;
          else spans.push({ start: finding.episode.start, end: finding.minute });
        });
      }
      episodes.set(symbol, spans);
    }
    const expected = scoring.scores();

    let compared = 0;
    let withMarket = 0;
    let withPeers = 0;
    // One market per date, from a week before it through the date's end (what the pipeline reads for it).
    const markets = new Map<number, ReturnType<typeof marketOf>>();
    const marketFor = (date: number) => {
      let found = markets.get(date);
      if (found === undefined) {
        const others = new Map(
          [...histories].map(([name, bars]) => [
            name,
            bars.filter(
              (bar) => minuteOf(bar) >= date - MARKET_DAYS_BEFORE * 1440 && minuteOf(bar) < date + 1440,
            ),
          ]),
        );
        found = marketOf(others, config, peerGroups);
        markets.set(date, found);
      }
      return found;
    };
    for (const [symbol, spans] of episodes) {
      for (const span of spans) {
        const date = Math.floor(span.start / 1440) * 1440;
        const own = histories
          .get(symbol)!
          .filter((bar) => minuteOf(bar) >= date - HISTORY_DAYS_BEFORE * 1440 && minuteOf(bar) <= span.end);
        // Episodes here end on the day they start (a session is 90 minutes).
        expect(Math.floor(span.end / 1440) * 1440).toBe(date);
        const scored = scoreFromHistory(symbol, own, [span], config, marketFor(date), true);
        const cli = expected.get(episodeKey(symbol, formatMinute(span.start)));
        expect(cli).toBeDefined();
        expect(scored.get(span.start)).toEqual(cli);
        compared++;
        const marketFactor = cli!.score.factors.find((factor) => factor.factor === 'market')!;
        if (marketFactor.points !== 0) withMarket++;
        if (marketFactor.detail.startsWith('its peers (a)')) withPeers++;
        // Group b is too small to stand for the market: its members are always judged against the market.
        if (['S4', 'S5', 'S6'].includes(symbol)) expect(marketFactor.detail).not.toMatch(/peers/);
      }
    }
    // Enough episodes, and enough that the market moved, for the comparison to mean something.
    expect(compared).toBeGreaterThan(300);
    expect(withMarket).toBeGreaterThan(50);
    if (peerGroups === GROUPS) expect(withPeers).toBeGreaterThan(50);
    else expect(withPeers).toBe(0);
  });
});
