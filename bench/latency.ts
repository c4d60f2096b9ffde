/**
 * `npm run bench:latency`: a live market on the local stack. `replay` uploads one object per market minute (all
 * symbols' bars of that minute) at BENCH_SPEED times real time (default 60: an object a second) through the real
 * path (bucket → ingest → Kafka → detect → notify), and this prints, per alert, the time from the end of its
 * minute's upload to notify writing it (the alert's `writtenAt`, the emulator's clock on this machine), as p50,
 * p95, p99 and max, and where that time goes, stage by stage; and per minute whether its alerts were all written
 * before the next minute's upload began (keeping up), with the bars that came late (a minute overtaken by the
 * next one: detected in its place, contract §2, at the cost of a revision).
 *
 * The stages come from the components' delivery traces (shared/deliveryTrace.ts, which the local stack turns
 * on): ingest's first line for the object (ingest start), the Kafka record's time (produced, kafkajs's clock in
 * ingest), detect's line for the symbol's record (delivered), the Pub/Sub message's publishTime (published, the
 * emulator's clock) and notify's line for it (pushed), then the alert's writtenAt. All clocks are this machine's.
 *
 * Settings: BENCH_SYMBOLS (default 150), BENCH_WARMUP (default 60 minutes of the session replayed first, see
 * below), BENCH_MINUTES (default 300 minutes after those: five minutes of uploads at speed 60), BENCH_SPEED
 * (default 60), BENCH_STACK_* (placement). It runs its own stack
 * (isolatedStack.ts).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Timestamp, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import Table from 'cli-table3';
import { availableParallelism } from 'node:os';
import { generateDataset, pipelineCommands, type StackClients } from '../cli/api.js';
import { readVariable } from '../shared/config/variables.js';
import { appComponents } from '../stack/appComponents.js';
import { stackComponents } from '../stack/components.js';
import {
  benchPlacement,
  benchRoot,
  isMain,
  isolateStack,
  quietContext,
  seconds,
  whole,
  withIsolatedStack,
} from './isolatedStack.js';
import { CpuTime } from './processCpu.js';

// The pipeline commands' functions (cli/api.ts loads them when asked), here before anything is measured.
const { clients, readReports, replay, waitForIdle } = await pipelineCommands();

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 150);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 300);
const SPEED = process.env.BENCH_SPEED ?? '60';
/**
 * Minutes replayed first, on the stack the benchmark has just started, before the measured ones: its JVMs and
 * Node processes compile their hot paths in the first tens of seconds, and a pipeline in service is warm. Their
 * figures are printed on their own line.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 60);

/** The stages of one alert's way, in order; each is the time from the one before. */
export const STAGES = [
  'upload → ingest start',
  'ingest start → produced',
  'produced → delivered to detect',
  'delivered → published',
  'published → pushed to notify',
  'pushed → written',
] as const;

export interface LatencyResult {
  minutes: number;
  alerts: number;
  /** Upload-to-written, milliseconds, sorted. */
  latencies: number[];
  /** Per stage (STAGES), its duration for each alert, milliseconds, sorted. */
  stages: number[][];
  /** Alerts whose stages could not all be found in the traces. */
  untraced: number;
  /** Minutes whose alerts were all written before the next minute's upload began (of those with a next). */
  keptUp: number;
  /** The minutes that did not, with how long after the next upload began their last alert was written. */
  behind: { object: string; byMs: number }[];
  late: number;
  /** Per component, the CPU seconds its processes used from the first upload until idle. */
  cpu: Map<string, number>;
  /** Wall time from the first upload until idle, milliseconds. */
  wallMs: number;
}

export const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function dataset(): Promise<string[]> {
  const dir = join(benchRoot, '.bench', `latency-${SYMBOLS}x1`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    process.stderr.write(`generating ${SYMBOLS} symbols × 1 day into ${dir} ...\n`);
    await generateDataset({ out: dir, symbols: SYMBOLS, days: 1, seed: 11 });
  }
  return readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .map((name) => join(dir, name));
}

