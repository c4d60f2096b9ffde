/** The escalation message: built from an episode and its score, read back with every field checked. */
import { describe, expect, it } from 'vitest';
import type { SuspicionScore } from '../../../shared/core/suspicion/suspicionScore.js';
import { classify } from '../../../shared/errors.js';
import {
  buildEscalationMessage,
  decodeEscalationMessage,
  encodeEscalationMessage,
  EscalationMessageError,
} from '../../../shared/pipeline/escalationMessage.js';

const episode = {
  symbol: 'IDFCFIRSTB',
  start: '2017-01-02T04:49:00Z',
  end: '2017-01-02T05:06:00Z',
  count: 12,
};
const score: Pick<SuspicionScore, 'score' | 'factors'> = {
  score: 72.5,
  factors: [
    { factor: 'move', points: 30, detail: '+2.9% in 20 min, 6.1× its usual volatility' },
    { factor: 'volume', points: 25.5, detail: '8.4× its usual volume at this time of day' },
    { factor: 'market', points: -4, detail: 'the market moved +0.8% meanwhile' },
    { factor: 'shape', points: 12, detail: 'rose and fell back within the episode' },
    { factor: 'close', points: 12, detail: 'in the last 15 minutes of the session' },
    { factor: 'liquidity', points: 0, detail: 'usual liquidity' },
  ],
};

/** Written by hand: the three factors that added most, `shape` before `close` on equal points (the score's order). */
const EXPECTED = {
  v: 1,
  episode: 'IDFCFIRSTB@2017-01-02T04:49:00Z',
  symbol: 'IDFCFIRSTB',
  start: '2017-01-02T04:49:00Z',
  end: '2017-01-02T05:06:00Z',
  score: 72.5,
  factors: [
    { factor: 'move', points: 30, detail: '+2.9% in 20 min, 6.1× its usual volatility' },
    { factor: 'volume', points: 25.5, detail: '8.4× its usual volume at this time of day' },
    { factor: 'shape', points: 12, detail: 'rose and fell back within the episode' },
  ],
  alerts: 12,
};

describe('buildEscalationMessage', () => {
  it('names the episode by its id and keeps the three factors that added most', () => {
    expect(buildEscalationMessage(episode, score)).toEqual(EXPECTED);
  });

  it('names no factor that explains the episode away, and encodes a symbol as its id does', () => {
    const message = buildEscalationMessage(
      { ...episode, symbol: 'A/B' },
      { score: 61, factors: [{ factor: 'market', points: -10, detail: 'x' }] },
    );
    expect(message.factors).toEqual([]);
    expect(message.episode).toBe('A%2FB@2017-01-02T04:49:00Z');
  });
});

describe('decodeEscalationMessage', () => {
  it('reads back what was encoded', () => {
    const message = buildEscalationMessage(episode, score);
    expect(decodeEscalationMessage(encodeEscalationMessage(message))).toEqual(EXPECTED);
  });

  it.each<[string, unknown, string]>([
    ['another version', { ...EXPECTED, v: 2 }, 'its version is not 1'],
    [
      'an episode id that is not its symbol and start',
      { ...EXPECTED, episode: 'X@1' },
      'episode is not the id',
    ],
    ['a start that is not a minute', { ...EXPECTED, start: '2017-01-02T04:49:30Z' }, 'start is not'],
    ['an end before its start', { ...EXPECTED, end: '2017-01-02T04:48:00Z' }, 'end is not'],
    ['a score past 100', { ...EXPECTED, score: 100.5 }, 'score is not a number from 0 to 100'],
    ['no alerts', { ...EXPECTED, alerts: 0 }, 'alerts is not a positive whole number'],
    [
      'an unknown factor',
      { ...EXPECTED, factors: [{ factor: 'luck', points: 1, detail: '' }] },
      'a factor is not',
    ],
    ['four factors', { ...EXPECTED, factors: [...EXPECTED.factors, EXPECTED.factors[0]] }, 'at most 3'],
    ['an array', [], 'not a JSON object'],
  ])('refuses %s, saying retrying cannot help', (_name, value, reason) => {
    const read = () => decodeEscalationMessage(JSON.stringify(value));
    expect(read).toThrow(EscalationMessageError);
    expect(read).toThrow(/retrying cannot help/);
    expect(read).toThrow(reason);
  });

  it('refuses bytes that are not JSON, as a final error', () => {
    let error: unknown;
    try {
      decodeEscalationMessage('{"v":1,');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EscalationMessageError);
    expect(classify(error)).toBe('final');
  });
});
