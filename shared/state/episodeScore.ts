/**
 * The suspicion score's fields of an episode document (`episodes/{symbol@start}`, docs/records.md): their stored
 * shape, which detect writes beside the episode, and their reading back. Pure (no SDK), so that the console's
 * read model and answers read them as the store defines them. An episode written before scores existed has none
 * of them: it is "not scored", never a score of 0.
 */
import {
  SCORE_FACTORS,
  type ScoreBaseline,
  type ScoreContext,
  type ScoreFactor,
  type SuspicionScore,
} from '../core/suspicion/suspicionScore.js';

/** The score's fields as stored on the episode document; detect writes them all together. */
export interface EpisodeScoreFields {
  /** 0 to 100, one decimal. */
  score: number;
  /** In SCORE_FACTORS order. */
  scoreFactors: ScoreFactor[];
  scoreBaseline: ScoreBaseline;
  /** False while the market's minute is incomplete: the score is provisional. */
  scoreSettled: boolean;
  /** Each alert's part in the score, in minute order. */
  scoreAlerts: Array<{ minute: string; points: number }>;
  /** What the score was measured against, minute by minute: what the console's chart draws. */
  scoreContext: ScoreContext;
}

/** A stored score as read back: the score, and its context when the document holds a readable one. */
export interface StoredScore extends SuspicionScore {
  context: ScoreContext | null;
}

const BASELINES: ReadonlySet<unknown> = new Set<ScoreBaseline>(['usual', 'recent', 'none']);
const FACTORS: ReadonlySet<unknown> = new Set<unknown>(SCORE_FACTORS);

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const nullableNumbers = (value: unknown): Array<number | null> | undefined =>
  Array.isArray(value) && value.every((each) => each === null || finite(each))
    ? (value as Array<number | null>)
    : undefined;

/** The `score` field alone (what the lists rank by), or null when the episode is not scored. */
export function scoreValueOf(value: unknown): number | null {
  return finite(value) ? value : null;
}

/**
 * The score stored on an episode document, or undefined when it is not scored (no finite `score`). Each part
 * is taken as far as it reads: a factor or an alert's part that does not read is left out, a missing
 * `scoreSettled` reads as provisional (an analyst is never told a score is final when it may not be), a missing
 * baseline as `none`, a context whose arrays do not line up as none.
 */
export function storedScoreOf(data: Readonly<Record<string, unknown>>): StoredScore | undefined {
  const score = scoreValueOf(data.score);
  if (score === null) return undefined;
  const factors = Array.isArray(data.scoreFactors)
    ? data.scoreFactors.flatMap((each): ScoreFactor[] => {
        const factor = record(each);
        return factor !== undefined && FACTORS.has(factor.factor) && finite(factor.points)
          ? [
              {
                factor: factor.factor as ScoreFactor['factor'],
                points: factor.points,
                detail: typeof factor.detail === 'string' ? factor.detail : '',
              },
            ]
          : [];
      })
    : [];
  const alerts = Array.isArray(data.scoreAlerts)
    ? data.scoreAlerts.flatMap((each) => {
        const part = record(each);
        return part !== undefined && typeof part.minute === 'string' && finite(part.points)
          ? [{ minute: part.minute, points: part.points }]
          : [];
      })
    : [];
  return {
    score,
    factors,
    baseline: BASELINES.has(data.scoreBaseline) ? (data.scoreBaseline as ScoreBaseline) : 'none',
    settled: data.scoreSettled === true,
    alerts,
    context: contextOf(data.scoreContext),
  };
}

function contextOf(value: unknown): ScoreContext | null {
  const context = record(value);
  if (context === undefined || !Array.isArray(context.minutes) || !context.minutes.every(finite)) return null;
  const minutes = context.minutes as number[];
  const usualVolume = nullableNumbers(context.usualVolume);
  const marketMovePct = nullableNumbers(context.marketMovePct);
  if (usualVolume?.length !== minutes.length || marketMovePct?.length !== minutes.length) return null;
  return { minutes, usualVolume, marketMovePct };
}
