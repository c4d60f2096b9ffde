import { describe, expect, it } from 'vitest';
import {
  alertMarkText,
  episodeWithdrawalText,
  formatDateTime,
  formatRange,
  formatSignedPct,
  zoneLabel,
  zoneOffsetSeconds,
  zonedToUtcMs,
} from '../../../../console/web/format.js';

describe('console/web format: times in the exchange zone', () => {
  it.each([
    ['2017-01-02T05:06:00Z', 'Asia/Kolkata', '2017-01-02 10:36'],
    ['2017-01-02T18:30:00Z', 'Asia/Kolkata', '2017-01-03 00:00'],
    ['2017-01-02T05:06:30Z', 'Asia/Kolkata', '2017-01-02 10:36:30'],
    ['2021-03-14T07:00:00Z', 'America/New_York', '2021-03-14 03:00'],
  ])('%s in %s reads %s', (iso, zone, shown) => {
    expect(formatDateTime(iso, zone)).toBe(shown);
  });

  it('gives the offset at an instant, across a daylight-saving change', () => {
    expect(zoneOffsetSeconds(Date.parse('2017-01-02T05:06:00Z'), 'Asia/Kolkata')).toBe(19_800);
    expect(zoneOffsetSeconds(Date.parse('2021-03-14T06:59:00Z'), 'America/New_York')).toBe(-5 * 3600);
    expect(zoneOffsetSeconds(Date.parse('2021-03-14T07:00:00Z'), 'America/New_York')).toBe(-4 * 3600);
  });

  it('turns a wall-clock time back into the instant', () => {
    const wall = { year: 2017, month: 1, day: 3, hour: 0, minute: 0, second: 0 };
    expect(new Date(zonedToUtcMs(wall, 'Asia/Kolkata')).toISOString()).toBe('2017-01-02T18:30:00.000Z');
    const afterChange = { year: 2021, month: 3, day: 14, hour: 12, minute: 0, second: 0 };
    expect(new Date(zonedToUtcMs(afterChange, 'America/New_York')).toISOString()).toBe(
      '2021-03-14T16:00:00.000Z',
    );
  });

  it('names the zone with its offset, and writes ranges on one day short', () => {
    expect(zoneLabel('Asia/Kolkata')).toBe('Asia/Kolkata (UTC+05:30)');
    expect(zoneLabel('America/New_York', Date.parse('2021-01-01T00:00:00Z'))).toBe(
      'America/New_York (UTC−05:00)',
    );
    expect(formatRange('2017-01-02T03:47:00Z', '2017-01-02T05:27:00Z', 'Asia/Kolkata')).toBe(
      '2017-01-02 09:17–10:57',
    );
    expect(formatRange('2017-01-02T09:00:00Z', '2017-01-03T04:00:00Z', 'Asia/Kolkata')).toBe(
      '2017-01-02 14:30 – 2017-01-03 09:30',
    );
  });

  it('signs percentages with a real minus', () => {
    expect(formatSignedPct(-0.52504)).toBe('−0.525%');
    expect(formatSignedPct(1.2)).toBe('+1.200%');
    expect(formatSignedPct(null)).toBe('—');
  });
});

describe('console/web format: what a late bar did, its time in the exchange zone', () => {
  const mark = { at: '2024-03-01T10:00:05.250Z', object: 'late.csv', generation: '7' };

  it.each([
    [
      'late',
      'Raised late at 2024-03-01 15:30:05: a late bar from late.csv, detected in its place after later minutes, made this minute fire.',
    ],
    [
      'revised',
      "Revised at 2024-03-01 15:30:05: a late bar from late.csv changed this minute's figures; those below are the revised ones.",
    ],
    [
      'withdrawn',
      'Withdrawn at 2024-03-01 15:30:05: a late bar from late.csv means this minute no longer fires; figures below are as they were.',
    ],
  ] as const)('says of a %s alert when and from which object', (kind, text) => {
    expect(alertMarkText({ ...mark, kind }, 'Asia/Kolkata')).toBe(text);
  });

  it('says of a withdrawn episode when and from which object, in the zone', () => {
    expect(episodeWithdrawalText({ ...mark, into: null }, 'America/New_York')).toBe(
      'Withdrawn at 2024-03-01 05:00:05: a late bar from late.csv regrouped its alerts',
    );
  });
});
