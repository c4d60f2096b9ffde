/**
 * Contract §6: the score is deterministic, and like the alerts (§2) it is that of each symbol's bars in minute
 * order whatever order the objects come in: the same files in another order, or cut into pieces and shuffled, or
 * read by one thread or two, give the same episodes to the last byte. The data set is the other tests' cases side
 * by side, so its scores are known by hand: the market's share (market.test.ts) on 2017-01-09, the open and
 * midday (usualBaseline.test.ts) and the zero usual (liquidity.test.ts) on 2017-01-02 to 2017-01-05, far enough
 * apart not to be one another's market.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  barsCsv,
  DAY,
  EARLIER_DATES,
  episodesText,
  parseEpisodes,
  session,
  writeFiles,
  type Bar,
} from '../../../helpers/scoreBars.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const MARKET_DATE = '2017-01-09';
const heavyOpen = (time: string) => (time < '04:00' ? 5000 : 1000);
const jump = (to: string) => session(MARKET_DATE, { bars: 40, changes: { '04:25': [to], '04:26': ['100'] } });
const usualDays = (volume: number | ((time: string) => number)) =>
  EARLIER_DATES.flatMap((date) => session(date, { volume }));

/** Each symbol's bars, in minute order. */
const symbols: Array<[string, Bar[]]> = [
  ['JUMP', jump('102')],
  ...Array.from({ length: 6 }, (_, i): [string, Bar[]] => [`P${i + 1}`, jump('101.5')]),
  [
    'OPEN',
    [
      ...usualDays(heavyOpen),
      ...session(DAY, { volume: heavyOpen, changes: { '03:51': ['102', 5000], '03:52': ['100', 5000] } }),
    ],
  ],
  [
    'MIDDAY',
    [
      ...usualDays(heavyOpen),
      ...session(DAY, { volume: heavyOpen, changes: { '04:31': ['102', 5000], '04:32': ['100', 5000] } }),
    ],
  ],
  ['NEVER', [...usualDays(0), ...session(DAY, { volume: 0, changes: { '04:31': ['100.1', 20] } })]],
  ['ONE', [...usualDays(1), ...session(DAY, { volume: 1, changes: { '04:31': ['100.1', 20] } })]],
];
/** The scores worked out by hand in the other tests. */
const SCORES = {
  JUMP: 3.4,
  P1: 0,
  P2: 0,
  P3: 0,
  P4: 0,
  P5: 0,
  P6: 0,
  MIDDAY: 66.8,
  NEVER: 23.7,
  ONE: 36.9,
  OPEN: 44.9,
};

/** A little generator of its own (xorshift), so that the orders are the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One file per symbol, in the order above. */
const wholeFiles = writeFiles(symbols.map(([symbol, bars]) => [`${symbol}.csv`, barsCsv(bars)]));
/**
 * Each symbol's bars in four pieces (`SYMBOL__pN.csv`), cut at a third, a half and seven eighths (across days for
 * the symbols of four days), and the middle piece sent again (repeats: never detected).
 */
const pieces = writeFiles(
  symbols.flatMap(([symbol, bars]) => {
    const cuts = [
      0,
      Math.floor(bars.length / 3),
      Math.floor(bars.length / 2),
      Math.floor((bars.length * 7) / 8),
    ];
    const parts = cuts.map((from, i) => bars.slice(from, cuts[i + 1] ?? bars.length));
    return [...parts, parts[1]!].map((part, i): [string, string] => [`${symbol}__p${i}.csv`, barsCsv(part)]);
  }),
);

describe('the score whatever the arrival order (contract §2, §6)', () => {
  /** The episodes of the files one per symbol, in the order above: the reference. */
  let once: string;
  beforeAll(async () => {
    once = await episodesText(wholeFiles);
  });

  it('scores the files as the other tests worked out by hand, and the same in the reverse order', async () => {
    const episodes = parseEpisodes(once);
    expect(Object.fromEntries(episodes.map((episode) => [episode.symbol, episode.score]))).toEqual(SCORES);
    expect(episodes).toHaveLength(Object.keys(SCORES).length);
    expect(await episodesText([...wholeFiles].reverse())).toBe(once);
  });

  it.each([1, 7, 42])('is the same for the files cut into pieces and shuffled (seed %i)', async (seed) => {
    const order = shuffled(pieces, seed);
    // Some symbol's later piece comes before an earlier one: its bars arrive late.
    const names = order.map((piece) => path.basename(piece));
    expect(
      names.some((name, i) =>
        names.slice(i + 1).some((later) => later < name && later.split('__')[0] === name.split('__')[0]),
      ),
    ).toBe(true);
    expect(await episodesText(order)).toBe(once);
  });

  it('is the same with two read threads as with one (the compiled CLI, from `npm run build`)', async () => {
    // In-process the CLI runs from the TypeScript sources and reads on the main thread, as `--workers 1` does;
    // read workers need the compiled CLI, run here as its own process. A stale build fails here too.
    const bin = path.join(ROOT, 'bin', 'stock-anomalies.js');
    expect(
      existsSync(path.join(ROOT, 'dist', 'cli', 'detect', 'readWorker.js')),
      'read workers need the compiled CLI: run `npm run build` first',
    ).toBe(true);
    // The whole files (pieces that arrive late are read a second time, which doubles the run's time).
    const order = [...wholeFiles].reverse();
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'score-workers-')), 'episodes.jsonl');
    const run = spawnSync(
      process.execPath,
      [bin, 'detect', '--workers', '2', '--format', 'jsonl', '--episodes', out, ...order],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(once);
  });
});
