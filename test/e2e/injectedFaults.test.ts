/**
 * Faults at each step of a delivery, on the real local stack: detect failing after loading state, after
 * publishing, before and after committing (injected through its FAULTS setting, the code unchanged), detect
 * and notify killed in the middle of a request, notify failing for a while, the same record delivered twice at
 * once and again after it was committed, a storage event delivered again and twice at once, an object
 * uploaded twice at once and replaced by a new generation. After each, the alerts must equal `detect`'s on the
 * same files, and the delivery traces must show that the duplicates really happened and were absorbed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../../stack/endpoints.js';
import { finalizedCloudEvent } from '../../stack/router/storageEvent.js';
import {
  cli,
  deliveredExactly,
  detectAlerts,
  generatedRun,
  reportsComplete,
  tally,
} from '../helpers/faultRun.js';
import { deliveryCounter, emptyStack, killAndRestart, restartOnceDead } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const work = mkdtempSync(join(tmpdir(), 'e2e-injected-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
const firestore = new Firestore({ projectId: endpoints.project });
const bucket = new Storage({
  projectId: endpoints.project,
  apiEndpoint: endpoints.storage.apiEndpoint,
}).bucket(endpoints.bucket);

let files: string[];
let expected: string[];

beforeAll(async () => {
  // Sixteen symbols over ten trading days: 60,000 bars in 32 Kafka records.
  ({ files, expected } = await generatedRun(join(work, 'data'), { symbols: 16, days: 10, seed: 23 }));
  expect(expected.length).toBeGreaterThan(20_000);
});

beforeEach(emptyStack);
afterAll(async () => {
  // Whatever a test left behind (a function still started with FAULTS), the next file finds clean ones.
  await killAndRestart('detect', { FAULTS: '' });
  await killAndRestart('notify', { FAULTS: '' });
  await emptyStack();
});

/** Runs `body` with a function restarted under FAULTS, and restarts it clean afterwards whatever happened. */
async function withFaults(name: 'detect' | 'notify', faults: string, body: () => Promise<void>) {
  await killAndRestart(name, { FAULTS: faults });
  try {
    await body();
  } finally {
    await killAndRestart(name, { FAULTS: '' });
  }
}

const drop = async (...paths: string[]) => expect((await cli('drop', ...paths)).code).toBe(0);

const alertsWritten = (entries: Record<string, unknown>[]) =>
  entries.reduce((sum, entry) => sum + Number(entry.alerts), 0);

describe('detect failing at each step of a delivery', () => {
  for (const step of ['after-load', 'after-publish', 'before-commit', 'after-commit'] as const) {
    it(`loses and doubles no alert when every third delivery fails ${step.replace('-', ' ')}`, async () => {
      const detect = deliveryCounter('detect');
      const notify = deliveryCounter('notify');
      await withFaults('detect', `detect.${step}=fail/3`, async () => {
        await drop(...files);
        await deliveredExactly(expected);
      });
      const answered = detect();
      // The failures happened: detect answered "retry" and the dispatcher delivered the same records again.
      expect(answered.filter((entry) => entry.status === 503).length).toBeGreaterThan(5);
      const [deliveries, records] = tally(answered, 'id');
      expect(deliveries).toBeGreaterThan(records);
      if (step === 'after-publish' || step === 'before-commit') {
        // Published, not committed: the retry published the same alerts again and notify wrote them twice.
        expect(alertsWritten(notify())).toBeGreaterThan(expected.length);
      }
      if (step === 'after-commit') {
        // Committed, not answered: the retry found the batch done and published nothing.
        expect(answered.filter((entry) => entry.outcome === 'redelivered').length).toBeGreaterThan(5);
        expect(alertsWritten(notify())).toBe(expected.length);
      }
    });
  }

  it('loses no alert when detect is killed between publishing and committing', async () => {
    const notify = deliveryCounter('notify');
    await killAndRestart('detect', { FAULTS: 'detect.after-publish=exit/6' });
    await drop(...files);
    // The sixth batch with alerts: published, then the process dies before it commits or answers.
    await restartOnceDead('detect');
    await deliveredExactly(expected);
    expect(alertsWritten(notify())).toBeGreaterThan(expected.length);
  });
});

describe('notify failing', () => {
  it('loses no alert when notify fails every message for 10 s and Pub/Sub redelivers', async () => {
    const notify = deliveryCounter('notify');
    await withFaults('notify', 'notify.before-write=fail-for/10000', async () => {
      await drop(...files);
      await deliveredExactly(expected);
    });
    const [deliveries, messages] = tally(notify(), 'messageId');
    expect(deliveries).toBeGreaterThan(messages);
  });

  it('doubles no alert when notify is killed after writing, before answering', async () => {
    const notify = deliveryCounter('notify');
    await killAndRestart('notify', { FAULTS: 'notify.after-write=exit/5' });
    await drop(...files);
    await restartOnceDead('notify');
    await deliveredExactly(expected);
    // The message whose alerts were written when notify died came again and was written again, over itself.
    const [deliveries, messages] = tally(notify(), 'messageId');
    expect(deliveries).toBeGreaterThan(messages);
  });
});

/** A KafkaSource CloudEvent for a record, as the dispatcher sends it. */
function kafkaEvent(offset: number, key: string, value: string) {
  return {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': `partition:0/offset:${offset}`,
      'ce-type': 'dev.knative.kafka.event',
      'ce-source': '/apis/v1/namespaces/e2e/kafkasources/e2e#minute-bars',
      'ce-key': key,
      'content-type': 'application/octet-stream',
    },
    body: value,
  };
}

