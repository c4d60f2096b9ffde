/**
 * When an episode is escalated: once, the first time its score is settled and at or above the threshold.
 *
 * detect decides it for each episode a batch writes, from the episode as stored (its score, whether that was
 * settled, and whether it was escalated: the document's `escalatedAt`) and the episode as the batch leaves it.
 * An episode escalated is never escalated again, whatever its score does afterwards (a late bar lowering it and
 * another raising it again does not post twice); one whose score is not yet settled waits (the market's other
 * symbols have not all come past it, so the score may still move), and so does one withdrawn (contract §5).
 */

/** The episode as stored before the batch, or undefined when the batch creates it. */
export interface StoredEscalation {
  score: number;
  settled: boolean;
  /** Whether it was escalated (its document has `escalatedAt`); absent means not. */
  escalated?: boolean;
}

/** The episode as the batch leaves it. */
export interface NextEscalation {
  score: number;
  settled: boolean;
  /** A withdrawn episode (regrouped away by a late bar) is never escalated. */
  withdrawn?: boolean;
}

/**
 * Whether the batch escalates the episode: its score is now settled and at or above `threshold`, and it was
 * not escalated before. A stored score that was settled and past the threshold without being escalated (the
 * threshold was higher then, or escalation is newer than the episode) escalates now: the flag, not the score
 * history, is what says it was done.
 *
 * @example
 * shouldEscalate(undefined, { score: 72.5, settled: true }, 60); // true
 * shouldEscalate({ score: 72.5, settled: true, escalated: true }, { score: 80, settled: true }, 60); // false
 * shouldEscalate(undefined, { score: 90, settled: false }, 60); // false: it may still move
 */
export function shouldEscalate(
  previous: StoredEscalation | undefined,
  next: NextEscalation,
  threshold: number,
): boolean {
  if (previous?.escalated === true) return false;
  if (next.withdrawn === true || !next.settled) return false;
  return next.score >= threshold;
}
