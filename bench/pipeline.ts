/**
 * `npm run bench:pipeline`: bars per second through the whole event-driven pipeline on the local stack, from
 * the first upload to the last alert written, on the data set of `bench:detect` (40 symbols × 50 days, about
 * 750k bars, generated once into .bench/), with the time of each stage; beside it the ceiling: the same stack's
 * Firestore writing the same alert documents directly, in batches of 500 with 8 in flight.
 *
 * The same run is the load proof: 40 objects dropped at once must come out as exactly the alerts `detect`
 * finds in the same files (verdictOf, ALL-DELIVERED), with every ingestion report accounting for each accepted
 * bar. Meanwhile it samples, every second from the first upload until idle, the dispatcher's Kafka consumer lag
 * (in total and per partition) and the peak resident memory (VmHWM) of every component's processes, and every
 * second the alerts written so far (notify's tallies); it prints the lag over time and each
 * component's peak. It exits 1 unless the verdict is ALL-DELIVERED and every report is complete.
 * `benchPipeline` is the same run as a function (test/soak/load.test.ts calls it).
 *
 * It runs its own stack (its own folder under .bench/ and its own ports, see isolatedStack.ts), started and
 * stopped here, so a developer's stack is never touched.
 *
 * Settings: BENCH_BATCH_MINUTES (comma-separated BATCH_MINUTES values to compare; default the runtime's),
 * BENCH_SYMBOLS (objects, one symbol each), BENCH_DAYS (days of bars in each), BENCH_OBJECTS (comma-separated
 * numbers of objects: the benchmark once for each, then how the cost grows; `npm run bench:pipeline:growth`), BENCH_TIMEOUT (seconds per run, default 900), BENCH_COUNT_EVERY (seconds between
 * counts of the alerts written, default 1, 0 for none), BENCH_STACK_* (placement).
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import Table from 'cli-table3';
import type { Firestore, QueryDocumentSnapshot } from '@google-cloud/firestore';
import {
  main as cli,
  generateDataset,
  pipelineCommands,
  type Manifest,
  type StackClients,
} from '../cli/api.js';
import { readConsumerLag, totalLag } from '../shared/kafka/consumerLag.js';
import { detectionConfigFromEnv } from '../shared/config/detectionParameterSettings.js';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../shared/config/ingestSettings.js';
import { readerClock } from '../shared/core/readerClock.js';
import { readVariable } from '../shared/config/variables.js';
import type { Alert } from '../shared/core/alert.js';
import { ObjectSeriesDetection } from '../shared/core/objectSeriesDetection.js';
import { readObject } from '../shared/objects/readObject.js';
import { ALERTS_PER_COMMIT, WRITES_PER_COMMIT } from '../shared/pipeline/alertCommits.js';
import { FirestoreAlertStore, fromAlertDocument, toAlertDocument } from '../shared/state/alertStore.js';
import { alertId } from '../shared/pipeline/documentIds.js';
import { appComponents } from '../stack/appComponents.js';
import type { ProcessComponent, StackContext } from '../stack/component.js';
import { stackComponents } from '../stack/components.js';
import { stopComponent } from '../stack/lifecycle.js';
import { stackUp } from '../stack/orchestrate.js';
import {
  benchPlacement,
  benchRoot,
  isolateStack,
  isMain,
  quietContext,
  seconds,
  whole,
  withIsolatedStack,
  type StackPlacement,
} from './isolatedStack.js';
import { CpuTime } from './processCpu.js';
import { PeakMemory } from './processMemory.js';
import { alertLines, incompleteReports, verdictOf, type Verdict } from './verdict.js';

// The pipeline commands' functions (cli/api.ts loads them when asked), here before anything is measured.
const {
  alertOutput,
  clients,
  dropFiles,
  IdleCheck,
  kafkaLag,
  readReports,
  stackAlertStore,
  stackIngestionStore,
  waitForIdle,
} = await pipelineCommands();

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 900);
/** The ceiling's write pattern: the store's commits, this many in flight. */
const BATCHES_IN_FLIGHT = 8;
const POLL_MS = 250;
/** How often the lag and the processes' memory are sampled, and the alerts written counted. */
const LAG_SAMPLE_MS = 1000;
/** How often the alerts written are counted (from notify's tallies, as `wait` does); BENCH_COUNT_EVERY, seconds. */
const COUNT_SAMPLE_MS = Number(process.env.BENCH_COUNT_EVERY ?? 1) * 1000;

