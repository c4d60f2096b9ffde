/**
 * Alerts written out as soon as a symbol's last file is done (cli/detect/fileSymbols.ts): only where every file's
 * symbol comes from its name, and the output the same as where it cannot (the same rows with a symbol column, so
 * that every alert waits for the end), whatever the order of the files, a symbol in two files, or out of order;
 * and written while files are still to be read (a file deleted as the first alert comes out is then missed).
 */
import { existsSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lastFileOfEach, nameSymbolOf } from '../../../cli/detect/fileSymbols.js';
import { ingestLimitsFromEnv } from '../../../shared/config/ingestSettings.js';
import { readerClock } from '../../../shared/core/readerClock.js';
import { ZoneOffsets } from '../../../shared/core/timestamp.js';
import { main } from '../../../cli/main.js';
import { runCli } from '../../helpers/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'detect-early-'));
const reading = {
  zone: new ZoneOffsets('Asia/Kolkata'),
  limits: ingestLimitsFromEnv({}),
  clock: readerClock(Date.now(), 0),
};
const HEADER = 'timestamp,open,high,low,close,volume';

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Minute bars from 03:45 UTC on 2017-01-02 + `day` days, each close 1% away from the one before. */
function rows(day: number, count: number, symbol?: string): string[] {
  return Array.from({ length: count }, (_, i) => {
    const minute = new Date(Date.UTC(2017, 0, 2 + day, 3, 45 + i)).toISOString().replace('.000', '');
    const close = i % 2 === 0 ? '100' : '101';
    return `${symbol === undefined ? '' : `${symbol},`}${minute},${close},${close},${close},${close},${1000 + 10 * i}`;
  });
}

describe("a file's symbol from its header", () => {
  it('is the name’s where the header has no symbol column, gzipped or not, blank lines before it', async () => {
    expect(
      await nameSymbolOf(file('ACME__EQ__NSE.csv', `${HEADER}\n${rows(0, 2).join('\n')}\n`), reading),
    ).toBe('ACME');
    expect(
      await nameSymbolOf(file('ZED.csv.gz', gzipSync(`${HEADER}\n${rows(0, 2).join('\n')}\n`)), reading),
    ).toBe('ZED');
    expect(await nameSymbolOf(file('BLANK.csv', `\n\n${HEADER}\n`), reading)).toBe('BLANK');
  });

  it('is unknown with a symbol column, a header missing columns, a name that gives no valid symbol, or no file', async () => {
    expect(
      await nameSymbolOf(file('COL.csv', `symbol,${HEADER}\n${rows(0, 2, 'X').join('\n')}\n`), reading),
    ).toBe(undefined);
    expect(await nameSymbolOf(file('HALF.csv', 'timestamp,close\n'), reading)).toBe(undefined);
    expect(await nameSymbolOf(file('BAD SYMBOL.csv', `${HEADER}\n`), reading)).toBe(undefined);
    expect(await nameSymbolOf(file('EMPTY.csv', ''), reading)).toBe(undefined);
    expect(await nameSymbolOf(join(dir, 'missing.csv'), reading)).toBe(undefined);
  });

  it("gives each symbol's last file, or nothing when any file may hold any symbol", async () => {
    const a1 = file('A__1.csv', `${HEADER}\n`);
    const b = file('B__1.csv', `${HEADER}\n`);
    const a2 = file('A__2.csv', `${HEADER}\n`);
    const column = file('C__1.csv', `symbol,${HEADER}\n`);
    expect(await lastFileOfEach([a1, b, a2], reading)).toEqual(
      new Map([
        ['A', 2],
        ['B', 1],
      ]),
    );
    expect(await lastFileOfEach([a1, column, b], reading)).toBe(undefined);
  });
});

