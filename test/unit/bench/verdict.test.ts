/** The pipeline runs' verdict, on hand-made alert lines, and the completeness of their ingestion reports. */
import { describe, expect, it } from 'vitest';
import type { IngestionView } from '../../../cli/commands/reports.js';
import type { QualityReport } from '../../../shared/core/report.js';
import { alertLines, incompleteReports, verdictOf } from '../../../bench/verdict.js';

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

describe('alertLines', () => {
  it('drops the object generation, which files read by the CLI do not have', () => {
    const stored = '{"symbol":"A","source":{"object":"a.csv","generation":"7","line":2}}\n\n';
    expect(alertLines(stored)).toEqual(['{"symbol":"A","source":{"object":"a.csv","line":2}}']);
  });
});

describe('incompleteReports', () => {
  const view = (
    object: string,
    status: string,
    accepted: number,
    processed: number,
    repeats: number,
    tooLate = 0,
  ) =>
    ({
      id: object,
      object,
      generation: '1',
      status,
      report: { accepted } as QualityReport,
      // Late bars are among those processed: they are detected in their place (contract §2).
      detection: {
        batches: 1,
        processed,
        late: 2,
        repeats,
        tooLate,
        alerts: 0,
        a1: 0,
        a2: 0,
        revised: 0,
        withdrawn: 0,
      },
    }) as IngestionView;

  it('is empty when every accepted bar is processed, a repeat or too late', () => {
    expect(incompleteReports([view('a', 'done', 10, 6, 3, 1), view('b', 'done', 0, 0, 0)])).toEqual([]);
  });

  it('names an ingestion not done, and one with bars unaccounted for', () => {
    expect(incompleteReports([view('a', 'running', 10, 0, 0), view('b', 'done', 10, 8, 1)])).toEqual([
      'a: running',
      'b: 8 processed + 1 repeats + 0 too late != 10 accepted',
    ]);
  });
});
