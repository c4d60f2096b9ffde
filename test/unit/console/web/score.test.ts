/** The suspicion score in words (console/web/score.ts): every expected text written out by hand. */
import { describe, expect, it } from 'vitest';
import type { EpisodeScore } from '../../../../console/api/contract.js';
import {
  alertPoints,
  formatPoints,
  formatScore,
  scoreState,
  topFactor,
} from '../../../../console/web/score.js';

const SCORE: EpisodeScore = {
  score: 63.4,
  settled: false,
  baseline: 'usual',
  factors: [
    { factor: 'move', points: 30.5, detail: '+2.9% in 20 min' },
    { factor: 'volume', points: 41.2, detail: '9.4× its usual volume' },
    { factor: 'market', points: -8.3, detail: 'the market moved with it' },
    { factor: 'liquidity', points: 41.2, detail: 'thin book' },
  ],
  alerts: [
    { minute: '2017-01-02T05:06:00Z', points: 20.1 },
    { minute: '2017-01-02T05:07:00Z', points: -1 },
  ],
};

describe('console/web score', () => {
  it('says a score with one decimal, and "not scored" without one', () => {
    expect(formatScore(63.4)).toBe('63.4');
    expect(formatScore(0)).toBe('0.0');
    expect(formatScore(100)).toBe('100.0');
    expect(formatScore(undefined)).toBe('not scored');
    expect(formatScore(null)).toBe('not scored');
    expect(formatScore(Number.NaN)).toBe('not scored');
  });

  it('signs points, a negative one with a real minus', () => {
    expect(formatPoints(30.5)).toBe('+30.5');
    expect(formatPoints(-8.3)).toBe('−8.3');
    expect(formatPoints(0)).toBe('0.0');
  });

  it('says provisional until settled', () => {
    expect(scoreState(SCORE)).toBe('provisional');
    expect(scoreState({ ...SCORE, settled: true })).toBe('settled');
  });

  it('takes the factor that added most, the first of equals, and none when none added anything', () => {
    expect(topFactor(SCORE)).toEqual({ factor: 'volume', points: 41.2, detail: '9.4× its usual volume' });
    expect(topFactor({ ...SCORE, factors: [{ factor: 'market', points: -3, detail: '' }] })).toBeUndefined();
    expect(topFactor({ ...SCORE, factors: [] })).toBeUndefined();
    expect(topFactor(undefined)).toBeUndefined();
  });

  it("finds an alert's part by its minute", () => {
    expect(alertPoints(SCORE, '2017-01-02T05:07:00Z')).toBe(-1);
    expect(alertPoints(SCORE, '2017-01-02T05:08:00Z')).toBeUndefined();
    expect(alertPoints(undefined, '2017-01-02T05:06:00Z')).toBeUndefined();
  });
});