describe('the same delivery twice', () => {
  it('detects a batch once when two deliveries of it race, and again after it was committed', async () => {
    // A symbol's session of twelve minutes, written as a file for `detect` and as the batch ingest makes of it.
    const rows: Array<[string, string, string]> = [
      ['03:45', '100', '1000'],
      ['03:46', '100.2', '1000'],
      ['03:47', '101', '1000'],
      ['03:48', '101', '1000'],
      ['03:49', '100', '1000'],
      ['03:50', '100', '1000'],
      ['03:51', '100', '1000'],
      ['03:52', '100', '1000'],
      ['03:53', '100', '1000'],
      ['03:54', '100', '1000'],
      ['03:55', '100', '1000'],
      ['03:56', '100.1', '5000'],
    ];
    const csv = join(work, 'RACE.csv');
    writeFileSync(
      csv,
      `timestamp,open,high,low,close,volume\n${rows
        .map(
          ([time, price, volume]) => `2017-01-02T${time}:00Z,${price},${price},${price},${price},${volume}`,
        )
        .join('\n')}\n`,
    );
    const want = await detectAlerts(csv);
    expect(want.length).toBeGreaterThanOrEqual(3);
    const batch = JSON.stringify({
      v: 1,
      symbol: 'RACE',
      object: 'RACE.csv',
      generation: '1',
      seq: 0,
      of: 1,
      bars: rows.map(([time, price, volume], index) => [
        Date.parse(`2017-01-02T${time}:00Z`) / 60_000,
        price,
        price,
        price,
        price,
        volume,
        index + 2,
      ]),
    });
    const url = `http://${endpoints.host}:${endpoints.functions.detectPort}/`;
    const send = async () => {
      const response = await fetch(url, kafkaEvent(1_000_000, 'RACE', batch));
      return { status: response.status, body: (await response.json()) as { outcome: string } };
    };

    const raced = await Promise.all([send(), send(), send()]);
    expect(raced.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(raced.map((answer) => answer.body.outcome).sort()).toEqual([
      'detected',
      'redelivered',
      'redelivered',
    ]);
    const again = await send();
    expect(again.body.outcome).toBe('redelivered');

    await deliveredExactly(want, 60);
    const state = await firestore.collection('symbol-state').doc('RACE').get();
    expect(state.get('alertCount')).toBe(want.length);
  });
});

describe('storage events and uploads repeated', () => {
  it('ingests an object once when its storage event comes twice at once, and again after', async () => {
    const ingest = deliveryCounter('ingest');
    const detect = deliveryCounter('detect');
    const file = files[0]!;
    const want = await detectAlerts(file);
    // Uploaded straight into the bucket; its event, made as the router makes it, is sent twice at once while
    // the router delivers its own: three deliveries race for one claim.
    const [uploaded] = await bucket.upload(file, { destination: basename(file) });
    const event = finalizedCloudEvent({
      id: `e2e-repeat-${Date.now()}`,
      attributes: { eventType: 'OBJECT_FINALIZE' },
      data: Buffer.from(JSON.stringify(uploaded.metadata)),
      publishTime: new Date(),
    })!;
    const url = `http://${endpoints.host}:${endpoints.functions.ingestPort}/`;
    const post = async () =>
      (await fetch(url, { method: 'POST', headers: event.headers, body: event.body })).status;
    // 204: ingested or found done; 500: another delivery holds the claim, come back later.
    const racing = await Promise.all([post(), post()]);
    expect(racing.every((status) => status === 204 || status === 500)).toBe(true);
    await deliveredExactly(want, 120);
    // Once done, a repeat is acknowledged without a second ingestion.
    expect(await post()).toBe(204);
    await deliveredExactly(want, 120);
    expect((await reportsComplete()).length).toBe(1);
    const claims = (await firestore.collection('ingestions').get()).docs.map((doc) => doc.get('attempts'));
    expect(claims).toEqual([1]);
    expect(ingest().length).toBeGreaterThanOrEqual(4);
    // One ingestion produced the batches: detect saw each record once.
    const [deliveries, records] = tally(detect(), 'id');
    expect(deliveries).toBe(records);
  });

  it('gives one set of alerts when the same object is uploaded twice at once', async () => {
    const [file] = files;
    const uploads = await Promise.all([cli('drop', file!), cli('drop', file!)]);
    expect(uploads.map((upload) => upload.code)).toEqual([0, 0]);
    // Two generations: the first may be gone before it is read (replaced); if both are read, the second finds
    // every bar already detected (late). Either way no alert comes twice, and none is missing.
    expect(await detectAlerts(file!, file!)).toEqual(await detectAlerts(file!));
    await deliveredExactly(await detectAlerts(file!), 120, { gone: true });
    const views = await reportsComplete({ gone: true });
    expect(views).toHaveLength(2);
    expect(views.filter((view) => view.status === 'done').length).toBeGreaterThanOrEqual(1);
  });

  it('detects the new part of an object replaced by a longer generation, and nothing twice', async () => {
    const full = files[1]!;
    const text = readFileSync(full, 'utf8').split('\n');
    // The same object name, first with the first half of its rows, then replaced by all of them.
    const firstHalf = join(mkdtempSync(join(work, 'half-')), basename(full));
    writeFileSync(firstHalf, `${text.slice(0, Math.floor(text.length / 2)).join('\n')}\n`);
    await drop(firstHalf);
    await deliveredExactly(await detectAlerts(firstHalf), 120);
    await drop(full);
    await deliveredExactly(await detectAlerts(firstHalf, full), 120);
    expect((await reportsComplete()).length).toBe(2);
  });
});
