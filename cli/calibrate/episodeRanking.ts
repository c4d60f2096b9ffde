/**
 * How `calibrate` orders episodes and which pass a minimum score: the one place that knows what an episode's
 * suspicion is.
 *
 * STAND-IN: until episodes carry their suspicion score (shared/core/suspicion/suspicionScore.ts), the ranking is
 * by peak severity (contract §4), as bench:ranking's baseline, and no episode has a score, so only a minimum of 0
 * lets episodes through (`--min-score` above 0 is refused by the command until then: see {@link SCORED}).
 */
import type { Episode } from '../../shared/core/episodes.js';
import { byPeakSeverity, type RankedEpisode } from '../../shared/core/rankingQuality.js';

/** Whether episodes carry a suspicion score yet. */
export const SCORED = false;

/** The episodes, most suspicious first. */
export function rankEpisodes(episodes: readonly Episode[]): RankedEpisode[] {
  return byPeakSeverity(episodes);
}

/** Whether an episode passes a minimum score (score ≥ `minScore`). */
export function passesMinScore(_episode: Episode, minScore: number): boolean {
  return minScore <= 0;
}
