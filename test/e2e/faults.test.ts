/**
 * The pipeline under faults on the real local stack: detect killed and started again mid-stream, Firestore
 * paused mid-stream, a record that can never be detected. After each, the alerts in Firestore must equal
 * what `stock-anomalies detect` finds in the same files, and `wait` must say truthfully whether they do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../../stack/endpoints.js';
import { stackPaths } from '../../stack/paths.js';
import { alertLines } from '../../bench/verdict.js';
import { cli, deliveredExactly, generatedRun, pipelineAlerts } from '../helpers/faultRun.js';
import {
  emptyStack,
  ingesting,
  killAndRestart,
  midStream,
  pause,
  stackKafka,
} from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const work = mkdtempSync(join(tmpdir(), 'e2e-faults-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
const firestore = new Firestore({ projectId: endpoints.project });

/** Lines of a component's log that match, for proving a fault really hit something in flight. */
const logLines = (name: string, pattern: RegExp) =>
  readFileSync(join(stackPaths().logs, `${name}.log`), 'utf8')
    .split('\n')
    .filter((line) => pattern.test(line));

let files: string[];
let expected: string[];

beforeAll(async () => {
  // Sixteen symbols over twenty-five trading days: 150,000 bars, 80 Kafka records, many seconds of stream.
  ({ files, expected } = await generatedRun(join(work, 'data'), { symbols: 16, days: 25, seed: 11 }));
  expect(expected.length).toBeGreaterThan(50_000);
});

beforeEach(emptyStack);
// The malformed record stays parked and its symbol held until somebody acts: the next file must not see them.
afterAll(emptyStack);

/** Drops the files, does `fault` while they flow, and checks that the alerts and reports came out exact. */
async function underFault(fault: () => Promise<void>, duringUpload = false): Promise<void> {
  // `duringUpload`: the fault lands while files are still being uploaded (for one that hits ingestion);
  // otherwise once all are up, so that a gap between uploads is not taken for the end of the stream.
  const dropped = cli('drop', ...files);
  if (!duringUpload) expect((await dropped).code).toBe(0);
  await fault();
  expect((await dropped).code).toBe(0);
  await deliveredExactly(expected);
}

