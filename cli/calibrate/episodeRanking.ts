/**
 * How `calibrate` orders episodes and which pass a minimum score: the one place that knows what an episode's
 * suspicion is. The ranking is by suspicion score (contract §6), the highest first, ties by peak severity then
 * start, as bench:ranking's; an episode passes a minimum score when its score is at least that.
 */
import type { Episode } from '../../shared/core/episodes.js';
import { byScore, type RankedEpisode } from '../../shared/core/rankingQuality.js';

/** An episode with its suspicion score (0 to 100, contract §6). */
export type ScoredEpisode = Episode & { score: number };

/** The episodes, most suspicious first. */
export function rankEpisodes(episodes: readonly ScoredEpisode[]): RankedEpisode[] {
  return byScore(episodes);
}

/** Whether an episode passes a minimum score (score ≥ `minScore`). */
export function passesMinScore(episode: ScoredEpisode, minScore: number): boolean {
  return episode.score >= minScore;
}
