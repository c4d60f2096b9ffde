/**
 * The suspicion score as the console says it (contract §6): the score with one decimal, a factor's points with
 * their sign (a negative one, which explains the episode away, shows as such), the top factor of a list row, the
 * baseline and whether the score is provisional, in words. Pure: unit-tested; scoreView.ts draws them.
 */
import type { EpisodeScore, ScoreFactorId } from '../api/contract.js';

/** How each factor is named on the page. */
export const FACTOR_LABELS: Record<ScoreFactorId, string> = {
  move: 'price move',
  volume: 'volume',
  market: 'market',
  shape: 'shape',
  close: 'close',
  liquidity: 'liquidity',
};

export const BASELINE_TEXT: Record<EpisodeScore['baseline'], string> = {
  usual: "against the symbol's usual day (same time of day)",
  recent: "against the symbol's recent bars (no usual day yet)",
  none: 'against no baseline (too little history)',
};

/** `63.4`; `not scored` for an episode without a score. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score) ? 'not scored' : score.toFixed(1);
}

/** A factor's points with their sign: `+30.5`, `−8.3`, `0.0`. */
export function formatPoints(points: number): string {
  const sign = points > 0 ? '+' : points < 0 ? '−' : '';
  return `${sign}${Math.abs(points).toFixed(1)}`;
}

/** `provisional` while the market's minute was incomplete, else `settled`. */
export function scoreState(score: EpisodeScore): 'provisional' | 'settled' {
  return score.settled ? 'settled' : 'provisional';
}

/**
 * The factor that added the most to the score (the first of equals, in the factors' order), or undefined when
 * none added anything: what the episodes list shows beside the score.
 */
export function topFactor(score: EpisodeScore | undefined): EpisodeScore['factors'][number] | undefined {
  let top: EpisodeScore['factors'][number] | undefined;
  for (const factor of score?.factors ?? []) if (factor.points > (top?.points ?? 0)) top = factor;
  return top;
}

/** An alert's part in its episode's score (by its minute, ISO UTC), or undefined when the score names none. */
export function alertPoints(score: EpisodeScore | undefined, minute: string): number | undefined {
  return score?.alerts.find((part) => part.minute === minute)?.points;
}
