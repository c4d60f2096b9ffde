import { describe, expect, it } from 'vitest';
import { formatMinute, parseMinute, parseMinuteIn, ZoneOffsets } from '../../../shared/core/timestamp.js';

const kolkata = new ZoneOffsets('Asia/Kolkata');
const utc = new ZoneOffsets('UTC');
const newYork = new ZoneOffsets('America/New_York');

/** The expected minute, from an ISO UTC time written by hand. */
const at = (iso: string) => Date.parse(iso) / 60_000;

describe('parseMinuteIn', () => {
  // The reader parses a timestamp where it lies in its line: nothing after its end may count.
  it.each([
    ['x2017-01-02 09:15:0512,', 1, 19, Number.NaN],
    ['x2017-01-02 09:15:00+0530', 1, 24, Number.NaN],
    ['x2017-01-02 09:15:00+05:30,1', 1, 26, at('2017-01-02T03:45:00Z')],
    ['x2017-01-02 09:15:00+05:30,1', 1, 20, at('2017-01-02T03:45:00Z')],
    ['2017-01-02 09:15:00.12', 0, 20, Number.NaN],
    ['2017-01-02 09:15:00Zz', 0, 20, at('2017-01-02T09:15:00Z')],
    ['2017-01-02 09:1', 0, 15, Number.NaN],
  ])('reads %j from %i to %i as %d', (text, from, to, minute) => {
    expect(parseMinuteIn(text, from, to, kolkata)).toBe(minute);
  });
});

describe('parseMinute', () => {
  it.each([
    ['2017-01-02 09:15:00+05:30', '2017-01-02T03:45:00Z'],
    ['2017-01-02T09:15:00+05:30', '2017-01-02T03:45:00Z'],
    ['2017-01-02 09:15+05:30', '2017-01-02T03:45:00Z'],
    ['2017-01-02 09:15:59.999+0530', '2017-01-02T03:45:00Z'],
    ['2017-01-02 03:45:00Z', '2017-01-02T03:45:00Z'],
    ['2017-01-02 03:45:00-01:00', '2017-01-02T04:45:00Z'],
    ['2017-01-02 09:15:00', '2017-01-02T03:45:00Z'],
    ['2017-01-02 09:15', '2017-01-02T03:45:00Z'],
    ['2017-01-02 09:15:30.5', '2017-01-02T03:45:00Z'],
    [' 2017-01-02 09:15:00 ', '2017-01-02T03:45:00Z'],
    ['2020-02-29 00:00:00+00:00', '2020-02-29T00:00:00Z'],
  ])('reads %j in Asia/Kolkata as %s', (text, iso) => {
    expect(parseMinute(text, kolkata)).toBe(at(iso));
  });

  it('never takes a broken date for the date of the row before it', () => {
    // Rows of a file share their date, and its day number is reused while it repeats.
    expect(parseMinute('2000-01-02 09:15:00+05:30', kolkata)).toBe(at('2000-01-02T03:45:00Z'));
    for (const broken of [
      '19x0-01-02',
      '1x00-01-02',
      '2000-0x-02',
      '2000-01-0x',
      '2000-01-02'.replace('-', '/'),
    ]) {
      expect(parseMinute(`${broken} 09:16:00+05:30`, kolkata)).toBeNaN();
    }
    expect(parseMinute('2000-01-02 09:17:00+05:30', kolkata)).toBe(at('2000-01-02T03:47:00Z'));
  });

  it('reads a timestamp without offset in the configured zone', () => {
    expect(parseMinute('2021-12-31 23:01:00.000000', utc)).toBe(at('2021-12-31T23:01:00Z'));
    // New York: EST (-05:00) in January, EDT (-04:00) in July.
    expect(parseMinute('2021-01-15 09:30:00', newYork)).toBe(at('2021-01-15T14:30:00Z'));
    expect(parseMinute('2021-07-15 09:30:00', newYork)).toBe(at('2021-07-15T13:30:00Z'));
  });

  it.each([
    '',
    'not-a-date',
    '2017-13-02 09:15:00',
    '2017-02-30 09:15:00',
    '2019-02-29 09:15:00',
    '2017-01-02 24:00:00',
    '2017-01-02 09:60:00',
    '2017-01-02 09:15:60',
    '2017-01-02 09:15:0',
    '2017-01-02 09:15:00.',
    '2017-01-02 09:15:00+5:30',
    '2017-01-02 09:15:00+05:3',
    '2017-01-02 09:15:00 IST',
    '2017/01/02 09:15:00',
    '17-01-02 09:15:00',
    '2017-01-02',
    'abcd-01-02 09:15:00',
    '20x7-01-02 09:15:00+05:30',
    '2017-01-0x 09:15:00',
  ])('rejects %j', (text) => {
    expect(parseMinute(text, kolkata)).toBeNaN();
  });
});