interface Dataset {
  files: string[];
  bytes: number;
  manifest: Manifest;
}

/** The same data set (and folder) as bench:detect: one object per symbol, `days` of its bars each. */
async function dataset(symbols: number, days: number): Promise<Dataset> {
  const dir = join(benchRoot, '.bench', `detect-${symbols}x${days}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    process.stderr.write(`generating ${symbols} symbols × ${days} days into ${dir} ...\n`);
    await generateDataset({ out: dir, symbols, days, seed: 7 });
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(dir, name));
  return { files, bytes: files.reduce((sum, file) => sum + statSync(file).size, 0), manifest };
}

/** The alerts the pipeline must write, found by ObjectSeriesDetection (the reference it must match). */
async function expectedAlerts(files: string[]): Promise<Alert[]> {
  const config = detectionConfigFromEnv(process.env);
  const limits = ingestLimitsFromEnv(process.env);
  const clock = readerClock(Date.now(), futureSkewMinutesFromEnv(process.env));
  const detection = new ObjectSeriesDetection(config);
  for (const file of files) {
    const name = basename(file);
    const bars = await readObject(createReadStream(file), {
      objectName: name,
      zone: config.zone,
      limits,
      clock,
    });
    detection.addObject(bars, { object: name, generation: '0' });
  }
  return [...detection.alerts()];
}

/** Collects what is written to it, as the CLI's stdout. */
class Captured extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

/** What `stock-anomalies detect --format jsonl FILE...` prints, as alertLines: what the verdict compares with. */
async function detectLines(files: string[]): Promise<string[]> {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await cli(['detect', '--format', 'jsonl', ...files], {
    stdout,
    stderr,
    env: process.env,
    exitCode: 0,
  });
  if (code !== 0) throw new Error(`detect exited with ${code}: ${stderr.text()}`);
  return alertLines(stdout.text());
}

/**
 * Every alert document in Firestore, read in one scan: as alertLines (the fields `stock-anomalies alerts
 * --format jsonl` prints), and the last document's update time. Not the store's all(): it gives no update
 * times, and holds every alert in memory to sort them, where the lines spill to a file.
 */
async function readBack(stack: StackClients): Promise<{ lines: string[]; lastUpdate: number }> {
  const output = alertOutput('jsonl');
  let lastUpdate = 0;
  const chunks: Buffer[] = [];
  try {
    const documents = stack.firestore.collection(readVariable('ALERTS_COLLECTION', stack.env)).stream();
    for await (const item of documents) {
      const document = item as unknown as QueryDocumentSnapshot;
      // Withdrawn by a late bar's revision (none in this data): kept, not an alert.
      if (document.get('withdrawn') != null) continue;
      output.add(fromAlertDocument(document.data()));
      lastUpdate = Math.max(lastUpdate, document.updateTime.toMillis());
    }
    for (const chunk of output.chunks()) chunks.push(Buffer.from(chunk));
  } finally {
    output.close();
  }
  return { lines: alertLines(Buffer.concat(chunks).toString()), lastUpdate };
}

function alertStore(db: Firestore): FirestoreAlertStore {
  return new FirestoreAlertStore(db, readVariable('ALERTS_COLLECTION'), {
    commitsInFlight: BATCHES_IN_FLIGHT,
  });
}

/** The ceiling: the alert documents notify writes, written through the same store, straight to Firestore. */
async function writeDirectly(db: Firestore, alerts: Alert[]): Promise<number> {
  const started = performance.now();
  await alertStore(db).write(alerts);
  return performance.now() - started;
}

/**
 * The raw ceiling: the same alert documents written with plain batched `set()`s (500 a commit, as many in flight
 * as the store), with no feed entry, no tally and no create precondition: the essential work, none of our code
 * in the way.
 */
async function writeRaw(db: Firestore, alerts: Alert[]): Promise<number> {
  const collection = db.collection(readVariable('ALERTS_COLLECTION'));
  const started = performance.now();
  let next = 0;
  const committer = async () => {
    for (let at = next; at < alerts.length; at = next) {
      next += RAW_PER_COMMIT;
      const batch = db.batch();
      for (const alert of alerts.slice(at, at + RAW_PER_COMMIT)) {
        batch.set(collection.doc(alertId(alert)), toAlertDocument(alert));
      }
      await batch.commit();
    }
  };
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, committer));
  return performance.now() - started;
}

/** Firestore's most writes in one commit. */
const RAW_PER_COMMIT = 500;

/**
 * Nothing left from the measurement before: no documents, no objects (Kafka is drained at the end of every
 * run). Firestore is restarted rather than emptied with the emulator's DELETE endpoint: that removes the
 * documents but not the emulator's memory, which grew past 8 GB over three runs here and then made it up to
 * ten times slower. `restart` names other components to restart with it.
 */
async function reset(
  ctx: StackContext,
  components: readonly ProcessComponent[],
  stack: StackClients,
  restart: string[] = [],
): Promise<void> {
  for (const name of ['firestore', ...restart]) await stopComponent(name, ctx.paths);
  await stackUp(components, ctx);
  await stack.storage.bucket(stack.bucket).deleteFiles({ force: true });
}

/** The dispatcher's consumer lag at one moment: records of the bar topic its group has not committed. */
export interface LagSample {
  /** Milliseconds from the first upload. */
  t: number;
  total: number;
  /** Per partition with any lag, its lag (partitions without are left out). */
  byPartition: Record<number, number>;
}

/** The alerts written at one moment (notify's tallies), milliseconds from the first upload. */
export interface WrittenSample {
  t: number;
  written: number;
}

/**
 * While the pipeline runs: every second the dispatcher's lag and the components' memory, and (from notify's tallies)
 * the alerts written so far. One Kafka admin connection for all of it; each loop waits for its previous call,
 * so a slow answer delays the next sample instead of piling requests onto the stack.
 */
class RunMonitor {
  readonly lag: LagSample[] = [];
  readonly written: WrittenSample[] = [];
  /** Why samples failed, if any did. */
  readonly errors: string[] = [];
  readonly #loops: Promise<void>[] = [];
  #stopped = false;
  /** Ends each loop's wait at once when stopping. */
  readonly #wake = new Set<() => void>();

  constructor(
    readonly stack: StackClients,
    readonly memory: PeakMemory,
    readonly cpu: CpuTime,
    readonly started: number,
  ) {}

  start(): void {
    const admin = this.stack.kafka.admin();
    const topic = readVariable('KAFKA_TOPIC', this.stack.env);
    const group = readVariable('KAFKA_GROUP_ID', this.stack.env);
    this.#loops.push(
      (async () => {
        let connected: Promise<void> | undefined;
        try {
          await this.#every(LAG_SAMPLE_MS, async () => {
            await Promise.all([this.memory.sample(), this.cpu.sample()]);
            await (connected ??= admin.connect().catch((error) => {
              connected = undefined;
              throw error;
            }));
            const t = Date.now() - this.started;
            const lags = await readConsumerLag(admin, topic, group);
            const byPartition: Record<number, number> = {};
            for (const { partition, lag } of lags) if (lag > 0) byPartition[partition] = lag;
            this.lag.push({ t, total: totalLag(lags), byPartition });
          });
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      })(),
    );
    if (COUNT_SAMPLE_MS > 0) {
      this.#loops.push(
        this.#every(COUNT_SAMPLE_MS, async () => {
          const tallies = await stackAlertStore(this.stack).writtenBySymbol();
          const written = [...tallies.values()].reduce((sum, count) => sum + count, 0);
          this.written.push({ t: Date.now() - this.started, written });
        }),
      );
    }
  }

  /** Ends the sampling, after one last memory sample. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#wake) wake();
    await Promise.all(this.#loops);
    await Promise.all([this.memory.sample(), this.cpu.sample()]);
  }

  async #every(ms: number, sample: () => Promise<void>): Promise<void> {
    while (!this.#stopped) {
      const begun = Date.now();
      // A failed sample is a gap in the figures, not a failed run: the stack's own checks judge the run.
      await sample().catch((error) =>
        this.errors.push(error instanceof Error ? error.message : String(error)),
      );
      const rest = ms - (Date.now() - begun);
      if (rest > 0 && !this.#stopped) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.#wake.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, rest);
          this.#wake.add(wake);
        });
      }
    }
  }
}

export interface PipelineRun {
  batchMinutes: number;
  /** Milliseconds from the first upload. */
  uploaded: number;
  ingested: number;
  drained: number;
  /** The last alert document's update time. */
  written: number;
  /** When the idle condition of `wait` held. */
  idle: number;
  alerts: number;
  /** How long one poll of `wait` takes once everything is written (median of five, connected). */
  poll: number;
  /** The ceiling measured just before; undefined when not measured. */
  ceiling: number | undefined;
  /** The raw ceiling (plain batched set()s of the same documents) measured just before; undefined when not. */
  rawCeiling?: number;
  /** Kafka records the ingestions produced (their batches). */
  records: number;
  lag: LagSample[];
  writtenOverTime: WrittenSample[];
  /** Why samples of the lag, the memory or the alerts written failed, if any did. */
  samplingErrors: string[];
  /** Per component, the peak resident memory (VmHWM, MiB) of its processes, and how many there were. */
  memory: Record<string, { peakMiB: number; processes: number }>;
  /** Per component, the CPU seconds its processes used from the first upload to idle. */
  cpu: Record<string, number>;
  /** The CPU seconds Firestore used writing the ceiling's documents; undefined when not measured. */
  ceilingFirestoreCpu: number | undefined;
  /** The CPU seconds the writing client (this process) used for them, as notify would. */
  ceilingClientCpu: number | undefined;
  /** Firestore's alerts against `detect`'s on the same files. */
  verdict: Verdict;
  /** Ingestions whose reports do not account for every accepted bar (empty: all complete). */
  incomplete: string[];
}

/** The run proves the load: exactly `detect`'s alerts, and every report complete. */
export const runPassed = (run: PipelineRun) =>
  run.verdict.verdict === 'ALL-DELIVERED' && run.incomplete.length === 0;

interface Stages {
  uploaded: number;
  ingested: number;
  drained: number;
  idle: number;
}

/** Drops the files and waits for each stage in turn; milliseconds from `started`. */
async function untilIdle(stack: StackClients, files: string[], started: number): Promise<Stages> {
  const context = quietContext();
  const ingestions = stackIngestionStore(stack);
  const deadline = Date.now() + TIMEOUT_S * 1000;
  const sleep = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

  await dropFiles(stack, files, context);
  if (context.exitCode !== 0) throw new Error('some files could not be uploaded');
  const uploaded = Date.now() - started;

  // Ingest done: every object's ingestion finished; its own finishedAt says when.
  let ingested: number | undefined;
  while (ingested === undefined) {
    const docs = await ingestions.list();
    const failed = docs.filter((doc) => doc.status === 'rejected');
    if (failed.length > 0) throw new Error(`rejected: ${failed.map((doc) => doc.id).join(', ')}`);
    if (docs.length === files.length && docs.every((doc) => doc.status === 'done')) {
      const finished = docs.map((doc) => doc.finishedAt!.getTime());
      ingested = Math.max(...finished) - started;
    } else if (Date.now() > deadline) {
      throw new Error(`timed out: ${docs.length} of ${files.length} objects have an ingestion`);
    } else await sleep();
  }
  // Kafka drained: every record produced has been delivered to detect (the dispatcher committed it).
  while ((await kafkaLag(stack)) > 0) {
    if (Date.now() > deadline) throw new Error('timed out waiting for Kafka to drain');
    await sleep();
  }
  const drained = Date.now() - started;
  // Alerts written: the idle condition of `stock-anomalies wait`, which also covers the two stages above.
  if (!(await waitForIdle(stack, Math.max(1, (deadline - Date.now()) / 1000), context))) {
    throw new Error('timed out waiting for the pipeline to go idle');
  }
  return { uploaded, ingested, drained, idle: Date.now() - started };
}

async function runPipeline(
  stack: StackClients,
  files: string[],
  batchMinutes: number,
  ceiling: number | undefined,
  expected: readonly string[],
  memory: PeakMemory,
  cpu: CpuTime,
): Promise<PipelineRun> {
  const started = Date.now();
  const monitor = new RunMonitor(stack, memory, cpu, started);
  monitor.start();
  // The sampling ends at idle: the reads below (every alert, for the verdict) are not the pipeline's load.
  const { uploaded, ingested, drained, idle } = await untilIdle(stack, files, started).finally(() =>
    monitor.stop(),
  );
  // One poll of `wait` once idle, as it polls: the median of five over the connection the first one made.
  const poll = await pollTime(stack);
  // The one read of every alert: for the verdict, and for when the last one was written (its update time).
  const { lines, lastUpdate } = await readBack(stack);
  const alerts = lines.length;
  const written = lastUpdate - started;
  const verdict = verdictOf(expected, lines);
  const reports = await readReports(stack);
  const records = (await stackIngestionStore(stack).list()).reduce((sum, doc) => sum + (doc.batches ?? 0), 0);
  return {
    batchMinutes,
    uploaded,
    ingested,
    drained,
    written,
    idle,
    alerts,
    poll,
    ceiling,
    records,
    lag: monitor.lag,
    writtenOverTime: monitor.written,
    samplingErrors: monitor.errors,
    memory: Object.fromEntries(memory.peaks()),
    cpu: Object.fromEntries(cpu.used()),
    ceilingFirestoreCpu: undefined,
    ceilingClientCpu: undefined,
    verdict,
    incomplete: incompleteReports(reports),
  };
}

async function pollTime(stack: StackClients): Promise<number> {
  const check = new IdleCheck(stack);
  try {
    await check.pending();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const pending = await check.pending();
      times.push(performance.now() - started);
      if (pending.length > 0) throw new Error(`not idle after all: ${pending.join('; ')}`);
    }
    return times.sort((a, b) => a - b)[2]!;
  } finally {
    await check.close();
  }
}

export interface PipelineOptions {
  /** Where the benchmark's stack runs; default benchPlacement('pipeline'). */
  placement?: StackPlacement;
  /** BATCH_MINUTES values to run; default BENCH_BATCH_MINUTES, else the runtime's. */
  batchMinutes?: number[];
  /** Measure the ceiling (the same alerts written directly) before each run; default true. */
  ceiling?: boolean;
  /** Objects (one symbol each) and days of bars in each; default BENCH_SYMBOLS and BENCH_DAYS. */
  symbols?: number;
  days?: number;
}

export interface PipelineFigures {
  symbols: number;
  days: number;
  files: number;
  bytes: number;
  rows: number;
  /** The alerts `detect` finds in the files. */
  expected: number;
  runs: PipelineRun[];
}

/** The whole benchmark on a stack of its own: one pipeline run per BATCH_MINUTES value, each judged. */
export async function benchPipeline(options: PipelineOptions = {}): Promise<PipelineFigures> {
  const symbols = options.symbols ?? SYMBOLS;
  const days = options.days ?? DAYS;
  const data = await dataset(symbols, days);
  const rows = data.manifest.totals.expected.dataRows;
  const defaultBatch = Number(readVariable('BATCH_MINUTES'));
  const batchMinutes =
    options.batchMinutes ??
    (process.env.BENCH_BATCH_MINUTES ?? String(defaultBatch)).split(',').map((text) => Number(text.trim()));
  if (batchMinutes.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`BATCH_MINUTES values must be positive integers, got '${batchMinutes.join(',')}'`);
  }
  const measureCeiling = options.ceiling ?? true;
  process.stderr.write(`finding the expected alerts with detect ...\n`);
  const expected = await detectLines(data.files);
  // The ceiling writes the alert records notify would write (with a generation), not detect's lines.
  const alerts = measureCeiling ? await expectedAlerts(data.files) : [];

  const ctx = isolateStack(options.placement ?? benchPlacement('pipeline'));
  // Components inherit this process's environment, so BATCH_MINUTES set here reaches ingest when it starts.
  process.env.BATCH_MINUTES = String(batchMinutes[0]);
  const components = stackComponents(ctx, [appComponents]);
  const runs = await withIsolatedStack(ctx, components, async () => {
    const stack = clients(quietContext());
    const names = components.map((component) => component.name);
    const memory = () => new PeakMemory(ctx.paths.run, names);
    const runs: PipelineRun[] = [];
    for (const [index, minutes] of batchMinutes.entries()) {
      let ceiling: number | undefined;
      let rawCeiling: number | undefined;
      let ceilingFirestoreCpu: number | undefined;
      let ceilingClientCpu: number | undefined;
      if (measureCeiling) {
        await reset(ctx, components, stack);
        process.stderr.write(
          `raw ceiling: writing ${whole(alerts.length)} alert documents with plain set() ...\n`,
        );
        rawCeiling = await writeRaw(stack.firestore, alerts);
        // The ceiling right before each pipeline run, so that both see the same machine (it is shared).
        await reset(ctx, components, stack);
        process.stderr.write(`ceiling: writing ${whole(alerts.length)} alert documents directly ...\n`);
        const cpu = new CpuTime(ctx.paths.run, ['firestore']);
        await cpu.sample();
        const client = process.cpuUsage();
        ceiling = await writeDirectly(stack.firestore, alerts);
        const used = process.cpuUsage(client);
        await cpu.sample();
        ceilingFirestoreCpu = cpu.used().get('firestore');
        ceilingClientCpu = (used.user + used.system) / 1e6;
      }
      // ingest reads BATCH_MINUTES when it starts: restart it with the next value.
      process.env.BATCH_MINUTES = String(minutes);
      await reset(ctx, components, stack, index > 0 ? ['ingest'] : []);
      process.stderr.write(`pipeline, BATCH_MINUTES=${minutes}: dropping ${data.files.length} files ...\n`);
      const cpu = new CpuTime(ctx.paths.run, names);
      const run = await runPipeline(stack, data.files, minutes, ceiling, expected, memory(), cpu);
      runs.push({
        ...run,
        ...(rawCeiling === undefined ? {} : { rawCeiling }),
        ceilingFirestoreCpu,
        ceilingClientCpu,
      });
    }
    await stack.firestore.terminate();
    return runs;
  });
  return {
    symbols,
    days,
    files: data.files.length,
    bytes: data.bytes,
    rows,
    expected: expected.length,
    runs,
  };
}

/** One row per `step` of the lag samples (the last one taken by then) and the alerts written by then. */
function lagTable(run: PipelineRun): Table.Table {
  const last = run.lag.at(-1)?.t ?? 0;
  // About 5 s a row; longer runs get coarser rows, so that the table stays within some 40 lines.
  const step = Math.max(5000, Math.ceil(last / 40 / 5000) * 5000);
  const table = new Table({
    head: ['t', 'lag (records)', 'max partition', 'partitions lagging', 'alerts written'],
    colAligns: ['right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  const row = (sample: LagSample) => {
    const lags = Object.values(sample.byPartition);
    const written = run.writtenOverTime.filter((count) => count.t <= sample.t).at(-1)?.written;
    table.push([
      seconds(sample.t),
      whole(sample.total),
      whole(Math.max(0, ...lags)),
      String(lags.length),
      written === undefined ? '-' : whole(written),
    ]);
  };
  for (let at = 0; at <= last; at += step) {
    const sample = run.lag.filter((lag) => lag.t <= at).at(-1) ?? run.lag[0];
    if (sample) row(sample);
  }
  const final = run.lag.at(-1);
  if (final && final.t % step !== 0) row(final);
  return table;
}

function describeVerdict(verdict: Verdict): string {
  const some = (ids: string[]) =>
    `${whole(ids.length)}${ids.length > 0 ? ` (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''})` : ''}`;
  switch (verdict.verdict) {
    case 'ALL-DELIVERED':
      return `ALL-DELIVERED: ${whole(verdict.count)} alerts, each once and equal to detect's`;
    case 'LESS-THAN-EXPECTED':
      return `LESS-THAN-EXPECTED: missing ${some(verdict.missing)}`;
    case 'MORE-THAN-EXPECTED':
      return `MORE-THAN-EXPECTED: extra ${some(verdict.extra)}`;
    case 'DIFFERENT':
      return (
        `DIFFERENT: missing ${some(verdict.missing)}, extra ${some(verdict.extra)}, ` +
        `changed ${some(verdict.changed)}`
      );
  }
}

