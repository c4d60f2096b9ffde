/** `wait`'s alert check: each symbol's alerts detected against those notify counted written. */
import { describe, expect, it } from 'vitest';
import { alertsBehind } from '../../../cli/commands/wait.js';

const states = [
  { symbol: 'ACME', alertCount: 3 },
  { symbol: 'BETA', alertCount: 2 },
  { symbol: 'QUIET', alertCount: 0 },
];

describe('alertsBehind', () => {
  it('is settled when every symbol has as many written as detected', () => {
    const tallies = new Map([
      ['ACME', 3],
      ['BETA', 2],
    ]);
    expect(alertsBehind(states, tallies)).toEqual({ detected: 5, written: 5, behind: 0 });
  });

  it('names the symbols behind, even when another symbol counted more than it detected', () => {
    // 4 + 1 = 5 in total, as detected, yet BETA's alert is not written: totals alone would miss it.
    const tallies = new Map([
      ['ACME', 4],
      ['BETA', 1],
    ]);
    expect(alertsBehind(states, tallies)).toEqual({ detected: 5, written: 4, behind: 1 });
  });

  it('counts a symbol with no tally yet as none written', () => {
    expect(alertsBehind(states, new Map([['ACME', 3]]))).toEqual({ detected: 5, written: 3, behind: 1 });
  });
});
