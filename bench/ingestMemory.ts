/**
 * `npm run bench:memory`: does a 1 GB CSV ingest within a 2 GiB function instance?
 *
 * Generates one symbol's file of about 1 GB (into .bench/memory/, deleted afterwards unless
 * BENCH_KEEP_FILE=1), runs the ingest function exactly as the local stack does (functions-framework from
 * dist/) but under `node --max-old-space-size=1536`, drops the file into the bucket, waits for its ingestion to
 * finish, and reads the function process's peak resident memory (VmHWM in /proc/<pid>/status) against 2 GiB.
 *
 * It runs its own stack (infrastructure, ingest and the storage-event router only; see isolatedStack.ts), so
 * a developer's stack is never touched. Settings: BENCH_MEMORY_BYTES (default 1e9), BENCH_MEMORY_HEAP_MIB
 * (default 1536), BENCH_TIMEOUT (seconds, default 1800), BENCH_STACK_* (placement).
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { generateDataset, pipelineCommands, type Manifest } from '../cli/api.js';
import { ingestionId } from '../shared/state/ingestionStore.js';
import { appComponents } from '../stack/appComponents.js';
import type { ComponentFactory } from '../stack/component.js';
import { stackComponents } from '../stack/components.js';
import { logFilePath } from '../stack/lifecycle.js';
import { tailFile } from '../stack/tools.js';
import {
  benchPlacement,
  benchRoot,
  isolateStack,
  isMain,
  quietContext,
  seconds,
  whole,
  withIsolatedStack,
} from './isolatedStack.js';
import { memoryOf } from './processMemory.js';

// The pipeline commands' functions (cli/api.ts loads them when asked), here before anything is measured.
const { clients, dropFiles, stackIngestionStore } = await pipelineCommands();

const TARGET_BYTES = Number(process.env.BENCH_MEMORY_BYTES ?? 1e9);
const HEAP_MIB = Number(process.env.BENCH_MEMORY_HEAP_MIB ?? 1536);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 1800);
const KEEP_FILE = process.env.BENCH_KEEP_FILE === '1';
/** The function instance's memory. */
const INSTANCE_MIB = 2048;
const SEED = 11;
const dir = join(benchRoot, '.bench', 'memory');

/** One symbol, as many trading days as make about TARGET_BYTES (measured on a short file of the same symbol). */
async function bigFile(): Promise<{ file: string; rows: number; expectedAccepted: number }> {
  const probeDir = join(dir, 'probe');
  const probeDays = 40;
  const probe = await generateDataset({ out: probeDir, symbols: 1, days: probeDays, seed: SEED });
  const bytesPerDay = statSync(join(probeDir, probe.files[0]!.file)).size / probeDays;
  rmSync(probeDir, { recursive: true, force: true });
  const days = Math.ceil(TARGET_BYTES / bytesPerDay);

  const manifestPath = join(dir, 'manifest.json');
  let manifest: Manifest | undefined;
  if (existsSync(manifestPath)) {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.options.days !== days || manifest.options.seed !== SEED) manifest = undefined;
  }
  if (manifest === undefined) {
    process.stderr.write(
      `generating one symbol × ${whole(days)} days (about ${whole(TARGET_BYTES)} bytes) ...\n`,
    );
    manifest = await generateDataset({ out: dir, symbols: 1, days, seed: SEED });
  }
  const name = readdirSync(dir).find((entry) => entry.endsWith('.csv'))!;
  return {
    file: join(dir, name),
    rows: manifest.totals.expected.dataRows,
    expectedAccepted: manifest.totals.expected.accepted,
  };
}

/** ingest as appComponents runs it, with the heap limit of the instance's Node, and the router that feeds it. */
const ingestUnderLimit: ComponentFactory = (ctx) =>
  appComponents(ctx)
    .filter((component) => component.name === 'ingest' || component.name === 'router')
    .map((component) =>
      component.name === 'ingest'
        ? { ...component, args: [`--max-old-space-size=${HEAP_MIB}`, ...component.args] }
        : component,
    );

/** What one run measured; `fits` is the verdict: ingested, and the peak within the instance's memory. */
export interface IngestMemoryFigures {
  name: string;
  bytes: number;
  rows: number;
  /** done, rejected, failed, or why there is none (timed out, the process died: its log's last lines). */
  outcome: string;
  accepted: number;
  /** What the generator's manifest says a correct reader accepts. */
  expectedAccepted: number;
  batches: number;
  uploadMs: number;
  /** The ingestion's startedAt to finishedAt. */
  ingestMs: number;
  rssBeforeMiB: number;
  peakMiB: number;
  instanceMiB: number;
  heapMiB: number;
  fits: boolean;
}

