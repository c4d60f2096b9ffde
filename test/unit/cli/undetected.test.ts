/** What `wait` says about bars that will never be detected, from the ingestions' reports (hand-made views). */
import { describe, expect, it } from 'vitest';
import type { IngestionView } from '../../../cli/commands/reports.js';
import { describeUndetected } from '../../../cli/undetected.js';
import { hasUndetected, undetectedOf } from '../../../shared/core/undetected.js';
import { emptyReport } from '../../../shared/core/report.js';

function view(
  object: string,
  figures: { tooLate?: number; late?: number; future?: number; symbol?: number },
): IngestionView {
  const report = emptyReport(object);
  report.bad.byReason = {
    ...(figures.future ? { future: figures.future } : {}),
    ...(figures.symbol ? { symbol: figures.symbol } : {}),
  };
  return {
    id: `${object}@1`,
    object,
    generation: '1',
    status: 'done',
    report,
    detection: {
      batches: 1,
      processed: 10,
      late: figures.late ?? 0,
      repeats: 0,
      tooLate: figures.tooLate ?? 0,
      alerts: 0,
      a1: 0,
      a2: 0,
      revised: 0,
      withdrawn: 0,
    },
  };
}

describe('undetected', () => {
  it('sums too-late bars, future and symbol rows per object, and names each object', () => {
    const undetected = undetectedOf([
      view('A.csv', { tooLate: 3, late: 2 }),
      view('B.csv', {}),
      view('C.csv', { future: 1, symbol: 2 }),
    ]);
    expect(hasUndetected(undetected)).toBe(true);
    expect(describeUndetected(undetected)).toEqual([
      'not detected: 3 bars too late (past LATENESS_HORIZON_DAYS), 1 row from the future, 2 rows with a symbol ' +
        "outside the grammar (see each object's report and set-aside rows):",
      '  A.csv (generation 1): 3 too late, 2 late',
      '  C.csv (generation 1): 1 future, 2 symbol',
    ]);
  });

  it('tells late bars as detected, which is no failure', () => {
    const undetected = undetectedOf([view('A.csv', { late: 4 })]);
    expect(hasUndetected(undetected)).toBe(false);
    expect(describeUndetected(undetected)).toEqual([
      '4 late bars detected in their place (contract §2), in:',
      '  A.csv (generation 1): 4 late',
    ]);
  });

  it('says nothing when every bar sent was detected in order', () => {
    expect(describeUndetected(undetectedOf([view('A.csv', {})]))).toEqual([]);
  });
});
