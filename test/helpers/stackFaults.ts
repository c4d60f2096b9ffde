/**
 * Faults done to the real local stack, as an operator's bad day does them: a component killed and started
 * again, a process paused and resumed. Nothing is mocked; the stack's own pid files name the processes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { redriveGroup } from '../../shared/kafka/deadLetters.js';
import { readVariable } from '../../shared/config/variables.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { stackPaths } from '../../stack/paths.js';
import { isRecordedProcessAlive } from '../../stack/pidFile.js';
import { isPortOpen } from '../../stack/probes.js';
import { runCli } from './runCli.js';

const endpoints = stackEndpoints();

/** The pid the stack recorded for a component (the first line of its pid file). */
export function componentPid(name: string): number {
  const pid = Number(
    readFileSync(join(stackPaths().run, `${name}.pid`), 'utf8')
      .split('\n')[0]!
      .trim(),
  );
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid recorded for ${name}`);
  return pid;
}

/** The port each component listens on, closed once it is gone. */
const PORTS: Record<string, number> = {
  ingest: endpoints.functions.ingestPort,
  detect: endpoints.functions.detectPort,
  notify: endpoints.functions.notifyPort,
  escalate: endpoints.functions.escalatePort,
  router: endpoints.health.routerPort,
  dispatcher: endpoints.health.dispatcherPort,
  kafka: endpoints.kafka.port,
};

/**
 * Resolves once the process is gone and its port closed: a signal is delivered asynchronously, and a port
 * still open would make `stack up` take the component for one it did not start.
 */
async function exited(name: string, pid: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const port = PORTS[name];
    const portOpen = port !== undefined && (await isPortOpen(endpoints.host, port));
    if (!isRecordedProcessAlive({ pid, startTicks: null }) && !portOpen) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${name} (pid ${pid}) still there 10 s after SIGKILL`);
}

/**
 * SIGKILLs a component and starts it again at once with `stack up`, as a crash and a restart do; `env` is
 * the environment the new process starts with (e.g. FAULTS), over the test's own.
 */
export async function killAndRestart(name: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const pid = componentPid(name);
  process.kill(pid, 'SIGKILL');
  await exited(name, pid);
  await startAgain(name, pid, env);
}

/** Stops a component cleanly (SIGTERM, as an orderly shutdown does) and starts it again once it is gone. */
export async function stopAndRestart(name: string): Promise<void> {
  const pid = componentPid(name);
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; isRecordedProcessAlive({ pid, startTicks: null }); waited += 50) {
    if (waited > 60_000) throw new Error(`${name} (pid ${pid}) still running 60 s after SIGTERM`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await exited(name, pid);
  await startAgain(name, pid, {});
}

/** Waits for a component to die by itself (an injected `exit` fault), then starts it again clean. */
export async function restartOnceDead(name: string, timeoutMs = 120_000): Promise<void> {
  const pid = componentPid(name);
  for (let waited = 0; isRecordedProcessAlive({ pid, startTicks: null }); waited += 20) {
    if (waited > timeoutMs) throw new Error(`${name} (pid ${pid}) did not die within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await exited(name, pid);
  await startAgain(name, pid, {});
}

async function startAgain(name: string, pid: number, env: NodeJS.ProcessEnv): Promise<void> {
  const up = await runCli(['stack', 'up'], { ...process.env, ...env });
  if (up.code !== 0) throw new Error(`stack up after killing ${name}: ${up.stderr}`);
  if (componentPid(name) === pid) throw new Error(`stack up did not start ${name} again: ${up.stderr}`);
}

/** The deliveries a function received (shared/deliveryTrace.ts), counted from the moment this is called. */
export function deliveryCounter(
  name: 'ingest' | 'detect' | 'notify' | 'escalate',
): () => Record<string, unknown>[] {
  const file = join(stackPaths().logs, `${name}.deliveries`);
  const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const from = Buffer.byteLength(read());
  return () =>
    Buffer.from(read())
      .subarray(from)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Pauses a component (SIGSTOP) for `ms`, then lets it go on (SIGCONT): an outage that loses nothing. */
export async function pause(name: string, ms: number): Promise<void> {
  const pid = componentPid(name);
  process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

export const stackKafka = () =>
  new Kafka({ clientId: 'e2e', brokers: [endpoints.kafka.brokers], logLevel: logLevel.NOTHING });

/** Marks every record on the dead-letter topic as handled, as a redrive does, without sending any back. */
export async function forgetParked(): Promise<void> {
  const admin = stackKafka().admin();
  await admin.connect();
  try {
    const topic = endpoints.kafka.deadLetterTopic;
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: redriveGroup(readVariable('KAFKA_GROUP_ID')),
      topic,
      partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Empties Firestore (alerts, state, holds, ingestions). */
export async function clearFirestore(): Promise<void> {
  const response = await fetch(
    `http://${endpoints.firestore.emulatorHost}/emulator/v1/projects/${endpoints.project}/databases/(default)/documents`,
    { method: 'DELETE' },
  );
  if (!response.ok) throw new Error(`clearing Firestore: HTTP ${response.status}`);
}

/**
 * Resolves while detect is in the middle of the stream: the dispatcher has committed some records of the
 * bar topic and at least `ahead` are still to come. Throws when that never happens within the timeout.
 */
export async function midStream(ahead: number, timeoutMs = 120_000): Promise<void> {
  const admin = stackKafka().admin();
  await admin.connect();
  try {
    const topic = endpoints.kafka.topic;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      let ends, committed;
      try {
        [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: readVariable('KAFKA_GROUP_ID'), topics: [topic] }),
        ]);
      } catch (error) {
        // A broker just started again is still loading its group coordinator: ask again in a moment.
        if ((error as { retriable?: boolean }).retriable !== true) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const done = new Map(
        (committed[0]?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]),
      );
      let delivered = 0;
      let left = 0;
      for (const end of ends) {
        const at = Math.max(done.get(end.partition) ?? -1, Number(end.low));
        delivered += at - Number(end.low);
        left += Number(end.high) - at;
      }
      // Objects are ingested a few at a time: the topic may be drained for a moment between them, so only
      // the timeout says the fault found no stream to land in.
      if (delivered > 0 && left >= ahead) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no stream in ${timeoutMs} ms`);
  } finally {
    await admin.disconnect();
  }
}

/** Resolves while an ingestion is running: ingest is reading or producing an object. */
export async function ingesting(timeoutMs = 120_000): Promise<void> {
  process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
  const firestore = new Firestore({ projectId: endpoints.project });
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      const running = await firestore
        .collection('ingestions')
        .where('status', '==', 'running')
        .limit(1)
        .get();
      if (!running.empty) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no ingestion ran within ${timeoutMs} ms`);
  } finally {
    await firestore.terminate();
  }
}

/** Empties the stack between runs: the dead-letter topic's outstanding records, Firestore, the bucket. */
export async function emptyStack(): Promise<void> {
  await forgetParked();
  await clearFirestore();
  const bucket = new Storage({
    projectId: endpoints.project,
    apiEndpoint: endpoints.storage.apiEndpoint,
  }).bucket(endpoints.bucket);
  const [files] = await bucket.getFiles();
  await Promise.all(files.map((file) => file.delete()));
}
