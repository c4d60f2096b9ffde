/**
 * How well a ranking of episodes finds planted events (bench:ranking, and `stock-anomalies calibrate --truth`):
 * average precision, precision in the top R (R = the events planted), recall (events inside some episode, whatever
 * its rank), and how many legitimate hard cases (market-wide shocks) rank in the top R. Pure: the episodes and the
 * truth in, the figures out.
 *
 * An episode *finds* an event when it is of the event's symbol (any symbol for a market-wide event) and its span
 * [start, end] overlaps the event's. Down the ranking, an episode is a hit when it finds an event no episode above
 * it found; each event is found once. Average precision is the mean, over the planted events, of the precision at
 * the rank where each was first found (0 for one never found): 1 when every event ranks above every other episode.
 */

import type { Episode } from './episodes.js';

export interface RankedEpisode {
  symbol: string;
  /** Minutes since the epoch. */
  start: number;
  end: number;
}

export interface TruthEvent {
  kind: string;
  /** Null for a market-wide event. */
  symbol: string | null;
  start: number;
  end: number;
}

export interface RankingFigures {
  averagePrecision: number;
  /** Precision among the top R episodes, R the number of planted events. */
  precisionAtR: number;
  /** Planted events inside some episode, of all planted. */
  recall: number;
  /** Episodes in the top R that overlap a legitimate event, and were not hits, by the event's kind. */
  legitimateInTopR: Record<string, number>;
  /** Per kind of planted event: planted, found (inside some episode), and in the top R. */
  byKind: Record<string, { planted: number; found: number; inTopR: number }>;
}

const minuteOf = (iso: string) => Date.parse(iso) / 60_000;

/**
 * Episodes ranked by peak severity (contract §4), the largest first; an episode without one last, ties by start:
 * the ranking before the suspicion score, bench:ranking's baseline.
 */
export function byPeakSeverity(
  episodes: ReadonlyArray<Pick<Episode, 'symbol' | 'start' | 'end' | 'peakSeverity'>>,
): RankedEpisode[] {
  return [...episodes]
    .sort(
      (a, b) => (b.peakSeverity ?? -Infinity) - (a.peakSeverity ?? -Infinity) || (a.start < b.start ? -1 : 1),
    )
    .map((episode) => ({
      symbol: episode.symbol,
      start: minuteOf(episode.start),
      end: minuteOf(episode.end),
    }));
}

/** Episodes ranked by their suspicion score (contract §6), the highest first; ties by peak severity, then start. */
export function byScore(
  episodes: ReadonlyArray<Pick<Episode, 'symbol' | 'start' | 'end' | 'peakSeverity'> & { score: number }>,
): RankedEpisode[] {
  return [...episodes]
    .sort(
      (a, b) =>
        b.score - a.score ||
        (b.peakSeverity ?? -Infinity) - (a.peakSeverity ?? -Infinity) ||
        (a.start < b.start ? -1 : 1),
    )
    .map((episode) => ({
      symbol: episode.symbol,
      start: minuteOf(episode.start),
      end: minuteOf(episode.end),
    }));
}

const overlaps = (episode: RankedEpisode, event: TruthEvent) =>
  (event.symbol === null || event.symbol === episode.symbol) &&
  episode.start <= event.end &&
  event.start <= episode.end;

/**
 * @param ranked episodes, most suspicious first
 * @param planted the manipulations (what the ranking should find)
 * @param legitimate the hard cases it should not rank high (market-wide shocks)
 */
export function rankingFigures(
  ranked: readonly RankedEpisode[],
  planted: readonly TruthEvent[],
  legitimate: readonly TruthEvent[],
): RankingFigures {
  const r = planted.length;
  const found = new Set<number>();
  const byKind: RankingFigures['byKind'] = {};
  for (const event of planted) byKind[event.kind] ??= { planted: 0, found: 0, inTopR: 0 };
  for (const event of planted) byKind[event.kind]!.planted++;
  let hits = 0;
  let precisionSum = 0;
  let hitsInTopR = 0;
  const legitimateInTopR: Record<string, number> = {};
  for (const event of legitimate) legitimateInTopR[event.kind] = 0;
  ranked.forEach((episode, index) => {
    const event = planted.findIndex((candidate, i) => !found.has(i) && overlaps(episode, candidate));
    if (event >= 0) {
      found.add(event);
      hits++;
      precisionSum += hits / (index + 1);
      if (index < r) {
        hitsInTopR++;
        byKind[planted[event]!.kind]!.inTopR++;
      }
    } else if (index < r) {
      const hard = legitimate.find((event) => overlaps(episode, event));
      if (hard !== undefined) legitimateInTopR[hard.kind]!++;
    }
  });
  // Recall counts an event inside any episode, even one a higher episode's hit already claimed its place for.
  let inside = 0;
  planted.forEach((event) => {
    if (ranked.some((episode) => overlaps(episode, event))) {
      inside++;
      byKind[event.kind]!.found++;
    }
  });
  return {
    averagePrecision: r === 0 ? 0 : precisionSum / r,
    precisionAtR: r === 0 ? 0 : hitsInTopR / r,
    recall: r === 0 ? 0 : inside / r,
    legitimateInTopR,
    byKind,
  };
}