/** A component's delivery trace, one entry per line. */
function traceOf(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The stage times of every (symbol, object) and object, from the traces. */
function stageTimes(logs: string) {
  const ingestStart = new Map<string, number>();
  for (const entry of traceOf(join(logs, 'ingest.deliveries'))) {
    const object = String(entry.object);
    ingestStart.set(object, Math.min(ingestStart.get(object) ?? Infinity, Number(entry.at)));
  }
  /** By `symbol object`: when its record was produced and first delivered. */
  const detected = new Map<string, { produced: number; received: number }>();
  for (const entry of traceOf(join(logs, 'detect.deliveries'))) {
    if (entry.outcome !== 'detected' || typeof entry.batch !== 'string') continue;
    // A batch key is `object@generation#seq`.
    const object = entry.batch.slice(0, entry.batch.lastIndexOf('@'));
    const key = `${String(entry.key)} ${object}`;
    if (!detected.has(key)) {
      detected.set(key, { produced: Number(entry.produced), received: Number(entry.received) });
    }
  }
  const pushed = new Map<string, { published: number; pushed: number }>();
  for (const entry of traceOf(join(logs, 'notify.deliveries'))) {
    if (typeof entry.symbol !== 'string') continue;
    const key = `${entry.symbol} ${String(entry.object)}`;
    if (!pushed.has(key)) {
      pushed.set(key, { published: Date.parse(String(entry.publishTime)), pushed: Number(entry.at) });
    }
  }
  return { ingestStart, detected, pushed };
}

/** One replay: its objects in upload order, when each upload began and ended. */
interface Replayed {
  names: string[];
  uploads: Map<string, { began: number; ended: number }>;
}

async function replayed(
  files: string[],
  range: { from?: string; to?: string; limit?: string },
  stack: StackClients,
): Promise<Replayed> {
  const bucket = stack.storage.bucket(stack.bucket);
  const run: Replayed = { names: [], uploads: new Map() };
  await replay(
    files,
    { speed: SPEED, ...range, timezone: readVariable('EXCHANGE_TIMEZONE') },
    quietContext(),
    async (name, content) => {
      const began = Date.now();
      await bucket.file(name).save(content, { resumable: false, contentType: 'text/csv' });
      run.uploads.set(name, { began, ended: Date.now() });
      run.names.push(name);
    },
  );
  return run;
}

async function untilIdle(stack: StackClients): Promise<void> {
  if (!(await waitForIdle(stack, 600, quietContext())))
    throw new Error('the pipeline did not finish in 10 minutes');
}

/** The first minute of the session the data set holds, in milliseconds since the epoch. */
function firstMinute(files: string[]): number {
  const [, row] = readFileSync(files[0]!, 'utf8').split('\n', 2);
  const at = Date.parse(row!.split(',')[0]!.replace(' ', 'T'));
  if (Number.isNaN(at)) throw new Error(`no timestamp in the first row of ${files[0]}`);
  return at;
}

const isoMinute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;

export async function benchLatency(): Promise<{ live: LatencyResult; coldStart: LatencyResult | undefined }> {
  const files = await dataset();
  const ctx = isolateStack(benchPlacement('latency', 200));
  const components = stackComponents(ctx, [appComponents]);
  return withIsolatedStack(ctx, components, async () => {
    const stack = clients(quietContext());
    const start = firstMinute(files);
    // The traces of earlier runs name the same objects: each replay's start afresh (each line is appended on
    // its own, so a file emptied under the components loses nothing written after).
    const freshTraces = () => {
      for (const name of ['ingest', 'detect', 'notify'])
        writeFileSync(join(ctx.paths.logs, `${name}.deliveries`), '');
    };
    freshTraces();
    let coldStart: Replayed | undefined;
    if (WARMUP > 0) {
      process.stderr.write(`warming up: the session's first ${WARMUP} minutes at speed ${SPEED} ...\n`);
      coldStart = await replayed(files, { to: isoMinute(start + (WARMUP - 1) * 60_000) }, stack);
      await untilIdle(stack);
    }
    const coldTraces = stageTimes(ctx.paths.logs);
    freshTraces();
    process.stderr.write(`replaying ${MINUTES} minutes of ${SYMBOLS} symbols at speed ${SPEED} ...\n`);
    const cpu = new CpuTime(
      ctx.paths.run,
      components.map((component) => component.name),
    );
    await cpu.sample();
    const started = Date.now();
    const live = await replayed(
      files,
      { from: isoMinute(start + WARMUP * 60_000), limit: String(MINUTES) },
      stack,
    );
    process.stderr.write(`replayed; waiting for the pipeline to finish ...\n`);
    await untilIdle(stack);
    await cpu.sample();
    const wallMs = Date.now() - started;

    const alerts = (
      await stack.firestore
        .collection(readVariable('ALERTS_COLLECTION'))
        .select('symbol', 'source', 'writtenAt')
        .get()
    ).docs as QueryDocumentSnapshot[];
    const late = (await readReports(stack)).reduce((sum, view) => sum + view.detection.late, 0);
    const liveResult = analyse(live, alerts, stageTimes(ctx.paths.logs), late, cpu.used(), wallMs);
    return {
      live: liveResult,
      coldStart: coldStart && analyse(coldStart, alerts, coldTraces, 0, new Map(), 0),
    };
  });
}

/** The figures of one replay's alerts (those of other replays' objects are left out). */
function analyse(
  run: Replayed,
  documents: readonly QueryDocumentSnapshot[],
  traces: ReturnType<typeof stageTimes>,
  late: number,
  cpu: Map<string, number>,
  wallMs: number,
): LatencyResult {
  const { names, uploads } = run;
  const { ingestStart, detected, pushed } = traces;
  const latencies: number[] = [];
  const stages: number[][] = STAGES.map(() => []);
  let untraced = 0;
  let alerts = 0;
  /** The last write of each object's alerts. */
  const lastWritten = new Map<string, number>();
  for (const doc of documents) {
    const symbol = String(doc.get('symbol'));
    const object = String(doc.get('source.object'));
    const upload = uploads.get(object);
    if (upload === undefined) continue;
    alerts++;
    const written = (doc.get('writtenAt') as Timestamp).toMillis();
    latencies.push(written - upload.ended);
    lastWritten.set(object, Math.max(lastWritten.get(object) ?? 0, written));
    const started = ingestStart.get(object);
    const record = detected.get(`${symbol} ${object}`);
    const message = pushed.get(`${symbol} ${object}`);
    if (started === undefined || record === undefined || message === undefined) {
      untraced++;
      continue;
    }
    const times = [
      upload.ended,
      started,
      record.produced,
      record.received,
      message.published,
      message.pushed,
      written,
    ];
    for (let i = 0; i < STAGES.length; i++) stages[i]!.push(times[i + 1]! - times[i]!);
  }
  latencies.sort((a, b) => a - b);
  for (const stage of stages) stage.sort((a, b) => a - b);
  let keptUp = 0;
  const behind: LatencyResult['behind'] = [];
  for (let i = 0; i + 1 < names.length; i++) {
    const written = lastWritten.get(names[i]!);
    const next = uploads.get(names[i + 1]!)!.began;
    if (written === undefined || written < next) keptUp++;
    else behind.push({ object: names[i]!, byMs: written - next });
  }
  return { minutes: names.length, alerts, latencies, stages, untraced, keptUp, behind, late, cpu, wallMs };
}

export function printLatency(result: LatencyResult): void {
  // To the hundredth: the live path's p99 is held to under 1 s, which a tenth cannot tell.
  const at = (values: readonly number[], p: number) => `${(percentile(values, p) / 1000).toFixed(2)} s`;
  const table = new Table({
    head: ['per alert', 'p50', 'p95', 'p99', 'max'],
    colAligns: ['left', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  const row = (name: string, values: readonly number[]) =>
    table.push([name, at(values, 50), at(values, 95), at(values, 99), at(values, 100)]);
  row('upload → written (the latency)', result.latencies);
  for (const [i, stage] of STAGES.entries()) row(`  ${stage}`, result.stages[i]!);
  const worst = result.behind.reduce((a, b) => Math.max(a, b.byMs), 0);
  process.stdout.write(
    [
      `live replay: ${SYMBOLS} symbols, ${result.minutes} minutes at speed ${SPEED} (an object every ` +
        `${seconds(60_000 / Number(SPEED))}), ${whole(result.alerts)} alerts`,
      table.toString(),
      '(each stage per alert, from the one above; the percentiles of stages do not add up to the total)',
      ...(result.untraced > 0 ? [`alerts without every stage in the traces: ${whole(result.untraced)}`] : []),
      `minutes whose alerts were all written before the next upload: ${result.keptUp} of ${result.minutes - 1}` +
        (result.behind.length > 0 ? ` (the others by up to ${seconds(worst)})` : ''),
      `bars that came late (a minute overtaken by a later one, detected in its place): ${whole(result.late)}`,
      `CPU from the first upload to idle (${seconds(result.wallMs)}; ${availableParallelism()} cores), per ` +
        `component and per symbol-minute (Kafka record): ` +
        [...result.cpu]
          .sort((a, b) => b[1] - a[1])
          .map(
            ([name, used]) =>
              `${name} ${used.toFixed(1)} s (${((used / (result.minutes * SYMBOLS)) * 1000).toFixed(2)} ms)`,
          )
          .join(', '),
    ].join('\n') + '\n',
  );
}

if (isMain(import.meta.url)) {
  const { live, coldStart } = await benchLatency();
  if (coldStart) {
    const at = (p: number) => seconds(percentile(coldStart.latencies, p));
    process.stdout.write(
      `cold start (the stack just started; the first ${WARMUP} minutes, then idle; not counted below): ` +
        `${whole(coldStart.alerts)} alerts, p50 ${at(50)}, p99 ${at(99)}, max ${at(100)}; ` +
        `${coldStart.keptUp} of ${coldStart.minutes - 1} minutes kept up\n`,
    );
  }
  printLatency(live);
  if (live.behind.length > 0 || live.late > 0) process.exitCode = 1;
}
