/**
 * Contract §1, Limits: each limit just under (accepted) and just over (rejected with its reason), and the
 * reading stopping early, with memory bounded, on an object far past one.
 */
import { describe, expect, it } from 'vitest';
import type { IngestLimits } from '../../../shared/core/ingestLimits.js';
import { readObject } from '../../../shared/objects/readObject.js';
import { ObjectRejectedError } from '../../../shared/core/report.js';
import { clockFor, configFor, gzip, limitsFor, readText } from '../../helpers/read.js';

const HEADER = 'timestamp,open,high,low,close,volume,note';
const ROW = '2017-01-02 09:15:00+05:30,10,10,10,10,5,';
const NAME = 'TEST__EQ__NSE__NSE__MINUTE.csv';

/** A valid row of exactly `bytes` bytes (its note padded), minute `minute` after 09:15. */
function rowOf(bytes: number, minute = 0, pad = 'x'): string {
  const row = ROW.replace('09:15', `09:${String(15 + minute).padStart(2, '0')}`);
  const padBytes = Buffer.byteLength(pad);
  const padding = bytes - row.length;
  if (padding % padBytes !== 0) throw new Error(`cannot pad to ${bytes} bytes with ${pad}`);
  return row + pad.repeat(padding / padBytes);
}

/** Reads `text` with `limits` in pieces of every size in `chunkSizes`: the outcome must not depend on them. */
async function readEach(
  text: string | Buffer,
  limits: Partial<IngestLimits>,
  chunkSizes = [1, 7, 1 << 16],
  name = NAME,
) {
  const outcomes = await Promise.all(
    chunkSizes.map((size) =>
      readText(text, name, {}, size, limits).then(
        (bars) => ({ accepted: bars.report.accepted, error: undefined as string | undefined }),
        (error: unknown) => {
          if (!(error instanceof ObjectRejectedError)) throw error;
          return { accepted: undefined as number | undefined, error: error.message };
        },
      ),
    ),
  );
  for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
  return outcomes[0]!;
}

describe('the defaults', () => {
  it('are those of the registry (variables.ts)', () => {
    expect(limitsFor()).toEqual({
      maxLineBytes: 65536,
      maxObjectBytes: 1073741824,
      maxRows: 18000000,
      maxSymbols: 10000,
      maxSetAside: 1000000,
    });
  });
});