/** The figures as the benchmark prints them. */
export function printPipeline(figures: PipelineFigures): void {
  const { runs, rows } = figures;
  const mib = (figures.bytes / 2 ** 20).toFixed(0);
  console.log(
    `data: ${figures.files} files, ${mib} MiB, ${whole(rows)} data rows (${figures.symbols} symbols × ${figures.days} days), ` +
      `${whole(figures.expected)} alerts`,
  );
  const ceiling = (run: PipelineRun, text: (ms: number) => string) =>
    run.ceiling === undefined ? '-' : text(run.ceiling);
  const raw = (run: PipelineRun, text: (ms: number) => string) =>
    run.rawCeiling === undefined ? '-' : text(run.rawCeiling);
  const table = new Table({
    head: ['from the first upload', ...runs.map((run) => `BATCH_MINUTES=${run.batchMinutes}`)],
    colAligns: ['left', ...runs.map(() => 'right' as const)],
    style: { head: [], border: [] },
  });
  table.push(
    ['all files uploaded', ...runs.map((run) => seconds(run.uploaded))],
    ['ingest done (last finishedAt)', ...runs.map((run) => seconds(run.ingested))],
    ['Kafka drained (lag 0)', ...runs.map((run) => seconds(run.drained))],
    ['last alert written (its updateTime)', ...runs.map((run) => seconds(run.written))],
    ['idle, as `wait` sees it', ...runs.map((run) => seconds(run.idle))],
    ['  (one `wait` poll takes)', ...runs.map((run) => `${Math.round(run.poll)} ms`)],
    ['pipeline bars/s (to last alert)', ...runs.map((run) => whole(rows / (run.written / 1000)))],
    ['pipeline bars/s (to idle)', ...runs.map((run) => whole(rows / (run.idle / 1000)))],
    ['raw ceiling: plain batched set()', ...runs.map((run) => raw(run, seconds))],
    ['raw ceiling docs/s', ...runs.map((run) => raw(run, (ms) => whole(figures.expected / (ms / 1000))))],
    ['store ceiling: through the alert store', ...runs.map((run) => ceiling(run, seconds))],
    [
      'store ceiling docs/s',
      ...runs.map((run) => ceiling(run, (ms) => whole(figures.expected / (ms / 1000)))),
    ],
    [
      'store ceiling / raw ceiling',
      ...runs.map((run) => raw(run, (ms) => ceiling(run, (c) => `${(c / ms).toFixed(2)}×`))),
    ],
    [
      'pipeline / raw ceiling (idle)',
      ...runs.map((run) => raw(run, (ms) => `${(run.idle / ms).toFixed(2)}×`)),
    ],
    [
      'pipeline / store ceiling (last alert)',
      ...runs.map((run) => ceiling(run, (ms) => `${(run.written / ms).toFixed(2)}×`)),
    ],
    [
      'pipeline / store ceiling (idle)',
      ...runs.map((run) => ceiling(run, (ms) => `${(run.idle / ms).toFixed(2)}×`)),
    ],
  );
  console.log(table.toString());
  if (runs.some((run) => run.ceiling !== undefined)) {
    console.log(
      `raw ceiling: the ${whole(figures.expected)} alert documents notify writes, written straight to the same ` +
        `Firestore with plain batched set()s (${RAW_PER_COMMIT} a commit, ${BATCHES_IN_FLIGHT} in flight; no feed entry, ` +
        `no tally). Store ceiling: the same documents through the alert store (commits of ${WRITES_PER_COMMIT} ` +
        `writes: ${ALERTS_PER_COMMIT} alerts, their feed entry and tally; ${BATCHES_IN_FLIGHT} in flight). Both ` +
        `measured on a fresh Firestore just before each pipeline run`,
    );
  }

  for (const run of runs) {
    const peak = run.lag.reduce((a, b) => (b.total > a.total ? b : a), run.lag[0] ?? { t: 0, total: 0 });
    console.log(
      `\nBATCH_MINUTES=${run.batchMinutes}: the dispatcher's consumer lag, sampled every ` +
        `${LAG_SAMPLE_MS / 1000} s (${run.records} records produced; peak lag ${whole(peak.total)} at ` +
        `${seconds(peak.t)}; alerts written: ${COUNT_SAMPLE_MS > 0 ? `tallies every ${COUNT_SAMPLE_MS / 1000} s` : 'not counted'})`,
    );
    console.log(lagTable(run).toString());
    if (run.samplingErrors.length > 0) {
      console.log(`  (${run.samplingErrors.length} samples failed; the first: ${run.samplingErrors[0]})`);
    }
    const memory = new Table({
      head: ['component', 'peak RSS (VmHWM)', 'CPU to idle', 'processes'],
      colAligns: ['left', 'right', 'right', 'right'],
      style: { head: [], border: [] },
    });
    for (const [name, { peakMiB, processes }] of Object.entries(run.memory)) {
      memory.push([name, `${whole(peakMiB)} MiB`, `${(run.cpu[name] ?? 0).toFixed(1)} s`, String(processes)]);
    }
    console.log(
      `BATCH_MINUTES=${run.batchMinutes}: peak resident memory of each component, up to idle (the largest ` +
        `VmHWM among its processes: a wrapper's and what it started), and the CPU its processes used`,
    );
    console.log(memory.toString());
    const cpuTotal = Object.values(run.cpu).reduce((sum, seconds) => sum + seconds, 0);
    console.log(
      `CPU: ${cpuTotal.toFixed(1)} s over ${seconds(run.idle)} to idle (${(cpuTotal / (run.idle / 1000)).toFixed(2)} ` +
        `of this machine's ${availableParallelism()} cores busy on average)` +
        (run.ceilingFirestoreCpu === undefined
          ? ''
          : `; Firestore used ${(run.cpu.firestore ?? 0).toFixed(1)} s and notify ${(run.cpu.notify ?? 0).toFixed(1)} s, ` +
            `against ${run.ceilingFirestoreCpu.toFixed(1)} s and ${(run.ceilingClientCpu ?? 0).toFixed(1)} s ` +
            `(the writing client) for the ceiling's documents`),
    );
    console.log(`verdict: ${describeVerdict(run.verdict)}`);
    console.log(
      run.incomplete.length === 0
        ? `reports: all ${figures.files} complete (processed + repeats + too late = accepted)`
        : `reports: INCOMPLETE: ${run.incomplete.join('; ')}`,
    );
  }
  if (runs.length > 1) {
    const best = runs.reduce((a, b) => (b.written < a.written ? b : a));
    console.log(`fastest: BATCH_MINUTES=${best.batchMinutes}`);
    console.log(
      "memory: VmHWM is a process's peak over its life; Firestore (and ingest, after the first run) start " +
        'afresh before each run, the others carry their peak over from the runs before',
    );
  }
}

