import { describe, expect, it } from 'vitest';
import { isoMinute, parseDate, timestampText, tradingDays } from '../../../cli/generate/calendar.js';

describe('Function: tradingDays', () => {
  it('skips weekends and starts a weekend start on the next Monday', () => {
    expect(tradingDays('2016-12-31', 6).map((day) => day.date)).toEqual([
      '2017-01-02',
      '2017-01-03',
      '2017-01-04',
      '2017-01-05',
      '2017-01-06',
      '2017-01-09',
    ]);
  });

  it('puts the first bar at 09:15 IST = 03:45 UTC and the last at 15:29 IST', () => {
    const [day] = tradingDays('2017-01-02', 1);
    expect(isoMinute(day!.openMinute)).toBe('2017-01-02T03:45:00Z');
    expect(timestampText(day!, 0)).toBe('2017-01-02 09:15:00+05:30');
    expect(timestampText(day!, 374)).toBe('2017-01-02 15:29:00+05:30');
    expect(isoMinute(day!.openMinute + 374)).toBe('2017-01-02T09:59:00Z');
  });

  it('rejects dates that do not exist', () => {
    expect(() => parseDate('2017-02-30')).toThrow(RangeError);
    expect(() => parseDate('2017-1-2')).toThrow(RangeError);
    expect(parseDate('1970-01-02')).toBe(1);
  });
});
