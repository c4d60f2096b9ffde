/**
 * `npm run bench:pipeline`: bars per second through the whole event-driven pipeline on the local stack, from
 * the first upload to the last alert written, on the data set of `bench:detect` (40 symbols × 50 days, about
 * 750k bars, generated once into .bench/), with the time of each stage; beside it the ceiling: the same stack's
 * Firestore writing the same alert documents directly, in batches of 500 with 8 in flight.
 *
 * It runs its own stack (its own folder under .bench/ and its own ports, see isolatedStack.ts), started and
 * stopped here, so a developer's stack is never touched.
 *
 * Settings: BENCH_BATCH_MINUTES (comma-separated BATCH_MINUTES values to compare; default the runtime's),
 * BENCH_SYMBOLS, BENCH_DAYS, BENCH_TIMEOUT (seconds per run, default 900), BENCH_STACK_* (placement).
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Table from 'cli-table3';
import type { Firestore } from '@google-cloud/firestore';
import { generateDataset, type Manifest } from '../cli/generate/index.js';
import { dropFiles } from '../cli/commands/drop.js';
import { kafkaLag, waitForIdle } from '../cli/commands/wait.js';
import { clients, stackIngestionStore, type StackClients } from '../cli/stackClients.js';
import { detectionConfigFromEnv } from '../shared/config/detection.js';
import { ingestLimitsFromEnv } from '../shared/config/ingestLimits.js';
import { readVariable } from '../shared/config/runtime.js';
import type { Alert } from '../shared/core/alert.js';
import { ObjectSeriesDetection } from '../shared/core/objectSeriesDetection.js';
import { readObject } from '../shared/core/readObject.js';
import { FirestoreAlertStore, WRITES_PER_COMMIT } from '../shared/state/alertStore.js';
import { appComponents } from '../stack/appComponents.js';
import type { ProcessComponent, StackContext } from '../stack/component.js';
import { stackComponents } from '../stack/components.js';
import { stopComponent } from '../stack/lifecycle.js';
import { stackUp } from '../stack/orchestrate.js';
import {
  benchPlacement,
  benchRoot,
  isolateStack,
  quietContext,
  seconds,
  whole,
  withIsolatedStack,
} from './isolatedStack.js';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 900);
/** The ceiling's write pattern: the store's commits, this many in flight. */
const BATCHES_IN_FLIGHT = 8;
const POLL_MS = 250;

interface Dataset {
  files: string[];
  bytes: number;
  manifest: Manifest;
}

