/**
 * bench:console's first part: the console at the seed's scale (10M alerts in 1M episodes, BENCH_SCALE_EPISODES)
 * on the production-shaped store of consoleScaleStore.ts.
 *
 * `node dist/bench/consoleScale.js` (a process of its own, started by bench/console.ts) starts the console's own
 * code on that store: the read model filled by the start's reads (every triage status, then every episode
 * document through the same function the Firestore scan uses), the alerts of the episodes a page reaches read through the same EpisodeAlerts, and
 * the console's HTTP edge and routes answering; the store answers in process, so what is timed is the console's
 * own work. It prints one JSON line: the start's time (from the first document to the model loaded), the
 * documents the start read, its resident memory; then it serves until killed. `scaleRun` (run by bench/console.ts)
 * starts it, asks the lists (each sort and filter) as bench/console.ts asks the emulator's console, and reads its
 * resident memory from /proc.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AlertFieldFilter } from '../console/readModel/alertPages.js';
import { EpisodeAlerts } from '../console/readModel/episodeAlerts.js';
import { takeScannedEpisode } from '../console/readModel/follow.js';
import { ReadModel } from '../console/readModel/readModel.js';
import { consoleRequestListener } from '../console/server/app.js';
import { EventStream } from '../console/server/eventStream.js';
import type { ConsoleParts } from '../console/server/routes.js';
import { consoleSettingsFromEnv } from '../console/server/settings.js';
import { createLogger } from '../shared/logging/logger.js';
import { ScaleStore } from './consoleScaleStore.js';
import { benchRoot, isMain } from './isolatedStack.js';
import { memoryOf } from './processMemory.js';

export interface ScaleStart {
  episodes: number;
  alerts: number;
  startMs: number;
  /** Documents the start read (the episodes' scan). */
  startReads: number;
  rssMiB: number;
}

async function serve(): Promise<void> {
  const store = new ScaleStore(Number(process.env.BENCH_SCALE_EPISODES ?? 1_000_000));
  const settings = consoleSettingsFromEnv({
    ...process.env,
    CONSOLE_HOST: '127.0.0.1',
    CONSOLE_USER: 'bench',
  });
  // The count()s the bench will ask, worked out before the start (an index has them at once).
  for (const filter of JSON.parse(process.env.BENCH_SCALE_COUNTS ?? '[]') as AlertFieldFilter[])
    store.prime(filter);
  const started = performance.now();
  const model = new ReadModel();
  for (const { id, status } of store.triage()) model.putEpisodeStatus(id, status, 1);
  for (const { id, data } of store.scan()) takeScannedEpisode(model, id, data, 1);
  model.progress.episodes.done = true;
  const startMs = performance.now() - started;
  const parts: ConsoleParts = {
    settings,
    model,
    alerts: { held: new EpisodeAlerts(store.ofEpisodes), count: store.count },
    documents: store.documents(),
    triage: { apply: async () => undefined, history: async () => [] },
    ingestions: { page: async () => ({ items: [] }), get: async () => undefined },
    openObject: async () => undefined,
    health: async () => {
      throw new Error('no health on the production-shaped store');
    },
    events: new EventStream(() => ({
      alerts: model.alertCount,
      episodes: model.episodes.count,
      newest: null,
    })),
    now: () => Date.now(),
  };
  const server = createServer(
    consoleRequestListener(parts, createLogger('console', { write: () => undefined })),
  );
  await new Promise<void>((resolve) => server.listen(settings.port, '127.0.0.1', resolve));
  const line: ScaleStart = {
    episodes: model.episodes.count,
    alerts: model.alertCount,
    startMs,
    startReads: store.reads.scan,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The console on the production-shaped store, in a process of its own, and how to stop it. */
export async function startScaleConsole(
  port: number,
  episodes: number,
  counts: AlertFieldFilter[],
): Promise<{ start: ScaleStart; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(benchRoot, 'dist/bench/consoleScale.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      BENCH_SCALE_EPISODES: String(episodes),
      BENCH_SCALE_COUNTS: JSON.stringify(counts),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const start = await new Promise<ScaleStart>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(text.slice(0, end)) as ScaleStart);
    });
    child.once('exit', (code) => reject(new Error(`the console at scale exited with ${code}`)));
  });
  return {
    start,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Its resident memory now and at its peak, from /proc. */
export const scaleMemory = (pid: number) => memoryOf(pid);

if (isMain(import.meta.url)) await serve();
