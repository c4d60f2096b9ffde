/** bench:ranking's market: the same seed, the same bytes; the planted events where the truth says they are. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plantInto, writeMarket } from '../../../bench/rankingMarket.js';
import { parsePeerGroups } from '../../../shared/core/suspicion/peerGroups.js';
import { parseTruthCsv } from '../../../shared/core/truthFile.js';
import { writeFileSync } from 'node:fs';

const shape = { symbols: 4, days: 2, seed: 9, manipulations: 8, shocks: 2, news: 2 };

/** A file's bars by minute since the epoch: [close, volume]. */
function barsOf(file: string): Map<number, [number, number]> {
  const bars = new Map<number, [number, number]>();
  for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [timestamp, , , , close, volume] = line.split(',');
    // With an offset (the market's IST) as written; without one (the real series'), UTC.
    const iso = timestamp!.replace(' ', 'T');
    bars.set(Date.parse(/[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`) / 60_000, [
      Number(close),
      Number(volume),
    ]);
  }
  return bars;
}

describe('the ranking benchmark market', () => {
  it('is the same bytes for the same seed, with every session whole', () => {
    const a = writeMarket(mkdtempSync(join(tmpdir(), 'market-')), shape);
    const b = writeMarket(mkdtempSync(join(tmpdir(), 'market-')), shape);
    expect(a.files.map((file) => readFileSync(file, 'utf8'))).toEqual(
      b.files.map((file) => readFileSync(file, 'utf8')),
    );
    expect(a.bars).toBe(4 * 2 * 375);
    expect(a.planted).toHaveLength(8);
    expect(a.planted).toEqual(b.planted);
  });

  it('writes its truth beside its files, the planted and the legitimate events as they were planted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'market-'));
    const market = writeMarket(dir, shape);
    expect(market.truthFile).toBe(join(dir, 'truth.csv'));
    expect(parseTruthCsv(readFileSync(market.truthFile, 'utf8'))).toEqual({
      planted: market.planted,
      legitimate: market.legitimate,
    });
  });

  it('puts each planted event in its stock at its minutes: a spike reverts, a burst is heavy on a flat price', () => {
    const market = writeMarket(mkdtempSync(join(tmpdir(), 'market-')), shape);
    const fileOf = (symbol: string) => market.files.find((file) => file.includes(`${symbol}__`))!;
    for (const event of market.planted) {
      const bars = barsOf(fileOf(event.symbol!));
      const before = bars.get(event.start - 1)!;
      if (event.kind === 'spike-and-revert') {
        // +2% in the first minute (to the cent), back within 0.1% of the start the next.
        expect(bars.get(event.start)![0] / before[0]).toBeCloseTo(1.0202, 2);
        expect(bars.get(event.end)![0] / before[0]).toBeCloseTo(1, 2);
      }
      if (event.kind === 'volume-burst') {
        for (let minute = event.start; minute <= event.end; minute++) {
          expect(bars.get(minute)![0]).toBeCloseTo(before[0], 1);
        }
      }
    }
  });
});

describe("the ranking benchmark market's sectors", () => {
  it('moves a whole sector at a sector shock, leaves every other bar as the market without them, lists the sectors', () => {
    const plain = { ...shape, symbols: 12 };
    const without = writeMarket(mkdtempSync(join(tmpdir(), 'market-')), plain);
    const withShocks = writeMarket(mkdtempSync(join(tmpdir(), 'market-')), { ...plain, sectorShocks: 2 });
    const shocks = withShocks.legitimate.filter((event) => event.kind === 'sector-shock');
    // Stock i is in sector i % 6: two stocks a sector, so each shock is two events, one a stock.
    expect(shocks).toHaveLength(4);
    expect(withShocks.planted).toEqual(without.planted);
    withShocks.files.forEach((file, i) => {
      const symbol = `S${String(i).padStart(3, '0')}`;
      const mine = shocks.filter((event) => event.symbol === symbol).map((event) => event.start);
      const before = barsOf(without.files[i]!);
      const after = barsOf(file);
      for (const [minute, bar] of after) {
        // A shock's minute is changed for its sector's stocks; every minute before the first is not.
        if (mine.length === 0 || minute < Math.min(...mine)) expect(bar).toEqual(before.get(minute));
      }
      for (const minute of mine) {
        // The sector's move is 1.5% to 3%, the stock's own minute noise much less; its volume 3 to 5 times (an
        // illiquid stock's minute that traded nothing stays at nothing).
        const move = Math.abs(Math.log(after.get(minute)![0] / after.get(minute - 1)![0]));
        expect(move).toBeGreaterThan(0.01);
        expect(after.get(minute)![1]).toBeGreaterThanOrEqual(2.9 * before.get(minute)![1]);
      }
    });
    const groups = parsePeerGroups(readFileSync(withShocks.peerGroupsFile!, 'utf8'));
    expect([...groups]).toEqual(
      Array.from({ length: 12 }, (_, i) => [`S${String(i).padStart(3, '0')}`, `sector${i % 6}`]).sort(
        (a, b) => a[1]!.localeCompare(b[1]!) || a[0]!.localeCompare(b[0]!),
      ),
    );
  });
});

describe('manipulations planted into a real series', () => {
  it('rewrites the bars the truth names, far apart, and leaves every other bar as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'real-'));
    const file = join(dir, 'X.csv');
    // Two days of a market that trades around the clock: a flat 100 on a volume of 10.
    const rows = Array.from({ length: 2880 }, (_, i) => {
      const at = new Date(Date.UTC(2022, 0, 1) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      return `${at},100,100,100,100,10`;
    });
    writeFileSync(file, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const market = plantInto(file, join(dir, 'out'), 4, 4, 'X');
    expect(market.planted.map((event) => event.kind)).toEqual([
      'pump-and-dump',
      'marking-the-close',
      'volume-burst',
      'spike-and-revert',
    ]);
    const bars = barsOf(market.files[0]!);
    const inside = (minute: number) => market.planted.some((e) => e.start <= minute && minute <= e.end + 1);
    for (const [minute, bar] of bars) if (!inside(minute)) expect(bar).toEqual([100, 10]);
    const close = market.planted.find((event) => event.kind === 'marking-the-close')!;
    // The last six minutes of a UTC day, pushed up 0.3% a minute on five times the median volume.
    expect(new Date((close.end + 1) * 60_000).toISOString().slice(11, 16)).toBe('00:00');
    expect(bars.get(close.end)).toEqual([101.82, 50]);
    const spike = market.planted.find((event) => event.kind === 'spike-and-revert')!;
    expect(bars.get(spike.start)![0]).toBe(102.02);
  });
});