describe('ZoneOffsets', () => {
  it('gives the local day of a UTC minute', () => {
    // 2017-01-02 20:00 UTC is 2017-01-03 01:30 in Kolkata.
    expect(kolkata.localDay(at('2017-01-02T20:00:00Z'))).toBe(Date.UTC(2017, 0, 3) / 86_400_000);
    expect(utc.localDay(at('2017-01-02T20:00:00Z'))).toBe(Date.UTC(2017, 0, 2) / 86_400_000);
  });

  it('follows a daylight-saving change inside a day', () => {
    // 2021-03-14: New York moves from -05:00 to -04:00 at 07:00 UTC.
    expect(newYork.offsetAt(at('2021-03-14T06:59:00Z'))).toBe(-300);
    expect(newYork.offsetAt(at('2021-03-14T07:00:00Z'))).toBe(-240);
  });

  it('refuses an unknown zone', () => {
    expect(() => new ZoneOffsets('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('formatMinute', () => {
  it('writes ISO 8601 UTC without milliseconds', () => {
    expect(formatMinute(at('2017-01-02T03:45:00Z'))).toBe('2017-01-02T03:45:00Z');
    expect(formatMinute(at('1969-12-31T23:59:00Z'))).toBe('1969-12-31T23:59:00Z');
    expect(formatMinute(at('2020-02-29T00:00:00Z'))).toBe('2020-02-29T00:00:00Z');
  });
});

describe('wall times at a daylight-saving change', () => {
  const berlin = new ZoneOffsets('Europe/Berlin');
  it.each([
    // New York, 2024-03-10: 02:00 EST becomes 03:00 EDT (07:00Z); 02:00-02:59 never happens.
    ['2024-03-10 01:59', newYork, '2024-03-10T06:59:00Z'],
    ['2024-03-10 03:00', newYork, '2024-03-10T07:00:00Z'],
    // New York, 2024-11-03: 02:00 EDT becomes 01:00 EST (06:00Z); 01:00-01:59 happens twice.
    ['2024-11-03 01:00', newYork, '2024-11-03T05:00:00Z'],
    ['2024-11-03 01:59', newYork, '2024-11-03T05:59:00Z'],
    ['2024-11-03 02:00', newYork, '2024-11-03T07:00:00Z'],
    // Berlin (east of UTC), 2024-10-27: 03:00 CEST becomes 02:00 CET (01:00Z).
    ['2024-10-27 02:30', berlin, '2024-10-27T00:30:00Z'],
    ['2024-10-27 03:00', berlin, '2024-10-27T02:00:00Z'],
    // Berlin, 2024-03-31: 02:00 CET becomes 03:00 CEST (01:00Z).
    ['2024-03-31 01:59', berlin, '2024-03-31T00:59:00Z'],
    ['2024-03-31 03:00', berlin, '2024-03-31T01:00:00Z'],
  ])('reads %j as its first occurrence', (text, zone, minute) => {
    expect(parseMinute(text, zone)).toBe(at(minute));
  });

  it.each([
    ['2024-03-10 02:00', newYork],
    ['2024-03-10 02:30', newYork],
    ['2024-03-10 02:59', newYork],
    ['2024-03-31 02:00', berlin],
    ['2024-03-31 02:59', berlin],
  ])('refuses %j, a wall time the clocks skip', (text, zone) => {
    expect(parseMinute(text, zone)).toBeNaN();
  });

  it('maps every wall time New York shows in 2024 back to an instant showing it', () => {
    // Each wall minute of 2024 in New York maps to the instant whose wall time it is, also after a jump back.
    for (let utc = at('2024-01-01T05:00:00Z'); utc < at('2025-01-01T05:00:00Z'); utc += 7) {
      const wall = utc + newYork.offsetAt(utc);
      expect(newYork.toUtc(wall) + newYork.offsetAt(newYork.toUtc(wall))).toBe(wall);
    }
  });
});
