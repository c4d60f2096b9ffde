/**
 * The score's fields of an episode document read back (shared/state/episodeScore.ts): a scored document as
 * detect writes it, one stored before scores, and damaged parts, each with the reading written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { scoreValueOf, storedScoreOf } from '../../../shared/state/episodeScore.js';

const SCORED = {
  symbol: 'ACME',
  score: 63.4,
  scoreFactors: [
    { factor: 'move', points: 30.5, detail: '+2.9% in 20 min, 6.1× its usual volatility' },
    { factor: 'volume', points: 41.2, detail: '9.4× its usual volume at this time of day' },
    { factor: 'market', points: -8.3, detail: 'the market moved +1.1% with it' },
  ],
  scoreBaseline: 'usual',
  scoreSettled: true,
  scoreAlerts: [{ minute: '2024-01-02T04:00:00Z', points: 63.4 }],
  scoreContext: { minutes: [28401120, 28401121], usualVolume: [120, null], marketMovePct: [0.25, -0.1] },
};

describe('storedScoreOf', () => {
  it('reads a score as detect writes it', () => {
    expect(storedScoreOf(SCORED)).toEqual({
      score: 63.4,
      factors: SCORED.scoreFactors,
      baseline: 'usual',
      settled: true,
      alerts: [{ minute: '2024-01-02T04:00:00Z', points: 63.4 }],
      context: { minutes: [28401120, 28401121], usualVolume: [120, null], marketMovePct: [0.25, -0.1] },
    });
  });

  it('reads an episode stored before scores, or with a score that is not a number, as not scored', () => {
    expect(storedScoreOf({ symbol: 'ACME' })).toBeUndefined();
    expect(storedScoreOf({ ...SCORED, score: null })).toBeUndefined();
    expect(storedScoreOf({ ...SCORED, score: '63.4' })).toBeUndefined();
    expect(storedScoreOf({ ...SCORED, score: Number.NaN })).toBeUndefined();
    expect(scoreValueOf(undefined)).toBeNull();
    expect(scoreValueOf(0)).toBe(0);
  });

  it('takes each part as far as it reads: provisional unless settled, no baseline, no context', () => {
    const read = storedScoreOf({
      score: 12,
      scoreFactors: [{ factor: 'move', points: 12 }, { factor: 'luck', points: 3 }, 'volume', null],
      scoreBaseline: 'yesterday',
      scoreAlerts: [{ minute: '2024-01-02T04:00:00Z', points: '12' }],
      scoreContext: { minutes: [1, 2], usualVolume: [1], marketMovePct: [0, 0] },
    });
    expect(read).toEqual({
      score: 12,
      factors: [{ factor: 'move', points: 12, detail: '' }],
      baseline: 'none',
      settled: false,
      alerts: [],
      context: null,
    });
  });
});
