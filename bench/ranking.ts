/**
 * `npm run bench:ranking`: how well the episodes' ranking finds manipulation, on markets with manipulations
 * planted at known minutes among realistic noise and legitimate hard cases (bench/rankingMarket.ts). For each
 * data set it runs `detect --episodes` on the files, ranks the episodes, and prints the ranking's average
 * precision, its precision in the top R (R = the events planted), the recall (planted events inside some
 * episode), the market and sector shocks and news jumps in the top R, and each kind's figures
 * (shared/core/rankingQuality.ts). A synthetic market is scored twice: against the whole market, and with its
 * sectors as peer groups (`--peer-groups DIR/peers.txt`).
 *
 * Each data set's files stay in its directory under .bench/ (`ranking-60x10-seed1`, ...) with their truth beside
 * them (`truth.csv`, shared/core/truthFile.ts), so that other settings can be measured on them with
 * `stock-anomalies calibrate --truth DIR/truth.csv DIR/<the CSVs>`.
 *
 * Today's ranking is the baseline: episodes by peak severity (contract §4), the largest first, a null last.
 *
 * Settings: BENCH_RANKING_SEEDS (comma-separated market seeds, default 1,2,3), BENCH_RANKING_SYMBOLS (default 60),
 * BENCH_RANKING_DAYS (default 10), BENCH_RANKING_REAL (`FILE[:ZONE]`: a real series of one symbol, into which the
 * same kinds are planted, once per seed; data nobody here made, so that a ranking is not tuned to the generator).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import Table from 'cli-table3';
import { main as cli } from '../cli/api.js';
import { benchRoot, isMain } from './isolatedStack.js';
import { MANIPULATION_KINDS, plantInto, writeMarket, type MarketShape } from './rankingMarket.js';
import {
  byPeakSeverity,
  byScore,
  rankingFigures,
  type RankingFigures,
} from '../shared/core/rankingQuality.js';

interface EpisodeLine {
  symbol: string;
  start: string;
  end: string;
  peakSeverity: number | null;
  score: number;
}

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** `detect --episodes` on the files: every episode. */
async function episodesOf(
  files: readonly string[],
  out: string,
  options: readonly string[] = [],
): Promise<EpisodeLine[]> {
  const code = await cli(
    ['detect', '--format', 'jsonl', '--no-progress', ...options, '--episodes', out, ...files],
    {
      stdout: sink(),
      stderr: sink(),
      env: process.env,
      exitCode: 0,
    },
  );
  if (code !== 0) throw new Error(`detect exited ${code}`);
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EpisodeLine);
}

export interface RankingRun {
  /** What the data set is. */
  name: string;
  seed: number;
  bars: number;
  episodes: number;
  planted: number;
  /** By ranking: the score (against the whole market), the score with peer groups, peak severity. */
  figures: Record<string, RankingFigures>;
}

export async function benchRanking(shapes: readonly MarketShape[]): Promise<RankingRun[]> {
  const runs: RankingRun[] = [];
  for (const shape of shapes) {
    const dir = join(benchRoot, '.bench', `ranking-${shape.symbols}x${shape.days}-seed${shape.seed}`);
    process.stderr.write(`market seed ${shape.seed}: ${shape.symbols} symbols × ${shape.days} days ...\n`);
    const market = writeMarket(dir, shape);
    const episodes = await episodesOf(market.files, join(dir, 'episodes.jsonl'));
    const withPeers = await episodesOf(market.files, join(dir, 'episodes-peers.jsonl'), [
      '--peer-groups',
      market.peerGroupsFile!,
    ]);
    runs.push({
      name: `market seed ${shape.seed}`,
      seed: shape.seed,
      bars: market.bars,
      episodes: episodes.length,
      planted: market.planted.length,
      figures: {
        score: rankingFigures(byScore(episodes), market.planted, market.legitimate),
        'score, peers': rankingFigures(byScore(withPeers), market.planted, market.legitimate),
        'peak severity': rankingFigures(byPeakSeverity(episodes), market.planted, market.legitimate),
      },
    });
  }
  return runs;
}

/** The same kinds planted into a real series (one symbol's CSV), ranked the same way. */
export async function benchRankingReal(file: string, timezone: string, seed: number): Promise<RankingRun> {
  const symbol = basename(file)
    .split('__')[0]!
    .replace(/\.csv$/, '');
  const dir = join(benchRoot, '.bench', `ranking-real-${symbol}-seed${seed}`);
  process.stderr.write(`real series ${basename(file)}: 40 manipulations planted (seed ${seed}) ...\n`);
  const market = plantInto(file, dir, seed, 40, symbol);
  const episodes = await episodesOf(market.files, join(dir, 'episodes.jsonl'), ['--timezone', timezone]);
  return {
    name: `${symbol} (real) seed ${seed}`,
    seed,
    bars: market.bars,
    episodes: episodes.length,
    planted: market.planted.length,
    figures: {
      score: rankingFigures(byScore(episodes), market.planted, market.legitimate),
      'peak severity': rankingFigures(byPeakSeverity(episodes), market.planted, market.legitimate),
    },
  };
}

export function printRanking(runs: readonly RankingRun[]): void {
  const table = new Table({
    head: [
      'market',
      'ranking',
      'avg precision',
      'precision top R',
      'recall',
      'shocks in top R',
      'sector shocks in top R',
      'news in top R',
      ...MANIPULATION_KINDS.map((kind) => `${kind} found / top R`),
    ],
    style: { head: [], border: [] },
  });
  for (const run of runs) {
    for (const [name, figures] of Object.entries(run.figures)) {
      table.push([
        `${run.name}: ${run.bars.toLocaleString('en-US')} bars, ${run.episodes.toLocaleString('en-US')} episodes, R = ${run.planted}`,
        name,
        figures.averagePrecision.toFixed(3),
        figures.precisionAtR.toFixed(3),
        figures.recall.toFixed(3),
        String(figures.legitimateInTopR['market-shock'] ?? '-'),
        String(figures.legitimateInTopR['sector-shock'] ?? '-'),
        String(figures.legitimateInTopR['news-jump'] ?? '-'),
        ...MANIPULATION_KINDS.map((kind) => {
          const k = figures.byKind[kind];
          return k === undefined ? '-' : `${k.found}/${k.planted} · ${k.inTopR}`;
        }),
      ]);
    }
  }
  console.log(table.toString());
  console.log(
    'avg precision: the mean over the planted events of the precision at the rank each is first found (1: all ' +
      'above every other episode); recall: planted events inside some episode; shocks: market-wide and sector-wide ' +
      "moves, legitimate (episodes in the top R overlapping one); 'score, peers': the sectors as peer groups.",
  );
}

if (isMain(import.meta.url)) {
  const seeds = (process.env.BENCH_RANKING_SEEDS ?? '1,2,3').split(',').map((text) => Number(text.trim()));
  const symbols = Number(process.env.BENCH_RANKING_SYMBOLS ?? 60);
  const days = Number(process.env.BENCH_RANKING_DAYS ?? 10);
  const shapes = seeds.map((seed) => ({
    symbols,
    days,
    seed,
    manipulations: 40,
    shocks: 12,
    news: 12,
    sectorShocks: 12,
  }));
  const runs = await benchRanking(shapes);
  // A real series of your own, `FILE` or `FILE:ZONE` (its exchange time zone; default UTC).
  const real = process.env.BENCH_RANKING_REAL;
  if (real) {
    const [file, timezone = 'UTC'] = real.split(':');
    for (const seed of seeds) runs.push(await benchRankingReal(file!, timezone, seed));
  }
  printRanking(runs);
}