/** Generates the file (unless kept from before), ingests it on a stack of its own and reads the peak. */
export async function measureIngestMemory(): Promise<IngestMemoryFigures> {
  const { file, rows, expectedAccepted } = await bigFile();
  const bytes = statSync(file).size;
  const name = file.slice(file.lastIndexOf('/') + 1);
  try {
    const ctx = isolateStack(benchPlacement('memory', 100));
    const components = stackComponents(ctx, [ingestUnderLimit]);
    return await withIsolatedStack(ctx, components, async (started) => {
      const pid = started.find((result) => result.name === 'ingest')!.pid!;
      const before = memoryOf(pid)!;
      const stack = clients(quietContext());
      const context = quietContext();
      const begun = Date.now();
      await dropFiles(stack, [file], context);
      if (context.exitCode !== 0) throw new Error(`could not upload ${file}`);
      const uploadMs = Date.now() - begun;
      const [object] = await stack.storage.bucket(stack.bucket).file(name).getMetadata();
      const store = stackIngestionStore(stack);
      const id = ingestionId(name, String(object.generation));

      process.stderr.write(
        `dropped ${name} (${whole(bytes)} bytes) in ${seconds(uploadMs)}; ingesting ...\n`,
      );
      const deadline = Date.now() + TIMEOUT_S * 1000;
      let peak = before.peakMiB;
      let outcome: string | undefined;
      for (let polls = 0; outcome === undefined; polls++) {
        const memory = memoryOf(pid);
        if (memory === undefined) {
          const log = await tailFile(logFilePath(ctx.paths, 'ingest'), 15);
          outcome = `the ingest process died; last lines of its log:\n${log}`;
          break;
        }
        peak = Math.max(peak, memory.peakMiB);
        if (polls % 10 === 0) {
          const status = (await store.get(id))?.status;
          if (status === 'done' || status === 'rejected' || status === 'failed') outcome = status;
        }
        if (Date.now() > deadline) outcome = `timed out after ${TIMEOUT_S} s`;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      peak = Math.max(peak, memoryOf(pid)?.peakMiB ?? 0);
      const ingestion = await store.get(id);
      await stack.firestore.terminate();
      return {
        name,
        bytes,
        rows,
        outcome,
        accepted: ingestion?.report?.accepted ?? NaN,
        expectedAccepted,
        batches: ingestion?.batches ?? NaN,
        uploadMs,
        ingestMs: ingestion?.finishedAt
          ? ingestion.finishedAt.getTime() - ingestion.startedAt.getTime()
          : NaN,
        rssBeforeMiB: before.rssMiB,
        peakMiB: peak,
        instanceMiB: INSTANCE_MIB,
        heapMiB: HEAP_MIB,
        fits: outcome === 'done' && peak <= INSTANCE_MIB,
      };
    });
  } finally {
    if (!KEEP_FILE) rmSync(dir, { recursive: true, force: true });
  }
}

function print(figures: IngestMemoryFigures): void {
  const { outcome, peakMiB: peak } = figures;
  const table = new Table({ style: { head: [], border: [] }, colAligns: ['left', 'right'] });
  table.push(
    ['file', `${figures.name}, ${whole(figures.bytes)} bytes, ${whole(figures.rows)} data rows`],
    ['ingest outcome', outcome.split('\n')[0]!],
    ['accepted bars, Kafka messages', `${whole(figures.accepted)}, ${whole(figures.batches)}`],
    ['upload', seconds(figures.uploadMs)],
    ['ingest (startedAt to finishedAt)', seconds(figures.ingestMs)],
    ['ingest rate', `${whole(figures.rows / (figures.ingestMs / 1000))} rows/s`],
    ['ingest process RSS before the drop', `${whole(figures.rssBeforeMiB)} MiB`],
    ['peak RSS (VmHWM)', `${whole(peak)} MiB${outcome === 'done' ? '' : ' (last seen)'}`],
    ['instance memory / V8 heap limit', `${figures.instanceMiB} MiB / ${figures.heapMiB} MiB`],
    ['fits', figures.fits ? `yes, ${whole(figures.instanceMiB - peak)} MiB to spare` : 'NO'],
  );
  console.log(table.toString());
  if (outcome.includes('\n')) console.log(outcome);
}

if (isMain(import.meta.url)) {
  const figures = await measureIngestMemory();
  print(figures);
  if (!figures.fits) process.exitCode = 1;
}
