/**
 * Every fault in one run, on the benchmark's data set (40 symbols × 50 days, about 750,000 bars and 290,000
 * alerts): a promise that holds only fault by fault is not yet a guarantee. While the files flow, detect fails
 * after publishing and after committing (injected through FAULTS), notify dies after writing, ingest is killed
 * while producing, the dispatcher is killed three times and paused past its session timeout, the Kafka broker
 * is stopped cleanly twice and killed once (the files uploaded in four waves, so that the stream outlasts them), and Firestore stops answering for a while. Afterwards the alerts in
 * Firestore must equal `detect`'s on the same files, every report must be complete, and the delivery traces
 * must show that the duplicates these faults cause really happened.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, deliveredExactly, generatedRun, tally } from '../helpers/faultRun.js';
import {
  componentPid,
  deliveryCounter,
  emptyStack,
  ingesting,
  killAndRestart,
  midStream,
  pause,
  restartOnceDead,
  stopAndRestart,
} from '../helpers/stackFaults.js';

const work = mkdtempSync(join(tmpdir(), 'soak-faults-'));

let files: string[];
let expected: string[];

beforeAll(async () => {
  ({ files, expected } = await generatedRun(join(work, 'data'), { symbols: 40, days: 50, seed: 42 }));
  expect(expected.length).toBeGreaterThan(250_000);
  await emptyStack();
}, 600_000);

afterAll(async () => {
  // Whatever happened, the next run finds clean functions and an empty stack.
  await killAndRestart('detect', { FAULTS: '' });
  await killAndRestart('notify', { FAULTS: '' });
  await emptyStack();
}, 600_000);

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

  // Four waves of ten files, each uploaded once the faults of the wave before have landed, so that the stream
  // lasts as long as the faults do; each fault waits until records are still to be delivered.
  const waves = [0, 1, 2, 3].map((wave) => files.slice(wave * 10, wave * 10 + 10));
  const flowing = () => midStream(3, 300_000);
  const dropped = cli('drop', ...waves[0]!);
  await ingesting();
  await killAndRestart('ingest');
  did('ingest killed while producing');
  expect((await dropped).code).toBe(0);
  await flowing();
  await killAndRestart('dispatcher');
  did('dispatcher killed');

  expect((await cli('drop', ...waves[1]!)).code).toBe(0);
  await flowing();
  await stopAndRestart('kafka');
  did('Kafka stopped cleanly and restarted');
  await flowing();
  await pause('dispatcher', 14_000);
  did('dispatcher paused 14 s');

  expect((await cli('drop', ...waves[2]!)).code).toBe(0);
  await flowing();
  await killAndRestart('kafka');
  did('Kafka killed and restarted');
  await flowing();
  await pause('firestore', 8_000);
  did('Firestore paused 8 s');

  expect((await cli('drop', ...waves[3]!)).code).toBe(0);
  await flowing();
  await killAndRestart('dispatcher');
  did('dispatcher killed');
  await flowing();
  await stopAndRestart('kafka');
  did('Kafka stopped cleanly and restarted');
  await flowing();
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
