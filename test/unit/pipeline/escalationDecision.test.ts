/** When an episode is escalated: once, the first time its settled score is at or above the threshold. */
import { describe, expect, it } from 'vitest';
import {
  shouldEscalate,
  type NextEscalation,
  type StoredEscalation,
} from '../../../shared/pipeline/escalationDecision.js';

const THRESHOLD = 60;

describe('shouldEscalate', () => {
  it.each<[string, StoredEscalation | undefined, NextEscalation, boolean]>([
    ['a new episode settled above the threshold', undefined, { score: 72.5, settled: true }, true],
    ['a new episode settled exactly at the threshold', undefined, { score: 60, settled: true }, true],
    ['a new episode settled just below it', undefined, { score: 59.9, settled: true }, false],
    ['a new episode above it whose score is not settled', undefined, { score: 95, settled: false }, false],
    [
      'an unsettled score that settles above it',
      { score: 95, settled: false },
      { score: 80, settled: true },
      true,
    ],
    [
      'a settled score below it that rises past it (a late bar)',
      { score: 40, settled: true },
      { score: 65, settled: true },
      true,
    ],
    [
      'an episode escalated before, its score rising further',
      { score: 65, settled: true, escalated: true },
      { score: 90, settled: true },
      false,
    ],
    [
      'an episode escalated before, its score falling and rising again',
      { score: 50, settled: true, escalated: true },
      { score: 70, settled: true },
      false,
    ],
    [
      'an episode settled above it but never escalated (the threshold was higher then)',
      { score: 70, settled: true, escalated: false },
      { score: 70, settled: true },
      true,
    ],
    ['a withdrawn episode', undefined, { score: 99, settled: true, withdrawn: true }, false],
  ])('%s: %s', (_name, previous, next, expected) => {
    expect(shouldEscalate(previous, next, THRESHOLD)).toBe(expected);
  });

  it('takes a threshold of 0 as "every settled episode" and 100 as "only a full score"', () => {
    expect(shouldEscalate(undefined, { score: 0, settled: true }, 0)).toBe(true);
    expect(shouldEscalate(undefined, { score: 99.9, settled: true }, 100)).toBe(false);
    expect(shouldEscalate(undefined, { score: 100, settled: true }, 100)).toBe(true);
  });
});
