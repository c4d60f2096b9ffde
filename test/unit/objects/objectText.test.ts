/** The object's edge of the reader (objectText.ts): gzip, UTF-8 and a byte-order mark, through the real reader. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../shared/objects/readObject.js';
import { ObjectRejectedError } from '../../../shared/core/report.js';
import { acceptedBars, clockFor, configFor, gzip, limitsFor, readText } from '../../helpers/read.js';

const HEADER = 'timestamp,open,high,low,close,volume';

describe('object encoding', () => {
  const body = `${HEADER}\n2017-01-02 09:15:00+05:30,10,10,10,10,5\n`;

  it('reads plain UTF-8', async () => {
    expect(acceptedBars(await readText(body))).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 5, 2]]);
  });

  it('gunzips an object named .gz', async () => {
    const result = await readText(gzip(body), 'TEST__EQ__NSE__NSE__MINUTE.csv.gz');
    expect(acceptedBars(result)).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 5, 2]]);
  });

  it('gunzips an object that starts with the gzip magic number, whatever its name', async () => {
    const result = await readText(gzip(body), 'TEST__EQ__NSE__NSE__MINUTE.csv');
    expect(result.report.accepted).toBe(1);
  });

  it('rejects a .gz object that is not gzip, naming the problem', async () => {
    await expect(readText(body, 'TEST.csv.gz')).rejects.toThrow(/not a readable gzip stream/);
  });

  it('rejects a truncated gzip stream', async () => {
    const broken = gzip(body.repeat(50)).subarray(0, 40);
    await expect(readText(broken, 'TEST.csv.gz')).rejects.toBeInstanceOf(ObjectRejectedError);
  });

  it('closes its source when it rejects the object, plain or gzipped, from a stream or a file reader', async () => {
    const rows = '2017-01-02 09:15:00+05:30,10,10,10,10,5\n'.repeat(5000);
    const zone = configFor().zone;
    const limits = limitsFor();
    for (const [objectName, bytes] of [
      ['x.csv', Buffer.from(`timestamp,price\n${rows}`)],
      ['x.csv.gz', gzip(`timestamp,price\n${rows}`)],
    ] as const) {
      const pieces = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) =>
        bytes.subarray(i * 1000, (i + 1) * 1000),
      );
      let closed = false;
      const fileReader = (function* () {
        try {
          yield* pieces;
        } finally {
          closed = true;
        }
      })();
      await expect(readObject(fileReader, { objectName, zone, limits, clock: clockFor() })).rejects.toThrow(
        /missing required columns/,
      );
      expect(closed).toBe(true);

      const stream = Readable.from(pieces);
      await expect(readObject(stream, { objectName, zone, limits, clock: clockFor() })).rejects.toThrow(
        /missing required columns/,
      );
      expect(stream.destroyed).toBe(true);
    }
  });

  it('ignores a byte-order mark and reads CRLF line ends', async () => {
    const text = `\uFEFF${HEADER}\r\n2017-01-02 09:15:00+05:30,10,10,10,10,5\r\n2017-01-02 09:16:00+05:30,10,10,10,11,6\r\n`;
    expect(acceptedBars(await readText(text))).toEqual([
      ['TEST', '2017-01-02T03:45:00Z', 10, 5, 2],
      ['TEST', '2017-01-02T03:46:00Z', 11, 6, 3],
    ]);
  });

  it('reads multi-byte UTF-8 split across chunks', async () => {
    const text = `timestamp,open,high,low,close,volume,ticker\n2017-01-02 09:15:00+05:30,10,10,10,10,5,ÄÖÜ株\n`;
    const result = await readText(text, 'x.csv', {}, 1);
    expect(result.report.symbols).toEqual(['ÄÖÜ株']);
  });
});
