/**
 * `npm run bench:detect`: time and peak memory of `detect --format jsonl` at three input sizes (the same
 * symbols over 1×, 2× and 4× the days: 40 symbols × 50, 100 and 200 days by default, about 0.75M, 1.5M and
 * 3M bars), each on every core and held to one CPU, whole process (spawn to exit), beside a plain read-and-split
 * of the same files (the floor any CSV tool pays) and beside DuckDB running the same rules as SQL with exact
 * decimals on every core (bench/duckdbDetect.ts), whose alerts must be detect's. Each run is a process of its
 * own, so its peak memory (VmHWM) is its own. Data sets are generated once into .bench/ and reused.
 *
 * BENCH_SYMBOLS (default 40), BENCH_DAYS (a list, default 50,100,200), BENCH_RUNS (median of, default 3),
 * BENCH_DUCKDB_MEMORY (DuckDB's memory limit, default 4GB), BENCH_DUCKDB=off (detect alone); the seed's scale,
 * three years of 150 symbols: BENCH_SYMBOLS=150 BENCH_DAYS=750 BENCH_RUNS=1 (DuckDB runs out of 4 GB there,
 * after about ten minutes: BENCH_DUCKDB=off). DuckDB failing is reported and the benchmark goes on.
 *
 * Beside each size's plain runs, `detect --format jsonl --episodes FILE` on every core (the episodes with their
 * suspicion scores, contract §6), taking turns with them; BENCH_EPISODES=off leaves it out.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateDataset } from '../cli/api.js';
import { median, runChild, type RunFigures } from './childRun.js';
import { jsonAlerts, sqlAlerts, type SqlAlert } from './duckdbDetect.js';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const DAYS = (process.env.BENCH_DAYS ?? '50,100,200').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WITH_DUCKDB = process.env.BENCH_DUCKDB !== 'off';
const WITH_EPISODES = process.env.BENCH_EPISODES !== 'off';
const root = new URL('../..', import.meta.url).pathname;
const runner = (script: string) => join(root, 'dist', 'bench', script);

async function dataset(days: number): Promise<{ files: string[]; rows: number; splitSeconds: number }> {
  const dataDir = join(root, '.bench', `detect-${SYMBOLS}x${days}`);
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    process.stderr.write(`generating ${SYMBOLS} symbols × ${days} days into ${dataDir} ...\n`);
    await generateDataset({ out: dataDir, symbols: SYMBOLS, days, seed: 7 });
  }
  const files = readdirSync(dataDir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(dataDir, name));
  const started = performance.now();
  let rows = 0;
  for (const file of files) rows += (await readAndSplit(file)).rows;
  return { files, rows, splitSeconds: (performance.now() - started) / 1000 };
}

/** The baseline: stream the file, split lines and fields, keep nothing. */
async function readAndSplit(file: string): Promise<{ rows: number; fields: number }> {
  let rows = -1; // the header
  let fields = 0;
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line === '') continue;
      rows++;
      fields += line.split(',').length;
    }
  }
  if (rest !== '') rows++;
  return { rows, fields };
}

/** Alerts of a file one line at a time, as `symbol minute rules` (after `skip` lines of header). */
async function* keys(path: string, skip: number, alert: (line: string) => SqlAlert): AsyncGenerator<string> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line++ < skip || text === '') continue;
    const { symbol, timestamp, rules } = alert(text);
    yield `${symbol} ${timestamp} ${rules}`;
  }
}

/**
 * Whether DuckDB raised exactly detect's alerts (symbol, minute, rules), read a line at a time from both files:
 * at the seed's scale the alerts are gigabytes. @returns the alerts, or a description of the first difference
 */
async function compareAlerts(
  ours: string,
  theirs: string,
): Promise<{ alerts: number } | { difference: string }> {
  const a = keys(ours, 0, (line) => jsonAlerts(line)[0]!);
  const b = keys(theirs, 1, (line) => sqlAlerts(`header\n${line}`)[0]!);
  for (let alerts = 0; ; alerts++) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    if (x.done && y.done) return { alerts };
    if (x.done || y.done || x.value !== y.value) {
      return {
        difference:
          `first difference at alert ${alerts}: detect ${x.done ? '(none)' : x.value}, ` +
          `DuckDB ${y.done ? '(none)' : y.value}`,
      };
    }
  }
}

async function lineCount(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path))
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  return lines;
}

const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const alertsFile = join(root, '.bench', 'alerts.jsonl');
const duckdbAlertsFile = join(root, '.bench', 'duckdb-alerts.csv');
const episodesFile = join(root, '.bench', 'episodes.jsonl');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

interface SizeFigures {
  days: number;
  files: number;
  rows: number;
  alerts: number;
  split: number;
  every: RunFigures[];
  one: RunFigures[];
  /** `--episodes` on every core. */
  episodes: RunFigures[];
  episodeLines: number;
  duckdb: RunFigures[];
  /** Why DuckDB gave no figures: not run, or how it failed. */
  duckdbMissing?: string;
}

