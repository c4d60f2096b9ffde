import { describe, expect, it } from 'vitest';
import { ExpectedReportBuilder, sumReports } from '../../../cli/generate/expectedReport.js';
import type { LineEntry } from '../../../cli/generate/plantDay.js';

/** 2017-01-02 09:15 IST as a UTC minute. */
const OPEN = Date.UTC(2017, 0, 2, 3, 45) / 60_000;

function row(offset: number, close = 100, volume = 10): LineEntry {
  const bar = { index: offset, open: close, high: close, low: close, close, volume };
  return {
    kind: 'row',
    text: '',
    minute: OPEN + offset,
    bar,
    reason: undefined,
    line: 0,
    isCopy: false,
    touched: false,
    block: 0,
  };
}

function bad(reason: LineEntry['reason']): LineEntry {
  return { ...row(0), kind: 'bad', bar: undefined, reason };
}

const blank: LineEntry = { ...row(0), kind: 'blank', bar: undefined, minute: Number.NaN };

describe('Class: ExpectedReportBuilder', () => {
  it("derives the figures by the contract's definitions", () => {
    // Prepare: minutes 0 1 2, 6 5 (5 out of order), 9 (gaps 3–4 and 7–8), a bad row, a blank line, an exact and a conflicting duplicate,
    // and the next day's first bar (no gap across dates).
    const entries = [
      row(0),
      row(1),
      row(2),
      bad('number'),
      blank,
      row(6),
      row(5),
      row(1),
      row(9),
      row(2, 101),
      row(1440),
    ];
    const builder = new ExpectedReportBuilder();

    // Act
    for (const entry of entries) builder.add(entry);
    const report = builder.finish();

    // Assess
    expect(report).toEqual({
      dataRows: 10,
      accepted: 7,
      bad: { count: 1, byReason: { number: 1 } },
      duplicates: { count: 2, conflicting: 1 },
      outOfOrder: 1,
      gaps: { count: 2, missingMinutes: 4, largest: 2 },
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-03T03:45:00Z',
    });
    expect(report.dataRows).toBe(report.accepted + report.bad.count + report.duplicates.count);
  });

  it('sums reports, keeping the largest gap of any file', () => {
    const one = new ExpectedReportBuilder();
    [row(0), row(4)].forEach((entry) => one.add(entry));
    const two = new ExpectedReportBuilder();
    [row(10), row(12), bad('timestamp')].forEach((entry) => two.add(entry));
    const total = sumReports([one.finish(), two.finish()]);
    expect(total.gaps).toEqual({ count: 2, missingMinutes: 4, largest: 3 });
    expect(total.bad).toEqual({ count: 1, byReason: { timestamp: 1 } });
    expect([total.firstMinute, total.lastMinute]).toEqual(['2017-01-02T03:45:00Z', '2017-01-02T03:57:00Z']);
  });
});