describe('MAX_LINE_BYTES', () => {
  const limits = { maxLineBytes: 100 };

  it('accepts a line of exactly the limit, without its line end (LF or CRLF)', async () => {
    expect(await readEach(`${HEADER}\n${rowOf(100)}\n`, limits)).toEqual({ accepted: 1, error: undefined });
    expect(await readEach(`${HEADER}\r\n${rowOf(100)}\r\n`, limits)).toEqual({
      accepted: 1,
      error: undefined,
    });
    expect(await readEach(`${HEADER}\n${rowOf(100)}`, limits)).toEqual({ accepted: 1, error: undefined });
  });

  it('rejects a line one byte longer, naming it', async () => {
    const reason = 'line 3 is longer than 100 bytes (MAX_LINE_BYTES)';
    for (const text of [
      `${HEADER}\n${rowOf(100)}\n${rowOf(101, 1)}\n${rowOf(50, 2)}\n`,
      `${HEADER}\r\n${rowOf(100)}\r\n${rowOf(101, 1)}\r\n`,
      `${HEADER}\n${rowOf(100)}\n${rowOf(101, 1)}`,
    ]) {
      expect(await readEach(text, limits)).toEqual({ accepted: undefined, error: reason });
    }
  });

  it('counts bytes of UTF-8, not characters', async () => {
    // 'é' is two bytes: 40 + 30 × 2 = 100 bytes in 70 characters.
    expect(await readEach(`${HEADER}\n${rowOf(100, 0, 'é')}\n`, limits)).toEqual({
      accepted: 1,
      error: undefined,
    });
    expect(await readEach(`${HEADER}\n${rowOf(102, 0, 'é')}\n`, limits)).toEqual({
      accepted: undefined,
      error: 'line 2 is longer than 100 bytes (MAX_LINE_BYTES)',
    });
  });

  it('holds the header to it too', async () => {
    const header = `${HEADER},${'y'.repeat(100)}`;
    expect(await readEach(`${header}\n${rowOf(50)}x\n`, limits)).toEqual({
      accepted: undefined,
      error: 'line 1 is longer than 100 bytes (MAX_LINE_BYTES)',
    });
  });

  it('counts a record with quoted line breaks whole, from the line it starts on', async () => {
    const note = `"${'n'.repeat(30)}\n${'n'.repeat(30)}\n${'n'.repeat(30)}"`; // three short lines, one record
    const under = `${HEADER}\n${ROW}${'n'.repeat(10)}\n${ROW.replace('09:15', '09:16')}"${'n'.repeat(25)}\n${'n'.repeat(25)}"\n`;
    expect(await readEach(under, limits)).toEqual({ accepted: 2, error: undefined });
    const over = `${HEADER}\n${rowOf(50)}\n${ROW.replace('09:15', '09:16')}${note}\n${rowOf(50, 2)}\n`;
    expect(await readEach(over, limits)).toEqual({
      accepted: undefined,
      error: 'line 3 is longer than 100 bytes (MAX_LINE_BYTES)',
    });
  });

  it('rejects at its line a quote left open that runs on past the limit', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => rowOf(50, i + 1)).join('\n');
    const text = `${HEADER}\n${rowOf(50)}\n2017-01-02 09:59:00+05:30,"10,10,10,10,5,\n${rows}\n`;
    expect(await readEach(text, limits)).toEqual({
      accepted: undefined,
      error: 'line 3 is longer than 100 bytes (MAX_LINE_BYTES)',
    });
  });

  it('rejects a 10 MB line early, in 64 KiB pieces, holding no more than about the limit', async () => {
    const piece = Buffer.alloc(1 << 16, 'x');
    const pieces = (10 << 20) / piece.length;
    let read = 0;
    const source = (function* () {
      yield Buffer.from(`${HEADER}\n${ROW}`);
      for (let i = 0; i < pieces; i++) {
        read++;
        yield piece;
      }
    })();
    const heapBefore = process.memoryUsage().heapUsed;
    await expect(
      readObject(source, {
        objectName: NAME,
        zone: configFor().zone,
        limits: limitsFor(),
        clock: clockFor(),
      }),
    ).rejects.toThrow(new ObjectRejectedError('line 2 is longer than 65536 bytes (MAX_LINE_BYTES)'));
    // The first piece already takes the line past 64 KiB: the other 159 are never read.
    expect(read).toBe(1);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 << 20);
  });

  it('rejects a 10 MB line that comes as a single piece', async () => {
    const text = `${HEADER}\n${ROW}${'x'.repeat(10 << 20)}\n${rowOf(50, 1)}\n`;
    await expect(readText(text, NAME, {}, text.length)).rejects.toThrow(
      'line 2 is longer than 65536 bytes (MAX_LINE_BYTES)',
    );
  });
});