/**
 * How the cost grows with the number of objects: one line per run of the series, each on a stack of its own.
 * The ratio to the ceiling must not grow with the objects.
 */
export function printGrowth(series: readonly PipelineFigures[]): void {
  const names = [
    ...new Set(series.flatMap((figures) => figures.runs.flatMap((run) => Object.keys(run.memory)))),
  ];
  const table = new Table({
    head: [
      'objects',
      'bars',
      'alerts',
      'to idle',
      'bars/s',
      'ceiling',
      'ratio',
      ...names.map((n) => `${n} MiB`),
    ],
    colAligns: [
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      ...names.map(() => 'right' as const),
    ],
    style: { head: [], border: [] },
  });
  for (const figures of series) {
    for (const run of figures.runs) {
      table.push([
        String(figures.files),
        whole(figures.rows),
        whole(figures.expected),
        seconds(run.idle),
        whole(figures.rows / (run.idle / 1000)),
        run.ceiling === undefined ? '-' : seconds(run.ceiling),
        run.ceiling === undefined ? '-' : `${(run.idle / run.ceiling).toFixed(2)}×`,
        ...names.map((name) => whole(run.memory[name]?.peakMiB ?? 0)),
      ]);
    }
  }
  console.log(
    `\nhow the cost grows with the objects (one symbol × ${series[0]?.days} days each; ratio: to idle / ceiling; ` +
      'peak resident memory of each component)',
  );
  console.log(table.toString());
}

if (isMain(import.meta.url)) {
  // BENCH_OBJECTS=10,40,160: the same benchmark at each number of objects, and how the cost grows.
  const objects = (process.env.BENCH_OBJECTS ?? String(SYMBOLS))
    .split(',')
    .map((text) => Number(text.trim()));
  if (objects.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`BENCH_OBJECTS must be positive integers, got '${objects.join(',')}'`);
  }
  const series: PipelineFigures[] = [];
  for (const symbols of objects) {
    const figures = await benchPipeline({ symbols });
    printPipeline(figures);
    series.push(figures);
    if (!figures.runs.every(runPassed)) process.exitCode = 1;
  }
  if (series.length > 1) printGrowth(series);
}
