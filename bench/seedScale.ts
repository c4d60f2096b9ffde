/**
 * `npm run bench:seed`: `detect` at the seed's scale (three years of 150 symbols: 150 files × 750 days, 42M bars),
 * with `--episodes` and plain, beside a yardstick of this machine's speed measured in the same run. The machine's
 * speed moves by up to a half from one hour to the next (50.6 to 76.6 s for the same run in one evening), so a bound
 * in seconds (under 60 s at the seed's scale) means the speed the machine had when it was set. The yardstick is the
 * code of that day (commit {@link YARDSTICK_COMMIT}) doing a run it was timed on that day whose memory is still what
 * it was then: plain detect on every core over 40 files × 50 days of its own generator, 1.25 s and a peak of 287 MiB
 * that day (281 to 299 MiB now). The larger runs timed that day no longer use the memory they did (150 × 200 days on
 * one worker peaked at 246 MiB, now 365 to 399) and slowed by a fifth more than this one, so they measure the
 * memory's behaviour as much as the machine's speed. The quickest of five runs of the yardstick (a run of a second
 * and a half is easily disturbed, and the quickest is the least) against its time then says how much slower (or
 * faster) the machine is, and our figures divided by that are the figures at the bound's speed.
 *
 * The yardstick's source comes from this repository's history (`git archive`), built once with this checkout's
 * TypeScript and packages into .bench/; the data sets are generated once into .bench/ too. The runs take turns,
 * yardstick first, so that a machine busier for a while slows all of them alike. BENCH_RUNS: turns (default 3).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../cli/api.js';
import { median, runChild, type RunFigures } from './childRun.js';

/** The commit main was at when the bound was set, and what its plain detect took that day (see above). */
const YARDSTICK_COMMIT = '0234417';
const YARDSTICK_SECONDS = 1.25;
const YARDSTICK_SYMBOLS = 40;
const YARDSTICK_DAYS = 50;
/** Runs of the yardstick a turn, of which the quickest counts: each is over in about a second. */
const YARDSTICK_RUNS = 5;
const SYMBOLS = 150;
const SEED_DAYS = 750;
const BOUND_SECONDS = 60;

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
if (!(Number.isInteger(RUNS) && RUNS >= 1))
  throw new Error(`BENCH_RUNS: a whole number of turns, at least 1, not '${process.env.BENCH_RUNS}'`);
const root = new URL('../..', import.meta.url).pathname;
const benchDir = join(root, '.bench');

function csvFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(dir, name));
}

