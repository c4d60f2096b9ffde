/** The fault runs' verdict, on hand-made alert lines. */
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../helpers/verdict.js';

const line = (symbol: string, minute: string, close = 1) =>
  JSON.stringify({ symbol, timestamp: `2017-01-02T03:${minute}:00Z`, close });

describe('verdictOf', () => {
  const expected = [line('A', '45'), line('A', '46'), line('B', '45')];

  it('is ALL-DELIVERED when every alert is there once, the same', () => {
    expect(verdictOf(expected, [...expected].reverse())).toEqual({ verdict: 'ALL-DELIVERED', count: 3 });
  });

  it('names what is missing', () => {
    expect(verdictOf(expected, expected.slice(0, 2))).toEqual({
      verdict: 'LESS-THAN-EXPECTED',
      missing: ['B@2017-01-02T03:45:00Z'],
    });
  });

  it('names what the data does not contain, and an alert written twice', () => {
    expect(verdictOf(expected, [...expected, line('C', '50'), line('A', '45')])).toEqual({
      verdict: 'MORE-THAN-EXPECTED',
      extra: ['C@2017-01-02T03:50:00Z', 'A@2017-01-02T03:45:00Z'],
    });
  });

  it('is DIFFERENT when an alert changed, or some are missing while others are extra', () => {
    expect(verdictOf(expected, [line('A', '45', 2), line('A', '46'), line('B', '45')])).toEqual({
      verdict: 'DIFFERENT',
      missing: [],
      extra: [],
      changed: ['A@2017-01-02T03:45:00Z'],
    });
    expect(verdictOf(expected, [line('A', '45'), line('A', '46'), line('B', '46')])).toMatchObject({
      verdict: 'DIFFERENT',
      missing: ['B@2017-01-02T03:45:00Z'],
      extra: ['B@2017-01-02T03:46:00Z'],
    });
  });
});