describe('MAX_OBJECT_BYTES', () => {
  const text = `${HEADER}\n${rowOf(50)}\n${rowOf(50, 1)}\n`;
  const bytes = Buffer.byteLength(text);

  it('accepts an object of exactly the limit, plain or gzipped', async () => {
    expect(await readEach(text, { maxObjectBytes: bytes })).toEqual({ accepted: 2, error: undefined });
    expect(await readEach(gzip(text), { maxObjectBytes: bytes }, [1, 7, 1 << 16], `${NAME}.gz`)).toEqual({
      accepted: 2,
      error: undefined,
    });
  });

  it('rejects one byte more, plain or gzipped', async () => {
    const reason = `object is larger than ${bytes - 1} bytes (MAX_OBJECT_BYTES)`;
    expect(await readEach(text, { maxObjectBytes: bytes - 1 })).toEqual({
      accepted: undefined,
      error: reason,
    });
    expect(await readEach(gzip(text), { maxObjectBytes: bytes - 1 }, [1, 7, 1 << 16], `${NAME}.gz`)).toEqual({
      accepted: undefined,
      error: reason,
    });
  });

  it('rejects a small gzip that expands past it, without gunzipping the rest', async () => {
    // 24 MB of rows compress to a few dozen KiB: a gzip bomb in miniature.
    const rows = `${rowOf(48)}\n`.repeat(500_000);
    const compressed = gzip(`${HEADER}\n${rows}`);
    expect(compressed.length).toBeLessThan(1 << 20);
    const piece = 1024;
    let read = 0;
    const source = (function* () {
      for (let at = 0; at < compressed.length; at += piece) {
        read += piece;
        yield compressed.subarray(at, at + piece);
      }
    })();
    await expect(
      readObject(source, {
        objectName: NAME,
        zone: configFor().zone,
        limits: limitsFor({ maxObjectBytes: 1 << 20 }),
        clock: clockFor(),
      }),
    ).rejects.toThrow('object is larger than 1048576 bytes (MAX_OBJECT_BYTES)');
    expect(read).toBeLessThan(compressed.length / 4);
  });
});

describe('MAX_ROWS_PER_OBJECT', () => {
  // Three data rows, one of them bad, and blank lines, which are not rows.
  const text = `${HEADER}\n\n${rowOf(50)}\n\nyesterday,1,1,1,1,1,\n${rowOf(50, 1)}\n\n`;

  it('accepts exactly the limit of data rows, bad ones included, blank lines not counted', async () => {
    expect(await readEach(text, { maxRows: 3 })).toEqual({ accepted: 2, error: undefined });
  });

  it('rejects one row more', async () => {
    expect(await readEach(text, { maxRows: 2 })).toEqual({
      accepted: undefined,
      error: 'object has more than 2 rows (MAX_ROWS_PER_OBJECT)',
    });
  });
});

describe('MAX_SYMBOLS_PER_OBJECT', () => {
  const text = [
    'symbol,timestamp,open,high,low,close,volume',
    'AAA,2017-01-02 09:15:00+05:30,1,1,1,1,1',
    'BBB,2017-01-02 09:15:00+05:30,1,1,1,1,1',
    'AAA,2017-01-02 09:16:00+05:30,1,1,1,1,1',
    'CCC,yesterday,1,1,1,1,1', // set aside, but it names a symbol
  ].join('\n');

  it('accepts exactly the limit of symbols', async () => {
    expect(await readEach(text, { maxSymbols: 3 })).toEqual({ accepted: 3, error: undefined });
  });

  it('rejects one symbol more, counting every symbol a row names', async () => {
    expect(await readEach(text, { maxSymbols: 2 })).toEqual({
      accepted: undefined,
      error: 'object has more than 2 symbols (MAX_SYMBOLS_PER_OBJECT)',
    });
  });

  it("counts the object name's symbol once", async () => {
    expect(await readEach(`${HEADER}\n${rowOf(50)}\n${rowOf(50, 1)}\n`, { maxSymbols: 1 })).toEqual({
      accepted: 2,
      error: undefined,
    });
  });
});

describe('MAX_SET_ASIDE_ROWS', () => {
  const text = [
    'symbol,timestamp,open,high,low,close,volume',
    'AAA,2017-01-02 09:15:00+05:30,1,1,1,1,1',
    'AAA,yesterday,1,1,1,1,1', // bad
    'AAA,2017-01-02 09:15:00+05:30,1,1,1,1,1', // duplicate
    'AAA,2017-01-02 09:16:00+05:30,1,1,1,1,1',
  ].join('\n');

  it('accepts exactly the limit of rows set aside, bad and duplicate together', async () => {
    expect(await readEach(text, { maxSetAside: 2 })).toEqual({ accepted: 2, error: undefined });
  });

  it('rejects one more', async () => {
    expect(await readEach(text, { maxSetAside: 1 })).toEqual({
      accepted: undefined,
      error: 'object has more than 1 bad or duplicate rows (MAX_SET_ASIDE_ROWS)',
    });
  });
});
