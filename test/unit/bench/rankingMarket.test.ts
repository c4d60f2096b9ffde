/** bench:ranking's market: the same seed, the same bytes; the planted events where the truth says they are. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMarket } from '../../../bench/rankingMarket.js';

const shape = { symbols: 4, days: 2, seed: 9, manipulations: 8, shocks: 2, news: 2 };

/** A file's bars by minute since the epoch: [close, volume]. */
function barsOf(file: string): Map<number, [number, number]> {
  const bars = new Map<number, [number, number]>();
  for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [timestamp, , , , close, volume] = line.split(',');
    bars.set(Date.parse(timestamp!.replace(' ', 'T')) / 60_000, [Number(close), Number(volume)]);
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
