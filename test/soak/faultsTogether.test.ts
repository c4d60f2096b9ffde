/**
 * Every fault in one run, on the benchmark's data set (40 symbols × 50 days, about 750,000 bars and 290,000
 * alerts): a promise that holds only fault by fault is not yet a guarantee. While the files flow, detect fails
 * after publishing and after committing (injected through FAULTS), notify dies after writing, ingest is killed
 * while producing, the dispatcher is killed three times and paused past its session timeout, the Kafka broker
 * is stopped cleanly twice and killed once, and Firestore stops answering for a while. Afterwards the alerts in
 * Firestore must equal `detect`'s on the same files, every report must be complete, and the delivery traces
 * must show that the duplicates these faults cause really happened.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDataset } from '../../cli/generate/index.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { alertLines } from '../../bench/verdict.js';
import { cli, deliveredExactly, tally } from '../helpers/faultRun.js';
import {
  componentPid,
  deliveryCounter,
  emptyStack,
  killAndRestart,
  midStream,
  pause,
  restartOnceDead,
  stopAndRestart,
} from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
const firestore = new Firestore({ projectId: endpoints.project });
const work = mkdtempSync(join(tmpdir(), 'soak-faults-'));

let files: string[];
let expected: string[];

beforeAll(async () => {
  const out = join(work, 'data');
  await generateDataset({ out, symbols: 40, days: 50, seed: 42, faultRate: 1 });
  files = readdirSync(out)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(out, name));
  const batch = await cli('detect', '--format', 'jsonl', ...files);
  expect(batch.code).toBe(0);
  expected = alertLines(batch.stdout);
  expect(expected.length).toBeGreaterThan(250_000);
  await emptyStack();
}, 600_000);

afterAll(async () => {
  // Whatever happened, the next run finds clean functions and an empty stack.
  await killAndRestart('detect', { FAULTS: '' });
  await killAndRestart('notify', { FAULTS: '' });
  await emptyStack();
}, 600_000);

/** Resolves while an ingestion is running. */
async function ingesting(): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 10) {
    const running = await firestore.collection('ingestions').where('status', '==', 'running').limit(1).get();
    if (!running.empty) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no ingestion ran');
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

it('loses and doubles no alert through every fault at once', async () => {
  const started = Date.now();
  const detect = deliveryCounter('detect');
  const notify = deliveryCounter('notify');
  const ingest = deliveryCounter('ingest');
  const faults: string[] = [];
  const did = (what: string) => faults.push(`${seconds(started)}: ${what}`);

  await killAndRestart('detect', { FAULTS: 'detect.after-publish=fail/5,detect.after-commit=fail/7' });
  await killAndRestart('notify', { FAULTS: 'notify.after-write=exit/40' });
  const notifyPid = componentPid('notify');
  // notify kills itself at its 40th message: started again, clean, once it is gone.
  const notifyBack = restartOnceDead('notify', 600_000).then(() =>
    did('notify died after writing; restarted'),
  );

  const dropped = cli('drop', ...files);
  await ingesting();
  await killAndRestart('ingest');
  did('ingest killed while producing');
  expect((await dropped).code).toBe(0);
  did('all files uploaded');

  await midStream(10, 300_000);
  await killAndRestart('dispatcher');
  did('dispatcher killed');
  await midStream(10, 300_000);
  await stopAndRestart('kafka');
  did('Kafka stopped cleanly and restarted');
  await midStream(10, 300_000);
  await pause('dispatcher', 14_000);
  did('dispatcher paused 14 s');
  await midStream(10, 300_000);
  await killAndRestart('kafka');
  did('Kafka killed and restarted');
  await midStream(10, 300_000);
  await pause('firestore', 8_000);
  did('Firestore paused 8 s');
  await midStream(10, 300_000);
  await killAndRestart('dispatcher');
  did('dispatcher killed');
  await midStream(5, 300_000);
  await stopAndRestart('kafka');
  did('Kafka stopped cleanly and restarted');
  await midStream(5, 300_000);
  await killAndRestart('dispatcher');
  did('dispatcher killed');
  await notifyBack;
  expect(componentPid('notify')).not.toBe(notifyPid);

  await deliveredExactly(expected, 1200);
  did('verdict ALL-DELIVERED, every report complete');

  const [detectDeliveries, records] = tally(detect(), 'id');
  const [notifyDeliveries, messages] = tally(notify(), 'messageId');
  console.log(
    [
      `faults, in order:\n  ${faults.join('\n  ')}`,
      `deliveries seen: ingest ${ingest().length} for ${files.length} objects; detect ${detectDeliveries} for ${records} records; notify ${notifyDeliveries} for ${messages} messages`,
      `alerts: ${expected.length}, each exactly once`,
    ].join('\n'),
  );
  // The faults made duplicates, and they were absorbed.
  expect(ingest().length).toBeGreaterThan(files.length);
  expect(detectDeliveries).toBeGreaterThan(records);
  expect(notifyDeliveries).toBeGreaterThan(messages);
}, 1_800_000);
