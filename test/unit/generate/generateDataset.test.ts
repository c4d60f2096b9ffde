import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FAULT_RATES,
  FAULT_KINDS,
  generateDataset,
  GenerateOptionsError,
  type FileManifest,
  type Manifest,
} from '../../../cli/generate/index.js';
import { classify, recount, splitLines } from './recount.js';

const HEADER = 'timestamp,open,high,low,close,volume';
/** The real data set's row layout: +05:30 offset, prices with 1–2 decimals on the 0.05 tick, volume like `11.0`. */
const ROW = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):00\+05:30(,\d+\.(?:\d|\d[05])){4},\d+\.0$/;
const FILE_NAME = /^[A-Z0-9_]+__EQ__NSE__NSE__MINUTE\.csv$/;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'generate-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function generate(name: string, options: Omit<Parameters<typeof generateDataset>[0], 'out'>) {
  const out = join(root, name);
  const manifest = await generateDataset({ ...options, out });
  return { out, manifest };
}

async function linesOf(out: string, file: FileManifest): Promise<string[]> {
  const bytes = await readFile(join(out, file.file));
  return splitLines((file.file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
}

/** Ticks (hundredths / 5) of a printed price, without floating point. */
const ticksOf = (text: string): number => {
  const [whole = '', fraction = ''] = text.split('.');
  return (Number(whole) * 100 + Number(fraction.padEnd(2, '0'))) / 5;
};

describe('Function: generateDataset', () => {
  describe('with the default fault rate', () => {
    let out: string;
    let manifest: Manifest;
    beforeAll(async () => {
      ({ out, manifest } = await generate('faulty', { symbols: 6, days: 4, seed: 3 }));
    });

    it('writes one file per symbol in the real layout, plus manifest.json', async () => {
      const names = (await readdir(out)).sort();
      expect(names).toEqual([...manifest.files.map((file) => file.file), 'manifest.json'].sort());
      for (const file of manifest.files) {
        expect(file.file).toMatch(FILE_NAME);
        expect(file.file.startsWith(`${file.symbol}__`)).toBe(true);
        expect(file.symbol).toMatch(/^[A-Z0-9_]+$/);
        expect((await linesOf(out, file))[0]).toBe(HEADER);
      }
      expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    });

    it('agrees with an independent recount of every file', async () => {
      for (const file of manifest.files) {
        const lines = await linesOf(out, file);
        const count = recount(lines.slice(1));
        const { expected } = file;
        expect(lines.length).toBe(file.lines);
        expect(count.dataRows).toBe(expected.dataRows);
        expect(count.accepted).toBe(expected.accepted);
        expect(count.bad).toEqual(expected.bad.byReason);
        expect(Object.values(count.bad).reduce((a, b) => a + b, 0)).toBe(expected.bad.count);
        expect([count.duplicates, count.conflicting]).toEqual([
          expected.duplicates.count,
          expected.duplicates.conflicting,
        ]);
        expect(count.outOfOrder).toBe(expected.outOfOrder);
        expect(count.gaps).toEqual(expected.gaps);
        expect([count.firstMinute, count.lastMinute]).toEqual([expected.firstMinute, expected.lastMinute]);
        expect(expected.dataRows).toBe(expected.accepted + expected.bad.count + expected.duplicates.count);
      }
    });

    it('lists every planted item where it is in the file', async () => {
      for (const file of manifest.files) {
        const lines = await linesOf(out, file);
        const count = recount(lines.slice(1));
        const at = (line: number) => classify(lines[line - 1] ?? '');
        const acceptedIso = new Set([...count.rows.keys()].map((m) => new Date(m * 60_000).toISOString()));
        for (const item of file.planted) {
          switch (item.kind) {
            case 'bad-row':
              expect(at(item.line)).toEqual({ kind: 'bad', reason: item.reason });
              if (item.mode === 'replaced') {
                // The minute is missing; it is part of a gap when accepted bars of its date lie on both sides.
                const minute = Date.parse(item.minute) / 60_000;
                expect(count.rows.has(minute)).toBe(false);
                const sameDate = [...count.rows.keys()].filter((m) => Math.abs(m - minute) < 375);
                const inside = sameDate.some((m) => m < minute) && sameDate.some((m) => m > minute);
                expect(item.inGap).toBe(inside);
              } else {
                expect(item.inGap).toBeUndefined();
              }
              break;
            case 'duplicate': {
              const copy = at(item.line);
              const original = at(item.originalLine);
              expect(item.originalLine).toBeLessThan(item.line);
              expect(copy.kind === 'row' && original.kind === 'row' && copy.minute === original.minute).toBe(
                true,
              );
              if (copy.kind === 'row' && original.kind === 'row') {
                expect(copy.values.join() !== original.values.join()).toBe(item.conflicting);
              }
              break;
            }
            case 'shuffled-block':
              expect(item.lastLine - item.firstLine + 1).toBe(item.rows);
              break;
            case 'gap':
              for (let i = 0; i < item.minutes; i++) {
                const minute = new Date(Date.parse(item.firstMinute) + i * 60_000).toISOString();
                expect(acceptedIso.has(minute)).toBe(false);
              }
              break;
            case 'blank-line':
              expect(lines[item.line - 1]).toBe('');
              break;
            case 'zero-volume-stretch':
            case 'mid-session-listing':
              break;
          }
        }
      }
    });

    it('plants every kind of fault and sums the files into the totals', () => {
      for (const kind of FAULT_KINDS) expect(manifest.totals.faults[kind]).toBeGreaterThan(0);
      const sum = (pick: (file: FileManifest) => number) =>
        manifest.files.reduce((total, f) => total + pick(f), 0);
      expect(manifest.totals.expected.dataRows).toBe(sum((f) => f.expected.dataRows));
      expect(manifest.totals.expected.accepted).toBe(sum((f) => f.expected.accepted));
      expect(manifest.totals.expected.outOfOrder).toBe(sum((f) => f.expected.outOfOrder));
      expect(manifest.totals.bars).toBe(sum((f) => f.bars));
    });

    it('lists exactly one mid-session listing, at 10:00 IST on the first day', () => {
      const listings = manifest.files.flatMap((file) =>
        file.planted.filter((item) => item.kind === 'mid-session-listing'),
      );
      expect(listings).toEqual([{ kind: 'mid-session-listing', firstMinute: '2017-01-02T04:30:00Z' }]);
    });
  });

  describe('with fault rate 0', () => {
    let out: string;
    let manifest: Manifest;
    beforeAll(async () => {
      ({ out, manifest } = await generate('clean', { symbols: 5, days: 3, seed: 3, faultRate: 0 }));
    });

    it('writes only well-formed rows: 375 a weekday (the listing day from 10:00), in order, on the tick', async () => {
      for (const file of manifest.files) {
        const lines = await linesOf(out, file);
        const perDate = new Map<string, number>();
        let previous = '';
        for (const line of lines.slice(1)) {
          const match = ROW.exec(line);
          expect(match, line).not.toBeNull();
          const [timestamp = '', open = '', high = '', low = '', close = ''] = line.split(',');
          expect(timestamp > previous).toBe(true);
          previous = timestamp;
          const date = match![1]!;
          expect([0, 6]).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
          const time = `${match![2]}:${match![3]}`;
          expect(time >= '09:15' && time <= '15:29').toBe(true);
          const [o, h, l, c] = [open, high, low, close].map(ticksOf) as [number, number, number, number];
          for (const ticks of [o, h, l, c]) expect(Number.isInteger(ticks) && ticks > 0).toBe(true);
          expect(l <= Math.min(o, c) && Math.max(o, c) <= h).toBe(true);
          perDate.set(date, (perDate.get(date) ?? 0) + 1);
        }
        const expected = manifest.tradingDays.map((date, d) => (d === 0 && file.profile.listing ? 330 : 375));
        expect(manifest.tradingDays.map((date) => perDate.get(date))).toEqual(expected);
        expect(lines[1]!.slice(11, 16)).toBe(file.profile.listing ? '10:00' : '09:15');
      }
    });

    it('expects a clean report', () => {
      for (const file of manifest.files) {
        expect(file.expected).toMatchObject({
          dataRows: file.bars,
          accepted: file.bars,
          bad: { count: 0, byReason: {} },
          duplicates: { count: 0, conflicting: 0 },
          outOfOrder: 0,
          gaps: { count: 0, missingMinutes: 0, largest: 0 },
        });
        expect(
          file.planted.every((item) => ['zero-volume-stretch', 'mid-session-listing'].includes(item.kind)),
        ).toBe(true);
      }
    });

    it('has thin stocks with zero-volume stretches and a U-shaped intraday volume', async () => {
      const thin = manifest.files.filter((file) => file.profile.thin);
      expect(thin.length).toBeGreaterThan(0);
      for (const file of thin) expect(file.zeroVolumeBars / file.bars).toBeGreaterThan(0.2);
      expect(thin.some((file) => file.planted.some((item) => item.kind === 'zero-volume-stretch'))).toBe(
        true,
      );
      const liquid = manifest.files.find((file) => !file.profile.thin && !file.profile.listing)!;
      const volumeAt = new Map<string, number>();
      for (const line of (await linesOf(out, liquid)).slice(1)) {
        const fields = line.split(',');
        const time = fields[0]!.slice(11, 16);
        volumeAt.set(time, (volumeAt.get(time) ?? 0) + Number(fields[5]));
      }
      const mean = (from: string, to: string) => {
        const values = [...volumeAt].filter(([time]) => time >= from && time <= to).map(([, v]) => v);
        return values.reduce((a, b) => a + b, 0) / values.length;
      };
      expect(mean('09:15', '09:44')).toBeGreaterThan(1.5 * mean('12:00', '13:00'));
      expect(mean('15:00', '15:29')).toBeGreaterThan(1.2 * mean('12:00', '13:00'));
    });

    it('moves prices more than 0.5 % in a minute now and then, not all the time', async () => {
      let moves = 0;
      let bars = 0;
      for (const file of manifest.files) {
        let previous: number | undefined;
        for (const line of (await linesOf(out, file)).slice(1)) {
          const close = ticksOf(line.split(',')[4]!);
          if (previous !== undefined && Math.abs(close - previous) * 200 > previous) moves++;
          previous = close;
          bars++;
        }
      }
      expect(moves / bars).toBeGreaterThan(0.001);
      expect(moves / bars).toBeLessThan(0.05);
    });

    it('keeps the market data of the faulty run: every accepted faulty row is a clean row', async () => {
      const { out: faultyOut, manifest: faulty } = await generate('faulty-same-seed', {
        symbols: 5,
        days: 3,
        seed: 3,
        faultRate: 5,
      });
      for (const [index, file] of faulty.files.entries()) {
        const clean = new Set((await linesOf(out, manifest.files[index]!)).slice(1));
        const lines = (await linesOf(faultyOut, file)).slice(1);
        for (const { line } of recount(lines).rows.values()) expect(clean.has(lines[line - 2]!)).toBe(true);
      }
    });
  });

  it('gives the same bytes for the same seed, other data for another, the same text gzipped or not', async () => {
    const options = { symbols: 3, days: 2, gzip: true };
    const a = await generate('seed-a', { ...options, seed: 11 });
    const b = await generate('seed-b', { ...options, seed: 11 });
    const c = await generate('seed-c', { ...options, seed: 12 });
    expect(b.manifest).toEqual(a.manifest);
    for (const file of a.manifest.files) {
      expect(file.file.endsWith('.csv.gz')).toBe(true);
      expect(await readFile(join(b.out, file.file))).toEqual(await readFile(join(a.out, file.file)));
    }
    expect(await readFile(join(b.out, 'manifest.json'))).toEqual(
      await readFile(join(a.out, 'manifest.json')),
    );
    expect(c.manifest.files.map((file) => file.symbol)).not.toEqual(
      a.manifest.files.map((file) => file.symbol),
    );
    const plain = await generate('seed-plain', { ...options, seed: 11, gzip: false });
    for (const [index, file] of plain.manifest.files.entries()) {
      expect(await linesOf(plain.out, file)).toEqual(await linesOf(a.out, a.manifest.files[index]!));
    }
  });

  it('plants faults at the configured rates', async () => {
    const { manifest } = await generate('rates', { symbols: 8, days: 10, seed: 5, faultRate: 4 });
    const bars = manifest.totals.bars;
    for (const kind of FAULT_KINDS) {
      const expected = DEFAULT_FAULT_RATES[kind] * 4 * bars;
      expect(Math.abs(manifest.totals.faults[kind] - expected), kind).toBeLessThanOrEqual(
        manifest.files.length,
      );
    }
    expect(manifest.totals.expected.bad.count).toBe(
      FAULT_KINDS.slice(0, 5).reduce((sum, kind) => sum + manifest.totals.faults[kind], 0),
    );
  });

  it('removes the files of an earlier generated data set it does not rewrite', async () => {
    const first = await generate('rerun', { symbols: 4, days: 1, seed: 1 });
    const second = await generate('rerun', { symbols: 2, days: 1, seed: 2 });
    expect((await readdir(second.out)).sort()).toEqual(
      [...second.manifest.files.map((file) => file.file), 'manifest.json'].sort(),
    );
    expect(first.manifest.files.length).toBe(4);
  });

  it.each([
    { symbols: 0 },
    { days: 1.5 },
    { faultRate: -1 },
    { start: '2017-02-30' },
    { rates: { gap: -1 } },
  ])('rejects %o', async (options) => {
    await expect(generateDataset({ out: join(root, 'never'), ...options })).rejects.toThrow(
      GenerateOptionsError,
    );
  });
});
