/**
 * Contract §1, `future`: a bar later than the reader's clock plus FUTURE_SKEW_MINUTES is set aside, so that it
 * cannot move its symbol's last minute ahead of every real bar to come. The clock is an input: each test fixes it.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ObjectSeriesDetection } from '../../../shared/core/objectSeriesDetection.js';
import type { ObjectBars } from '../../../shared/core/objectIntake.js';
import { readerClock } from '../../../shared/core/readerClock.js';
import { readObject } from '../../../shared/objects/readObject.js';
import { acceptedBars, configFor, limitsFor } from '../../helpers/read.js';

const HEADER = 'timestamp,open,high,low,close,volume';
const NAME = 'ACME__EQ__NSE__NSE__MINUTE.csv';

/** Reads `text` with the clock at `now` (ISO) and the given skew. */
function readAt(text: string, now: string, skew: number): Promise<ObjectBars> {
  return readObject(Readable.from([Buffer.from(text)]), {
    objectName: NAME,
    zone: configFor().zone,
    limits: limitsFor(),
    clock: readerClock(Date.parse(now), skew),
  });
}

describe('bars from the future', () => {
  it('accepts a bar up to the clock plus the skew, and sets aside the minute after', async () => {
    // The clock at 10:00:30Z: its minute is 10:00, the latest allowed 10:05.
    const text = [
      HEADER,
      '2024-03-01T10:05:00Z,10,10,10,10,5', // 2: the latest minute allowed
      '2024-03-01T10:05:59Z,10,10,10,10,5', // 3: the same minute (a duplicate), not the future
      '2024-03-01T10:06:00Z,10,10,10,10,5', // 4: one minute past
      '2024-03-01 15:36:00,10,10,10,10,5', // 5: 10:06Z in the exchange zone (IST)
    ].join('\n');
    const result = await readAt(text, '2024-03-01T10:00:30Z', 5);
    expect(acceptedBars(result)).toEqual([['ACME', '2024-03-01T10:05:00Z', 10, 5, 2]]);
    const detail =
      "minute 2024-03-01T10:06:00Z is after 2024-03-01T10:05:00Z, the reader's clock plus 5 minutes " +
      '(FUTURE_SKEW_MINUTES)';
    expect(result.setAside.map(({ line, reason, detail }) => [line, reason, detail])).toEqual([
      [3, 'duplicate', 'ACME 2024-03-01T10:05:00Z already seen'],
      [4, 'future', detail],
      [5, 'future', detail],
    ]);
    expect(result.report).toMatchObject({ accepted: 1, bad: { count: 2, byReason: { future: 2 } } });
  });

  it('with a skew of 0, accepts the minute of the clock only', async () => {
    const text = [HEADER, '2024-03-01T10:00:00Z,10,10,10,10,5', '2024-03-01T10:01:00Z,10,10,10,10,5'].join(
      '\n',
    );
    const result = await readAt(text, '2024-03-01T10:00:59Z', 0);
    expect(acceptedBars(result).map(([, minute]) => minute)).toEqual(['2024-03-01T10:00:00Z']);
    expect(result.setAside.map(({ line, reason }) => [line, reason])).toEqual([[3, 'future']]);
  });

  it('keeps a 2099 bar between good bars from moving the symbol ahead: the alerts are those without it', async () => {
    // Closes 100, 101, [2099: 500], 100: A1 fires at 09:16 (+1%) and at 09:17 (101 -> 100, -0.990%). Volumes
    // 10, 10, [10], 30: A2 fires at 09:17 (30 > 1.02 x 10). Had the 2099 bar been taken, 09:17 would be late.
    const text = [
      HEADER,
      '2017-01-02 09:15:00+05:30,100,100,100,100,10',
      '2017-01-02 09:16:00+05:30,101,101,101,101,10',
      '2099-01-01 09:15:00+05:30,500,500,500,500,10',
      '2017-01-02 09:17:00+05:30,100,100,100,100,30',
    ].join('\n');
    const read = await readAt(text, '2024-03-01T10:00:00Z', 5);
    expect(read.setAside.map(({ line, reason }) => [line, reason])).toEqual([[4, 'future']]);
    const detection = new ObjectSeriesDetection(configFor());
    detection.addObject(read);
    expect([...detection.alerts()].map((alert) => [alert.timestamp, alert.rules])).toEqual([
      ['2017-01-02T03:46:00Z', ['A1']],
      ['2017-01-02T03:47:00Z', ['A1', 'A2']],
    ]);
  });
});