/** The same data set (and folder) as bench:detect. */
async function dataset(): Promise<Dataset> {
  const dir = join(benchRoot, '.bench', `detect-${SYMBOLS}x${DAYS}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    process.stderr.write(`generating ${SYMBOLS} symbols × ${DAYS} days into ${dir} ...\n`);
    await generateDataset({ out: dir, symbols: SYMBOLS, days: DAYS, seed: 7 });
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
  const detection = new ObjectSeriesDetection(config);
  for (const file of files) {
    const name = basename(file);
    const bars = await readObject(createReadStream(file), { objectName: name, zone: config.zone, limits });
    detection.addObject(bars, { object: name, generation: '0' });
  }
  return [...detection.alerts()];
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

interface PipelineRun {
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
  /** How long one poll of `wait` takes once everything is written (the resolution of `idle`). */
  poll: number;
  /** The ceiling measured just before. */
  ceiling: number;
}

async function runPipeline(
  stack: StackClients,
  files: string[],
  batchMinutes: number,
  ceiling: number,
): Promise<PipelineRun> {
  const context = quietContext();
  const ingestions = stackIngestionStore(stack);
  const deadline = Date.now() + TIMEOUT_S * 1000;
  const sleep = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

  const started = Date.now();
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
  const idle = Date.now() - started;
  // The idle check sees the end only at its next poll, and one poll takes seconds on this many alerts: the
  // documents' own update times say when the last one was written.
  const polled = Date.now();
  await waitForIdle(stack, 60, context);
  const poll = Date.now() - polled;
  const store = alertStore(stack.firestore);
  const alerts = await store.count();
  const written = (await store.lastUpdate()) - started;
  return { batchMinutes, uploaded, ingested, drained, written, idle, alerts, poll, ceiling };
}

async function main(): Promise<void> {
  const data = await dataset();
  const rows = data.manifest.totals.expected.dataRows;
  const defaultBatch = Number(readVariable('BATCH_MINUTES'));
  const batchMinutes = (process.env.BENCH_BATCH_MINUTES ?? String(defaultBatch))
    .split(',')
    .map((text) => Number(text.trim()));
  if (batchMinutes.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(
      `BENCH_BATCH_MINUTES must be positive integers, got '${process.env.BENCH_BATCH_MINUTES}'`,
    );
  }
  process.stderr.write(`finding the expected alerts with the batch detector ...\n`);
  const alerts = await expectedAlerts(data.files);

  const ctx = isolateStack(benchPlacement('pipeline'));
  // Components inherit this process's environment, so BATCH_MINUTES set here reaches ingest when it starts.
  process.env.BATCH_MINUTES = String(batchMinutes[0]);
  const components = stackComponents(ctx, [appComponents]);
  const runs = await withIsolatedStack(ctx, components, async () => {
    const stack = clients(quietContext());
    const runs: PipelineRun[] = [];
    for (const [index, minutes] of batchMinutes.entries()) {
      // The ceiling right before each pipeline run, so that both see the same machine (it is shared).
      await reset(ctx, components, stack);
      process.stderr.write(`ceiling: writing ${whole(alerts.length)} alert documents directly ...\n`);
      const ceiling = await writeDirectly(stack.firestore, alerts);
      // ingest reads BATCH_MINUTES when it starts: restart it with the next value.
      process.env.BATCH_MINUTES = String(minutes);
      await reset(ctx, components, stack, index > 0 ? ['ingest'] : []);
      process.stderr.write(`pipeline, BATCH_MINUTES=${minutes}: dropping ${data.files.length} files ...\n`);
      const run = await runPipeline(stack, data.files, minutes, ceiling);
      if (run.alerts !== alerts.length) {
        throw new Error(`the pipeline wrote ${run.alerts} alerts, the batch detector finds ${alerts.length}`);
      }
      runs.push(run);
    }
    await stack.firestore.terminate();
    return runs;
  });

  const mib = (data.bytes / 2 ** 20).toFixed(0);
  console.log(
    `data: ${data.files.length} files, ${mib} MiB, ${whole(rows)} data rows (${SYMBOLS} symbols × ${DAYS} days), ` +
      `${whole(alerts.length)} alerts`,
  );
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
    ['  (one `wait` poll takes)', ...runs.map((run) => seconds(run.poll))],
    ['pipeline bars/s (to last alert)', ...runs.map((run) => whole(rows / (run.written / 1000)))],
    ['pipeline bars/s (to idle)', ...runs.map((run) => whole(rows / (run.idle / 1000)))],
    ['ceiling: same alert docs written directly', ...runs.map((run) => seconds(run.ceiling))],
    ['ceiling docs/s', ...runs.map((run) => whole(alerts.length / (run.ceiling / 1000)))],
    ['pipeline / ceiling (last alert)', ...runs.map((run) => `${(run.written / run.ceiling).toFixed(2)}×`)],
    ['pipeline / ceiling (idle)', ...runs.map((run) => `${(run.idle / run.ceiling).toFixed(2)}×`)],
  );
  console.log(table.toString());
  console.log(
    `ceiling: the ${whole(alerts.length)} alert documents notify writes, written straight to the same Firestore ` +
      `(commits of ${WRITES_PER_COMMIT}, ${BATCHES_IN_FLIGHT} in flight), measured just before each pipeline run`,
  );
  const best = runs.reduce((a, b) => (b.written < a.written ? b : a));
  if (runs.length > 1) console.log(`fastest: BATCH_MINUTES=${best.batchMinutes}`);
}

await main();