/** The yardstick's build: its source from the repository's history, compiled with this checkout's tsc. */
function yardstickBuild(): string {
  const dir = join(benchDir, `yardstick-${YARDSTICK_COMMIT}`);
  const runner = join(dir, 'dist', 'bench', 'detectRunner.js');
  if (existsSync(runner)) return dir;
  process.stderr.write(`building the yardstick, commit ${YARDSTICK_COMMIT}, into ${dir} ...\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['-C', root, 'archive', YARDSTICK_COMMIT], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch (error) {
    // tsc emits despite type errors, which newer packages' types may raise in the old code; only a build
    // without the runner is no yardstick.
    if (!existsSync(runner)) throw error;
    process.stderr.write('the yardstick built with type errors (above): its runner is there, and is used\n');
  }
  return dir;
}

/** A data set, generated once by the given build's generator (seed 7, as bench:detect's). */
async function dataset(
  name: string,
  generate: typeof generateDataset,
  symbols: number,
  days: number,
): Promise<string[]> {
  const dir = join(benchDir, name);
  if (!existsSync(join(dir, 'manifest.json'))) {
    process.stderr.write(`generating ${symbols} symbols × ${days} days into ${dir} ...\n`);
    await generate({ out: dir, symbols, days, seed: 7 });
  }
  return csvFiles(dir);
}

const yardstick = yardstickBuild();
const yardstickApi = (await import(join(yardstick, 'dist', 'cli', 'api.js'))) as {
  generateDataset: typeof generateDataset;
};
const yardstickFiles = await dataset(
  `yardstick-${YARDSTICK_SYMBOLS}x${YARDSTICK_DAYS}`,
  yardstickApi.generateDataset,
  YARDSTICK_SYMBOLS,
  YARDSTICK_DAYS,
);
// The data set bench:detect makes at this size (BENCH_SYMBOLS=150 BENCH_DAYS=750): one for both.
const seedFiles = await dataset(`detect-${SYMBOLS}x${SEED_DAYS}`, generateDataset, SYMBOLS, SEED_DAYS);
const episodesFile = join(benchDir, 'episodes.jsonl');
const ours = join(root, 'dist', 'bench', 'detectRunner.js');

const runs = {
  yardstick: [] as RunFigures[][],
  episodes: [] as RunFigures[],
  plain: [] as RunFigures[],
};
const yardstickRunner = join(yardstick, 'dist', 'bench', 'detectRunner.js');
const plainArgs = ['detect', '--format', 'jsonl'];
for (let turn = 0; turn < RUNS; turn++) {
  const yardstickRuns: RunFigures[] = [];
  for (let run = 0; run < YARDSTICK_RUNS; run++) {
    const args = [...plainArgs, ...yardstickFiles];
    yardstickRuns.push(await runChild(yardstickRunner, args, '/dev/null', false, 'yardstick'));
  }
  runs.yardstick.push(yardstickRuns);
  // The episodes file of the run before is deleted first: 2.2 GB of it still dirty in the page cache doubles
  // the next run's system time.
  rmSync(episodesFile, { force: true });
  runs.episodes.push(
    await runChild(
      ours,
      [...plainArgs, '--episodes', episodesFile, ...seedFiles],
      '/dev/null',
      false,
      'detect --episodes',
    ),
  );
  rmSync(episodesFile, { force: true });
  runs.plain.push(await runChild(ours, [...plainArgs, ...seedFiles], '/dev/null', false, 'detect'));
}

/** How much slower than on the day the bound was set the machine ran in a turn (below 1: faster). */
const slower = (turn: number) =>
  Math.min(...runs.yardstick[turn]!.map((run) => run.wholeSeconds)) / YARDSTICK_SECONDS;
const figures = (run: RunFigures) =>
  `${run.wholeSeconds.toFixed(1)} s (${run.cpuSeconds.toFixed(0)} CPU s, ${Math.round(run.maxRssMiB)} MiB)`;
const line = (name: string, text: (run: RunFigures, turn: number) => string, of: RunFigures[]) =>
  `${name.padEnd(12)}${of.map(text).join('; ')}`;
const atBound = (run: RunFigures, turn: number) =>
  `${figures(run)} = ${(run.wholeSeconds / slower(turn)).toFixed(1)} s at the bound's speed`;

console.log(
  `detect at the seed's scale, ${SYMBOLS} files × ${SEED_DAYS} days, alerts to /dev/null, every core, ` +
    `${RUNS} turn${RUNS === 1 ? '' : 's'}; in each, the yardstick (commit ${YARDSTICK_COMMIT}, plain detect ` +
    `over ${YARDSTICK_SYMBOLS} files × ${YARDSTICK_DAYS} days, ${YARDSTICK_SECONDS} s the day the bound was set), ` +
    `the quickest of ${YARDSTICK_RUNS}`,
);
console.log(
  `${'yardstick'.padEnd(12)}${runs.yardstick
    .map((turn, i) => {
      const times = turn.map((run) => run.wholeSeconds.toFixed(2)).join(', ');
      const peak = Math.max(...turn.map((run) => run.maxRssMiB));
      return `${times} s: ${slower(i).toFixed(2)}× (peak ${Math.round(peak)} MiB)`;
    })
    .join('; ')}`,
);
console.log(line('--episodes', atBound, runs.episodes));
console.log(line('plain', atBound, runs.plain));
const scaled = runs.episodes.map((run, turn) => run.wholeSeconds / slower(turn));
const worst = Math.max(...scaled);
console.log(
  `--episodes at the bound's speed: median ${median(scaled).toFixed(1)} s, at most ${worst.toFixed(1)} s, ` +
    `${worst < BOUND_SECONDS ? 'under' : 'not under'} the bound of ${BOUND_SECONDS} s`,
);