describe('the pipeline under faults', () => {
  it('loses no alert and parks no record when detect is killed mid-stream and restarted', async () => {
    // midStream: at least ten records were still to be delivered when detect died.
    await underFault(async () => {
      await midStream(10);
      await killAndRestart('detect');
    });
  });

  it('loses no alert when Firestore stops answering for a while mid-stream', async () => {
    await underFault(async () => {
      await midStream(10);
      await pause('firestore', 8_000);
    });
  });

  it('loses no alert when the dispatcher is killed mid-stream and restarted', async () => {
    await underFault(async () => {
      await midStream(10);
      await killAndRestart('dispatcher');
    });
  });

  it('loses and doubles no alert when the dispatcher is paused past its session timeout', async () => {
    await underFault(async () => {
      await midStream(10);
      // Its session is 10 s: the group evicts it; a record it was delivering may be delivered twice.
      await pause('dispatcher', 14_000);
    });
  });

  it('loses no alert when the Kafka broker is killed mid-stream and restarted', async () => {
    await underFault(async () => {
      await midStream(10);
      await killAndRestart('kafka');
    });
  });

  it('loses no alert when ingest is killed while producing, and the upload is ingested again', async () => {
    await underFault(async () => {
      await ingesting();
      await killAndRestart('ingest');
    }, true);
    // The killed run's claim lapsed and a redelivery took over: some object took a second attempt.
    const attempts = (await firestore.collection('ingestions').get()).docs.map((doc) =>
      Number(doc.get('attempts')),
    );
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it('parks a malformed batch after one attempt, holds its symbol, and wait fails naming it', async () => {
    // Prepare: a record no producer of ours makes, then a good batch of the same symbol behind it.
    const producer = stackKafka().producer();
    await producer.connect();
    const poison = `not a bar batch ${Date.now()}`;
    const generation = String(Date.now());
    const good = {
      v: 1,
      symbol: 'DLQ_CHECK',
      object: 'DLQ_CHECK.csv',
      generation,
      seq: 0,
      of: 1,
      bars: [
        [Date.parse('2017-01-02T03:45:00Z') / 60_000, '10', '10', '10', '10', '5', 2],
        [Date.parse('2017-01-02T03:46:00Z') / 60_000, '11', '11', '11', '11', '50', 3],
      ],
    };
    await producer.send({
      topic: endpoints.kafka.topic,
      messages: [
        { partition: 0, key: 'DLQ_CHECK', value: poison },
        { partition: 0, key: 'DLQ_CHECK', value: JSON.stringify(good) },
      ],
    });
    await producer.disconnect();
    // Act: the sample data flows through the same partitions meanwhile.
    const sample = join(
      new URL('../../data/sample/', import.meta.url).pathname,
      'POWERGRID__EQ__NSE__NSE__MINUTE.csv',
    );
    expect((await cli('drop', sample)).code).toBe(0);
    const waited = await cli('wait', '--timeout', '120');

    // Assess: wait fails, naming the parked record, the held symbol and the object waiting behind it.
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(
      /1 record parked on minute-bars-dead-letter:\n {2}an unreadable record \(key DLQ_CHECK\), from minute-bars partition 0 offset \d+: BarBatchError: not JSON/,
    );
    expect(waited.stderr).toMatch(
      new RegExp(
        `DLQ_CHECK: 2 records waiting since .* \\(an unreadable record, DLQ_CHECK\\.csv \\(generation ${generation}\\)\\)`,
      ),
    );
    expect(waited.stderr).toContain("run 'stock-anomalies redrive'");
    // Nothing of the held symbol was detected out of turn; the other object's alerts are all there.
    const alerts = await pipelineAlerts();
    expect(alerts.filter((line) => line.includes('"DLQ_CHECK"'))).toEqual([]);
    const powergrid = alertLines((await cli('detect', '--format', 'jsonl', sample)).stdout);
    expect(alerts).toEqual(powergrid);
    // Parked after exactly one attempt, with detect's reason.
    const dead = await new Promise<Record<string, string>>((resolve) => {
      const consumer = stackKafka().consumer({ groupId: `e2e-dlq-${Date.now()}` });
      void (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic: endpoints.kafka.deadLetterTopic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() !== poison) return;
            resolve(
              Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            );
            void consumer.disconnect();
          },
        });
      })();
    });
    expect(dead).toMatchObject({
      'dlq-attempts': '1',
      'dlq-status': '422',
      'dlq-topic': endpoints.kafka.topic,
      'dlq-partition': '0',
    });
    expect(dead['dlq-reason']).toMatch(/^BarBatchError: not JSON/);

    // The poison can never be detected: an operator drops it, and the symbol's queue resumes in order.
    const redriven = await cli('redrive', '--discard-head', 'DLQ_CHECK');
    expect(redriven.code).toBe(0);
    expect(redriven.stderr).toMatch(
      /discarded DLQ_CHECK's held record partition:0\/offset:\d+ \(BarBatchError: not JSON/,
    );
    expect(redriven.stderr).toContain('resumed 1 held symbol(s): DLQ_CHECK (1 waiting)');
    const after = await cli('wait', '--timeout', '120');
    expect(after.stderr).toContain('all dropped objects ingested, all alerts written');
    const resumed = alertLines((await cli('alerts', '--format', 'jsonl', '--symbol', 'DLQ_CHECK')).stdout);
    expect(resumed.map((line) => [JSON.parse(line).timestamp, JSON.parse(line).rules])).toEqual([
      ['2017-01-02T03:46:00Z', ['A1', 'A2']],
    ]);
    expect((await cli('redrive')).stderr).toContain('nothing parked, nothing held');
  });

  it('holds the partition while a stored state is unreadable, and goes on by itself once it is fixed', async () => {
    // Prepare: a symbol whose stored state somebody broke: detect can neither detect nor hold its batch.
    await firestore.collection('symbol-state').doc('MENDME').set({ symbol: 'MENDME', window: 'broken' });
    const producer = stackKafka().producer();
    await producer.connect();
    const batch = {
      v: 1,
      symbol: 'MENDME',
      object: 'MENDME.csv',
      generation: String(Date.now()),
      seq: 0,
      of: 1,
      bars: [
        [Date.parse('2017-01-02T03:45:00Z') / 60_000, '10', '10', '10', '10', '5', 2],
        [Date.parse('2017-01-02T03:46:00Z') / 60_000, '11', '11', '11', '11', '50', 3],
      ],
    };
    await producer.send({
      topic: endpoints.kafka.topic,
      messages: [{ key: 'MENDME', value: JSON.stringify(batch) }],
    });
    await producer.disconnect();

    // Act and assess: nothing moves on, nothing is parked, wait says a record is not yet detected.
    const stuck = await cli('wait', '--timeout', '5');
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toMatch(/timed out after 5 s; still pending: .*1 Kafka records not yet detected/);
    expect(
      logLines(
        'dispatcher',
        /MENDME: StateFormatError: not a symbol state: \w+; the record waits until this is fixed/,
      ).length,
    ).toBeGreaterThan(0);

    // The broken state removed, the record waiting goes through: no redrive needed, nothing parked.
    await firestore.collection('symbol-state').doc('MENDME').delete();
    const waited = await cli('wait', '--timeout', '120');
    expect(waited.stderr).toContain('all dropped objects ingested, all alerts written');
    const alerts = alertLines((await cli('alerts', '--format', 'jsonl', '--symbol', 'MENDME')).stdout);
    expect(alerts.map((line) => JSON.parse(line).timestamp)).toEqual(['2017-01-02T03:46:00Z']);
    expect((await cli('redrive')).stderr).toContain('nothing parked, nothing held');
  });
});
