/**
 * The suspicion score of an episode (contract §6): how much what happened looks like manipulation rather than
 * noise or a legitimate market move, from 0 (nothing unusual once the context is known) to 100. It is the sum of
 * a few factors' points, each from what an analyst looks at, each stored and shown with the figures behind it.
 */

/** The factors, in the order they are shown and summed. */
export const SCORE_FACTORS = ['move', 'volume', 'market', 'shape', 'close', 'liquidity'] as const;
export type ScoreFactorId = (typeof SCORE_FACTORS)[number];

export interface ScoreFactor {
  factor: ScoreFactorId;
  /** Its part in the score, one decimal; negative for what explains the episode away (the market, liquidity). */
  points: number;
  /** The figures behind it, in words an analyst reads: `"+2.9% in 20 min, 6.1× its usual volatility"`. */
  detail: string;
}

/** What the symbol's own figures were measured against (contract §6 Baselines). */
export type ScoreBaseline = 'usual' | 'recent' | 'none';

export interface SuspicionScore {
  /** 0 to 100, one decimal: the factors' points summed, then held to that range. */
  score: number;
  factors: ScoreFactor[];
  baseline: ScoreBaseline;
  /**
   * Whether the score was made from every bar known: the batch CLI's always is (it scores once every file is in);
   * the pipeline's is provisional from the commit that changed the episode until settle scores it (contract §6).
   */
  settled: boolean;
  /** Each alert's part in the score (its minute, ISO 8601 UTC, and points), in minute order. */
  alerts: Array<{ minute: string; points: number }>;
}

/** What the score was measured against, minute by minute over the episode: what the console's chart draws. */
export interface ScoreContext {
  /** Minutes since the Unix epoch of the episode's bars. */
  minutes: number[];
  /** The symbol's usual volume at that time of day (contract §6), or null without a baseline. */
  usualVolume: Array<number | null>;
  /** The market's move that minute in percent (the other symbols' mean), or null without enough of them. */
  marketMovePct: Array<number | null>;
}
