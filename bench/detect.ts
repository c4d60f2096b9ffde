/**
 * `npm run bench:detect`: bars per second of `detect --format jsonl` on a generated data set of about 750k
 * bars (40 symbols × 50 days), beside a plain read-and-split of the same files: the floor any CSV tool pays.
 * Also the same run held to one CPU (where taskset is found), and its peak memory on a quarter of the files.
 * The data set is generated once into .bench/ and reused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../cli/generate/index.js';

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
  seconds: number;
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
    const child = spawn(program!, args, { stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`detect exited with ${code}: ${stderr}`);
    return JSON.parse(stderr.trim().split('\n').pop()!) as RunFigures;
  } finally {
    closeSync(out);
  }
}

const detect: RunFigures[] = [];
for (let run = 0; run < RUNS; run++) detect.push(await runDetect(files));
let alerts = 0;
for (const byte of readFileSync(alertsFile)) if (byte === 10) alerts++;
// Peak memory must follow the largest file, not the number of files: the same run on a quarter of them.
const quarter = await runDetect(files.slice(0, Math.ceil(files.length / 4)), '/dev/null');
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned: RunFigures[] = [];
for (let run = 0; canPin && run < RUNS; run++) pinned.push(await runDetect(files, '/dev/null', true));

const detectSeconds = median(detect.map((r) => r.seconds));
const baselineSeconds = median(baseline);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `data: ${files.length} files, ${fmt(rows)} data rows (${SYMBOLS} symbols × ${DAYS} days), median of ${RUNS} runs; ` +
    `${fmt(alerts)} alerts written to ${alertsFile}`,
);
console.log(`read-and-split        ${baselineSeconds.toFixed(2)} s  ${fmt(rows / baselineSeconds)} rows/s`);
console.log(
  `detect --format jsonl ${detectSeconds.toFixed(2)} s  ${fmt(rows / detectSeconds)} bars/s  ` +
    `(cpu ${median(detect.map((r) => r.cpuSeconds)).toFixed(2)} s, peak RSS ${fmt(Math.max(...detect.map((r) => r.maxRssMiB)))} MiB)`,
);
if (canPin) {
  const pinnedSeconds = median(pinned.map((r) => r.seconds));
  console.log(
    `detect on one CPU     ${pinnedSeconds.toFixed(2)} s  ${fmt(rows / pinnedSeconds)} bars/s  ` +
      '(taskset -c 0: the JIT compiler and garbage collector share its time)',
  );
} else console.log('detect on one CPU     not measured: no taskset here');
console.log(
  `peak RSS by input: ${fmt(quarter.maxRssMiB)} MiB for ${Math.ceil(files.length / 4)} files, ` +
    `${fmt(Math.max(...detect.map((r) => r.maxRssMiB)))} MiB for ${files.length} ` +
    '(alert text is held in memory up to 64 MiB, then in a temporary file)',
);
