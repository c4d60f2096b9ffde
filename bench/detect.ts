/**
 * `npm run bench:detect`: bars per second of `detect --format jsonl` on a generated data set of about 750k
 * bars (40 symbols × 50 days), whole process (spawn to exit), beside a plain read-and-split of the same files
 * (the floor any CSV tool pays) and beside DuckDB running the same rules as SQL with exact decimals on every
 * core (bench/duckdbDetect.ts), whose alerts must be detect's. Also the same run held to one CPU (where
 * taskset is found), and its peak memory on a quarter of the files. The data set is generated once into
 * .bench/ and reused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../cli/api.js';
import { jsonAlerts, runDuckdb, sqlAlerts } from './duckdbDetect.js';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = new URL('../..', import.meta.url).pathname;
const dataDir = join(root, '.bench', `detect-${SYMBOLS}x${DAYS}`);

async function dataset(): Promise<{ files: string[]; rows: number }> {
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    process.stderr.write(`generating ${SYMBOLS} symbols × ${DAYS} days into ${dataDir} ...\n`);
    await generateDataset({ out: dataDir, symbols: SYMBOLS, days: DAYS, seed: 7 });
  }
  const files = readdirSync(dataDir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(dataDir, name));
  let rows = 0;
  for (const file of files) rows += (await readAndSplit(file)).rows;
  return { files, rows };
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const { files, rows } = await dataset();
const baseline: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  for (const file of files) await readAndSplit(file);
  baseline.push((performance.now() - started) / 1000);
}

const runner = join(root, 'dist', 'bench', 'detectRunner.js');
const alertsFile = join(root, '.bench', 'alerts.jsonl');
interface RunFigures {
  code: number;
  /** From the CLI's start to its end, inside the process. */
  seconds: number;
  /** From spawning the process to its exit: Node's start-up and the workers' included. */
  wholeSeconds: number;
  maxRssMiB: number;
  cpuSeconds: number;
}

/**
 * One `detect --format jsonl FILE... > alertsPath` in a fresh process; `pinned`, held to one CPU with taskset,
 * so that the compiler and garbage collector V8 runs beside the program count in its time.
 */
async function runDetect(inputs: string[], alertsPath = alertsFile, pinned = false): Promise<RunFigures> {
  const out = openSync(alertsPath, 'w');
  try {
    const command = [process.execPath, runner, 'detect', '--format', 'jsonl', ...inputs];
    const [program, ...args] = pinned ? ['taskset', '-c', '0', ...command] : command;
    const started = performance.now();
    const child = spawn(program!, args, { stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const wholeSeconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`detect exited with ${code}: ${stderr}`);
    return {
      ...(JSON.parse(stderr.trim().split('\n').pop()!) as Omit<RunFigures, 'wholeSeconds'>),
      wholeSeconds,
    };
  } finally {
    closeSync(out);
  }
}

// detect and DuckDB take turns, so that a machine busier for a while slows both alike.
const detect: RunFigures[] = [];
const duckdb: number[] = [];
const duckdbAlertsFile = join(root, '.bench', 'duckdb-alerts.csv');
for (let run = 0; run < RUNS; run++) {
  detect.push(await runDetect(files));
  duckdb.push((await runDuckdb(files, duckdbAlertsFile)).seconds);
}
let alerts = 0;
for (const byte of readFileSync(alertsFile)) if (byte === 10) alerts++;
// The reference must raise exactly detect's alerts, or its time means nothing.
const ours = jsonAlerts(readFileSync(alertsFile, 'utf8'));
const theirs = sqlAlerts(readFileSync(duckdbAlertsFile, 'utf8'));
const key = (alert: { symbol: string; timestamp: string; rules: string }) =>
  `${alert.symbol} ${alert.timestamp} ${alert.rules}`;
const mismatch = ours.findIndex((alert, i) => theirs[i] === undefined || key(alert) !== key(theirs[i]!));
if (mismatch >= 0 || ours.length !== theirs.length) {
  const at = mismatch >= 0 ? mismatch : Math.min(ours.length, theirs.length);
  console.error(
    `DuckDB's alerts differ from detect's: ${theirs.length} against ${ours.length}; first difference at alert ${at}: ` +
      `detect ${ours[at] ? key(ours[at]) : '(none)'}, DuckDB ${theirs[at] ? key(theirs[at]) : '(none)'}`,
  );
  process.exit(1);
}
// Peak memory must follow the largest file, not the number of files: the same run on a quarter of them.
const quarter = await runDetect(files.slice(0, Math.ceil(files.length / 4)), '/dev/null');
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned: RunFigures[] = [];
for (let run = 0; canPin && run < RUNS; run++) pinned.push(await runDetect(files, '/dev/null', true));

const detectSeconds = median(detect.map((r) => r.wholeSeconds));
const duckdbSeconds = median(duckdb);
const baselineSeconds = median(baseline);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `data: ${files.length} files, ${fmt(rows)} data rows (${SYMBOLS} symbols × ${DAYS} days), median of ${RUNS} runs; ` +
    `${fmt(alerts)} alerts written to ${alertsFile}`,
);
console.log(`read-and-split        ${baselineSeconds.toFixed(2)} s  ${fmt(rows / baselineSeconds)} rows/s`);
console.log(
  `detect --format jsonl ${detectSeconds.toFixed(2)} s  ${fmt(rows / detectSeconds)} bars/s  ` +
    `(whole process, every core; inside the CLI ${median(detect.map((r) => r.seconds)).toFixed(2)} s; ` +
    `cpu ${median(detect.map((r) => r.cpuSeconds)).toFixed(2)} s, peak RSS ${fmt(Math.max(...detect.map((r) => r.maxRssMiB)))} MiB)`,
);
if (canPin) {
  const pinnedSeconds = median(pinned.map((r) => r.wholeSeconds));
  console.log(
    `detect on one CPU     ${pinnedSeconds.toFixed(2)} s  ${fmt(rows / pinnedSeconds)} bars/s  ` +
      '(taskset -c 0: the JIT compiler and garbage collector share its time)',
  );
} else console.log('detect on one CPU     not measured: no taskset here');
console.log(
  `duckdb (SQL, exact decimals)  ${duckdbSeconds.toFixed(2)} s  ${fmt(rows / duckdbSeconds)} bars/s  ` +
    `(every core; same ${fmt(theirs.length)} alerts (symbol, minute, rules) as detect's, checked)`,
);
console.log(`ratio detect/duckdb ${(detectSeconds / duckdbSeconds).toFixed(2)} (floor 0.6, aim 0.5)`);
console.log(
  `peak RSS by input: ${fmt(quarter.maxRssMiB)} MiB for ${Math.ceil(files.length / 4)} files, ` +
    `${fmt(Math.max(...detect.map((r) => r.maxRssMiB)))} MiB for ${files.length} ` +
    '(alert text is held in memory up to 64 MiB, then in a temporary file)',
);
