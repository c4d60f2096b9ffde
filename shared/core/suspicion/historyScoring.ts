/**
 * Scores from stored history (the pipeline's way to contract §6): the same figures the batch CLI follows as its
 * rules run, worked out again from the symbols' detected bars. The rules are run again over the history only to
 * know each bar's A2 window and which bars fired; the episodes themselves are given.
 */
import type { DetectionConfig } from '../detectionParameters.js';
import type { BarRef } from '../revision.js';
import { emptyCounts, SymbolDetector, type BarObserver } from '../rules.js';
import { BASELINE_SPAN_DAYS } from './baseline.js';
import { scoreEpisode, type ScoredEpisode } from './episodeScore.js';
import type { PeerGroups } from './peerGroups.js';
import { PeerMarket } from './peerMarket.js';
import { MarketParts, RETURN_SPAN_MINUTES, SymbolScoring } from './symbolScoring.js';

/**
 * How far before an episode's first date its symbol's history must reach: the baseline's span, and a week more so
 * that the span's first bars have their returns.
 */
export const HISTORY_DAYS_BEFORE = BASELINE_SPAN_DAYS + RETURN_SPAN_MINUTES / 1440;
/** How far before a date every symbol's history must reach for the market's parts of that date: a week. */
export const MARKET_DAYS_BEFORE = RETURN_SPAN_MINUTES / 1440;

/** Runs the rules over one symbol's bars (ascending minutes), each processed bar shown to `observer`. */
function replay(
  symbol: string,
  bars: readonly BarRef[],
  config: DetectionConfig,
  observer: BarObserver,
): void {
  const detector = new SymbolDetector(symbol, config, undefined, observer);
  const counts = emptyCounts();
  const ignore = () => {};
  const rows = new Uint32Array(1);
  for (const bar of bars) {
    rows[0] = bar.row;
    detector.run(bar.table, rows, bar.source, counts, ignore);
  }
}

/**
 * The market's minutes from every symbol's bars (each ascending; the symbol being scored among them), from a week
 * before the first date asked about.
 */
export function marketOf(
  histories: ReadonlyMap<string, readonly BarRef[]>,
  config: DetectionConfig,
  peerGroups: PeerGroups,
): PeerMarket {
  const market = new PeerMarket(peerGroups);
  for (const [symbol, bars] of histories) {
    // Only the parts: no baselines, which the market does not need.
    const parts = new MarketParts();
    const sink = market.sinkOf(symbol);
    replay(symbol, bars, config, {
      bar: (minute, close, volume, windowMean) =>
        sink.add(minute, parts.part(minute, close, volume, windowMean)),
    });
  }
  return market;
}

/** An episode to score: its first and last alert's minutes. */
export interface EpisodeSpan {
  start: number;
  end: number;
}

/**
 * Scores a symbol's episodes from its bars (ascending, from {@link HISTORY_DAYS_BEFORE} days before the first
 * episode's date through the last one's end) against the market.
 * @returns by episode start; an episode whose bars the history does not hold is left out
 */
export function scoreFromHistory(
  symbol: string,
  bars: readonly BarRef[],
  episodes: readonly EpisodeSpan[],
  config: DetectionConfig,
  market: PeerMarket,
  settled: boolean,
): Map<number, ScoredEpisode> {
  const spans = [...episodes].sort((a, b) => a.start - b.start);
  // The market is given whole; the symbol's own parts go nowhere here.
  const scoring = new SymbolScoring(symbol, { add: () => {} }, config.episodeGapMinutes);
  let next = 0;
  replay(symbol, bars, config, {
    bar: (minute, close, volume, windowMean, fired) => {
      while (next < spans.length && spans[next]!.end < minute) next++;
      const span = spans[next];
      const inside = span !== undefined && minute >= span.start && minute <= span.end;
      scoring.bar(minute, close, volume, windowMean, inside && fired !== null ? span.start : null);
    },
  });
  const scores = new Map<number, ScoredEpisode>();
  for (const figures of scoring.episodes()) {
    if (spans.some((span) => span.start === figures.start && span.end === figures.end)) {
      scores.set(figures.start, scoreEpisode(figures, market.viewOf(symbol), settled));
    }
  }
  return scores;
}