const loadBefore = load();
const sizes: SizeFigures[] = [];
for (const days of DAYS) {
  const { files, rows, splitSeconds } = await dataset(days);
  const every: RunFigures[] = [];
  const one: RunFigures[] = [];
  const episodes: RunFigures[] = [];
  const duckdb: RunFigures[] = [];
  let duckdbMissing = WITH_DUCKDB ? undefined : 'not run (BENCH_DUCKDB=off)';
  // detect and DuckDB take turns, so that a machine busier for a while slows both alike.
  for (let run = 0; run < RUNS; run++) {
    every.push(
      await runChild(runner('detectRunner.js'), ['detect', '--format', 'jsonl', ...files], alertsFile, false),
    );
    if (WITH_EPISODES) {
      const args = ['detect', '--format', 'jsonl', '--episodes', episodesFile, ...files];
      episodes.push(await runChild(runner('detectRunner.js'), args, '/dev/null', false));
    }
    if (duckdbMissing === undefined) {
      try {
        duckdb.push(
          await runChild(runner('duckdbRunner.js'), [duckdbAlertsFile, ...files], '/dev/null', false),
        );
      } catch (error) {
        const message = (error as Error).message;
        duckdbMissing = `failed: ${/Out of Memory Error[^\n]*/.exec(message)?.[0] ?? message.split('\n')[0]}`;
        process.stderr.write(`DuckDB ${duckdbMissing}\n`);
      }
    }
    if (canPin) {
      const args = ['detect', '--format', 'jsonl', ...files];
      one.push(await runChild(runner('detectRunner.js'), args, '/dev/null', true));
    }
  }
  // The reference must raise exactly detect's alerts, or its time means nothing.
  let alerts: number;
  if (duckdbMissing === undefined) {
    const compared = await compareAlerts(alertsFile, duckdbAlertsFile);
    if ('difference' in compared) {
      console.error(
        `${SYMBOLS} × ${days} days: DuckDB's alerts differ from detect's: ${compared.difference}`,
      );
      process.exit(1);
    }
    alerts = compared.alerts;
  } else alerts = await lineCount(alertsFile);
  sizes.push({
    days,
    files: files.length,
    rows,
    alerts,
    split: splitSeconds,
    every,
    one,
    episodes,
    episodeLines: WITH_EPISODES ? await lineCount(episodesFile) : 0,
    duckdb,
    ...(duckdbMissing === undefined ? {} : { duckdbMissing }),
  });
}

const seconds = (runs: RunFigures[]) => median(runs.map((r) => r.wholeSeconds));
const peak = (runs: RunFigures[]) => Math.max(...runs.map((r) => r.maxRssMiB));
const cell = (runs: RunFigures[], rows: number) =>
  runs.length === 0
    ? 'not measured (no taskset)'
    : `${seconds(runs).toFixed(2)} s, ${fmt(rows / seconds(runs))} bars/s, peak ${fmt(peak(runs))} MiB`;
console.log(
  `detect --format jsonl FILE... > alerts.jsonl, whole process, median of ${RUNS} runs (peak: the largest); ` +
    `load average before ${loadBefore}, after ${load()}`,
);
for (const size of sizes) {
  console.log(
    `${SYMBOLS} symbols × ${size.days} days: ${size.files} files, ${fmt(size.rows)} data rows, ${fmt(size.alerts)} alerts` +
      `${size.duckdbMissing === undefined ? " (DuckDB's the same, checked)" : ''}; read-and-split ${size.split.toFixed(2)} s`,
  );
  console.log(`  every core  ${cell(size.every, size.rows)}`);
  if (size.episodes.length > 0) {
    console.log(
      `  --episodes  ${cell(size.episodes, size.rows)}  (every core, ${fmt(size.episodeLines)} episodes scored); ` +
        `time ${(seconds(size.episodes) / seconds(size.every)).toFixed(2)}× the plain run's`,
    );
  }
  console.log(
    `  one CPU     ${cell(size.one, size.rows)}  (taskset -c 0: V8's compiler and collector share it)`,
  );
  console.log(
    size.duckdbMissing !== undefined
      ? `  DuckDB      ${size.duckdbMissing}`
      : `  DuckDB      ${cell(size.duckdb, size.rows)}  (every core, SQL with exact decimals); ` +
          `ratio detect/DuckDB ${(seconds(size.every) / seconds(size.duckdb)).toFixed(2)}`,
  );
}
if (sizes.length > 1) {
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  console.log(
    `growth ${fmt(first.rows)} -> ${fmt(last.rows)} bars (${(last.rows / first.rows).toFixed(1)}×): ` +
      `detect's peak ${fmt(peak(first.every))} -> ${fmt(peak(last.every))} MiB every core, ` +
      `${first.one.length > 0 ? `${fmt(peak(first.one))} -> ${fmt(peak(last.one))} MiB one CPU, ` : ''}` +
      `${first.episodes.length > 0 ? `${fmt(peak(first.episodes))} -> ${fmt(peak(last.episodes))} MiB with --episodes, ` : ''}` +
      (first.duckdb.length > 0 && last.duckdb.length > 0
        ? `DuckDB's ${fmt(peak(first.duckdb))} -> ${fmt(peak(last.duckdb))} MiB`
        : ''),
  );
}
