/**
 * `npm run bench:latency`: a live market on the local stack. `replay` uploads one object per market minute (all
 * symbols' bars of that minute) at BENCH_SPEED times real time (default 60: an object a second) through the real
 * path (bucket → ingest → Kafka → detect → notify), and this prints, per alert, the time from the end of its
 * minute's upload to notify writing it (the alert's `writtenAt`, the emulator's clock on this machine), as p50,
 * p95, p99 and max; and per minute whether its alerts were all written before the next minute's upload began
 * (keeping up), with the bars the pipeline counted late (a minute overtaken by the next one).
 *
 * Settings: BENCH_SYMBOLS (default 40), BENCH_MINUTES (default 120 minutes of the first session), BENCH_SPEED
 * (default 60), BENCH_STACK_* (placement). It runs its own stack (isolatedStack.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Timestamp, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { generateDataset } from '../cli/generate/index.js';
import { readReports } from '../cli/commands/reports.js';
import { replay } from '../cli/commands/replay.js';
import { waitForIdle } from '../cli/commands/wait.js';
import { clients } from '../cli/stackClients.js';
import { readVariable } from '../shared/config/runtime.js';
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

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 120);
const SPEED = process.env.BENCH_SPEED ?? '60';

export interface LatencyResult {
  minutes: number;
  alerts: number;
  /** Upload-to-written, milliseconds, sorted. */
  latencies: number[];
  /** Minutes whose alerts were all written before the next minute's upload began (of those with a next). */
  keptUp: number;
  late: number;
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

export async function benchLatency(): Promise<LatencyResult> {
  const files = await dataset();
  const ctx = isolateStack(benchPlacement('latency', 200));
  const components = stackComponents(ctx, [appComponents]);
  return withIsolatedStack(ctx, components, async () => {
    const context = quietContext();
    const stack = clients(context);
    const bucket = stack.storage.bucket(stack.bucket);
    /** When each object's upload began and ended, by name. */
    const uploads = new Map<string, { began: number; ended: number }>();
    const names: string[] = [];
    process.stderr.write(`replaying ${MINUTES} minutes of ${SYMBOLS} symbols at speed ${SPEED} ...\n`);
    await replay(
      files,
      { speed: SPEED, limit: String(MINUTES), timezone: readVariable('EXCHANGE_TIMEZONE') },
      context,
      async (name, content) => {
        const began = Date.now();
        await bucket.file(name).save(content, { resumable: false, contentType: 'text/csv' });
        uploads.set(name, { began, ended: Date.now() });
        names.push(name);
      },
    );
    process.stderr.write(`replayed; waiting for the pipeline to finish ...\n`);
    if (!(await waitForIdle(stack, 600, context)))
      throw new Error('the pipeline did not finish in 10 minutes');

    const alerts = await stack.firestore
      .collection(readVariable('ALERTS_COLLECTION'))
      .select('source', 'writtenAt')
      .get();
    const latencies: number[] = [];
    /** The last write of each object's alerts. */
    const lastWritten = new Map<string, number>();
    for (const doc of alerts.docs as QueryDocumentSnapshot[]) {
      const object = String(doc.get('source.object'));
      const written = (doc.get('writtenAt') as Timestamp).toMillis();
      const upload = uploads.get(object);
      if (upload === undefined) throw new Error(`alert ${doc.id} from an object not replayed: ${object}`);
      latencies.push(written - upload.ended);
      lastWritten.set(object, Math.max(lastWritten.get(object) ?? 0, written));
    }
    latencies.sort((a, b) => a - b);
    let keptUp = 0;
    for (let i = 0; i + 1 < names.length; i++) {
      const written = lastWritten.get(names[i]!);
      if (written === undefined || written < uploads.get(names[i + 1]!)!.began) keptUp++;
    }
    const late = (await readReports(stack)).reduce((sum, view) => sum + view.detection.late, 0);
    return { minutes: names.length, alerts: alerts.size, latencies, keptUp, late };
  });
}

if (isMain(import.meta.url)) {
  const result = await benchLatency();
  const ms = (p: number) => seconds(percentile(result.latencies, p));
  process.stdout.write(
    [
      `live replay: ${SYMBOLS} symbols, ${result.minutes} minutes at speed ${SPEED}, ${whole(result.alerts)} alerts`,
      `upload-to-written latency: p50 ${ms(50)}, p95 ${ms(95)}, p99 ${ms(99)}, max ${ms(100)}`,
      `minutes whose alerts were all written before the next upload: ${result.keptUp} of ${result.minutes - 1}`,
      `bars counted late (a minute overtaken by a later one): ${whole(result.late)}`,
    ].join('\n') + '\n',
  );
}