describe('detect writing alerts early', () => {
  // B first (out of the output's order); A in two files, in order: written out after its second; C in two, the
  // second holding earlier minutes than the first (disordered: detected again at the end, and D after it waits).
  const layout: Array<{ name: string; symbol: string; day: number }> = [
    { name: 'B__x.csv', symbol: 'B', day: 1 },
    { name: 'A__x.csv', symbol: 'A', day: 1 },
    { name: 'C__x.csv', symbol: 'C', day: 2 },
    { name: 'A__y.csv', symbol: 'A', day: 2 },
    { name: 'D__x.csv', symbol: 'D', day: 1 },
    { name: 'C__y.csv', symbol: 'C', day: 1 },
  ];
  const named = layout.map(({ name, day }) => file(name, `${HEADER}\n${rows(day, 30).join('\n')}\n`));
  // The same names (an alert names its object), in a directory of their own.
  const columnDir = mkdtempSync(join(dir, 'column-'));
  const withColumn = layout.map(({ name, symbol, day }) => {
    const path = join(columnDir, name);
    writeFileSync(path, `symbol,${HEADER}\n${rows(day, 30, symbol).join('\n')}\n`);
    return path;
  });

  for (const format of ['jsonl', 'csv']) {
    it(`writes the same ${format} as when every alert waits for the end, its header once`, async () => {
      const early = await runCli(['detect', '--format', format, ...named]);
      const atEnd = await runCli(['detect', '--format', format, ...withColumn]);
      expect(early.code, early.stderr).toBe(0);
      expect(atEnd.code, atEnd.stderr).toBe(0);
      expect(early.stdout).toBe(atEnd.stdout);
      const lines = early.stdout.split('\n').filter((line) => line !== '');
      // Every symbol alerts (each bar 1% from the one before), A's two days among them.
      expect(lines.length).toBeGreaterThan(100);
      if (format === 'csv') {
        expect(lines.filter((line) => line.startsWith('symbol,')).length).toBe(1);
        expect(lines[0]!.startsWith('symbol,')).toBe(true);
      }
    });
  }

  it('writes them in symbol order whatever the order of the files', async () => {
    const run = await runCli(['detect', '--format', 'jsonl', ...named]);
    const symbols = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { symbol: string }).symbol);
    expect([...new Set(symbols)]).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('detect writing alerts before the reading is over', () => {
  /**
   * Runs detect (reading on this thread, one file after the other: the tests run without compiled workers) with
   * a stdout that deletes `last` as the first bytes reach it. Where alerts are written as their symbol's last
   * file is done, that is before `last` is read, which then cannot be; where they wait for the end, after.
   */
  async function deletingOnFirstOutput(files: string[], last: string) {
    let firstWrite: { lastExisted: boolean } | undefined;
    const out: Buffer[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (firstWrite === undefined) {
          firstWrite = { lastExisted: existsSync(last) };
          unlinkSync(last);
        }
        out.push(Buffer.from(chunk));
        callback();
      },
    });
    const err: Buffer[] = [];
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        err.push(Buffer.from(chunk));
        callback();
      },
    });
    const code = await main(['detect', '--format', 'jsonl', ...files], {
      stdout,
      stderr,
      env: {},
      exitCode: 0,
    });
    const symbols = new Set(
      Buffer.concat(out)
        .toString()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { symbol: string }).symbol),
    );
    return { code, stderr: Buffer.concat(err).toString(), symbols, firstWrite };
  }

  it("writes a symbol's alerts before the files after its last one are read", async () => {
    const early = mkdtempSync(join(dir, 'early-'));
    const files = ['A', 'B', 'C'].map((symbol) => {
      const path = join(early, `${symbol}__x.csv`);
      writeFileSync(path, `${HEADER}\n${rows(1, 30).join('\n')}\n`);
      return path;
    });
    const run = await deletingOnFirstOutput(files, files[2]!);
    // A's alerts went out once its file was done: C's file was gone when its turn came.
    expect(run.firstWrite).toEqual({ lastExisted: true });
    expect(run.stderr).toMatch(/C__x\.csv.*no such file/);
    expect(run.code).not.toBe(0);
    expect([...run.symbols]).toEqual(['A', 'B']);
  });

  it('writes nothing before the end where any file may hold any symbol (the control)', async () => {
    const atEnd = mkdtempSync(join(dir, 'at-end-'));
    const files = ['A', 'B', 'C'].map((symbol) => {
      const path = join(atEnd, `${symbol}__x.csv`);
      writeFileSync(path, `symbol,${HEADER}\n${rows(1, 30, symbol).join('\n')}\n`);
      return path;
    });
    const run = await deletingOnFirstOutput(files, files[2]!);
    expect(run.code, run.stderr).toBe(0);
    expect([...run.symbols]).toEqual(['A', 'B', 'C']);
  });
});
