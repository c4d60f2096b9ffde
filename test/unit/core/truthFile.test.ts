/** The truth file a ranking is measured against: what it reads, what it refuses (naming the line), and its writing. */
import { describe, expect, it } from 'vitest';
import { parseTruthCsv, truthCsv, TruthFileError } from '../../../shared/core/truthFile.js';

// 2021-01-04T00:00Z is minute 26,828,640 since the epoch (18,631 days × 1440).
const DAY = 26_828_640;
const HEADER = 'kind,symbol,start,end,planted\n';

function refusal(text: string): string {
  try {
    parseTruthCsv(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TruthFileError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('parseTruthCsv', () => {
  it('reads planted and legitimate events, market-wide ones without a symbol, minutes with or without seconds', () => {
    const truth = parseTruthCsv(
      HEADER +
        'pump-and-dump,ACME,2021-01-04T05:10Z,2021-01-04T05:39:00Z,true\r\n' +
        '\n' +
        'market-shock,,2021-01-04T07:00Z,2021-01-04T07:00Z,false\n' +
        'news-jump,BETA,2021-01-04T08:01Z,2021-01-04T08:01Z,false\n',
    );
    expect(truth).toEqual({
      planted: [{ kind: 'pump-and-dump', symbol: 'ACME', start: DAY + 310, end: DAY + 339 }],
      legitimate: [
        { kind: 'market-shock', symbol: null, start: DAY + 420, end: DAY + 420 },
        { kind: 'news-jump', symbol: 'BETA', start: DAY + 481, end: DAY + 481 },
      ],
    });
  });

  it.each([
    ['', 'the file is empty; it needs the header kind,symbol,start,end,planted'],
    [
      'kind,symbol,start,end\n',
      "line 1: the header must be kind,symbol,start,end,planted, got 'kind,symbol,start,end'",
    ],
    [HEADER, 'no planted event (planted=true): recall and average precision need one'],
    [
      HEADER + 'a,ACME,2021-01-04T05:10Z,true\n',
      'line 2: 4 fields, expected 5 (kind,symbol,start,end,planted)',
    ],
    [
      HEADER + '\npump,ACME,2021-01-04T05:10Z,2021-01-04 05:12,true\n',
      "line 3: end '2021-01-04 05:12' is not an ISO 8601 UTC minute such as 2021-01-04T05:10Z",
    ],
    [
      HEADER + 'pump,ACME,2021-02-30T05:10Z,2021-03-01T05:10Z,true\n',
      "line 2: start '2021-02-30T05:10Z' is not an ISO 8601 UTC minute such as 2021-01-04T05:10Z",
    ],
    [
      HEADER + 'pump,ACME,2021-01-04T05:10:30Z,2021-01-04T05:12Z,true\n',
      "line 2: start '2021-01-04T05:10:30Z' is not an ISO 8601 UTC minute such as 2021-01-04T05:10Z",
    ],
    [
      HEADER + 'pump,ACME,2021-01-04T05:10Z,2021-01-04T05:09Z,true\n',
      'line 2: end 2021-01-04T05:09Z is before start 2021-01-04T05:10Z',
    ],
    [
      HEADER + 'pump,ACME,2021-01-04T05:10Z,2021-01-04T05:10Z,yes\n',
      "line 2: planted must be true or false, got 'yes'",
    ],
    [
      HEADER + 'shock,,2021-01-04T05:10Z,2021-01-04T05:10Z,true\n',
      'line 2: a planted event needs a symbol (only a legitimate event may be market-wide)',
    ],
    [
      HEADER + 'pump,A@B,2021-01-04T05:10Z,2021-01-04T05:10Z,true\n',
      "line 2: symbol 'A@B' holds a character other than letters, digits and . - _ & ^ = + ! # $ : ~",
    ],
    [
      HEADER + 'pump and dump,ACME,2021-01-04T05:10Z,2021-01-04T05:10Z,true\n',
      "line 2: kind 'pump and dump' must be a name of letters, digits, '.', '_' and '-'",
    ],
  ])('refuses %j: %s', (text, message) => {
    expect(refusal(text)).toBe(message);
  });
});

describe('truthCsv', () => {
  it('writes the planted, then the legitimate, in a file parseTruthCsv reads back', () => {
    const truth = {
      planted: [{ kind: 'spike-and-revert', symbol: 'ACME', start: DAY + 225, end: DAY + 226 }],
      legitimate: [{ kind: 'market-shock', symbol: null, start: DAY + 600, end: DAY + 600 }],
    };
    const text = truthCsv(truth);
    expect(text).toBe(
      HEADER +
        'spike-and-revert,ACME,2021-01-04T03:45:00Z,2021-01-04T03:46:00Z,true\n' +
        'market-shock,,2021-01-04T10:00:00Z,2021-01-04T10:00:00Z,false\n',
    );
    expect(parseTruthCsv(text)).toEqual(truth);
  });
});
