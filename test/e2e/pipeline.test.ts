/**
 * End to end on the real local stack: files dropped into the bucket become alerts in Firestore through
 * ingest → Kafka → dispatcher → detect → Pub/Sub → notify, and must equal what `stock-anomalies detect`
 * says about the same files, bar for bar. Nothing here is mocked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { sortedEpisodeLines, storedEpisodeLine } from '../helpers/episodeLines.js';
import { decodeBars } from '../../shared/pipeline/barBytes.js';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../cli/generate/index.js';
import type { IngestionView } from '../../cli/commands/reports.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { alertLines } from '../../bench/verdict.js';
import { cli } from '../helpers/faultRun.js';
import { emptyStack } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const work = mkdtempSync(join(tmpdir(), 'e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sampleDir = new URL('../../data/sample/', import.meta.url).pathname;
const samples = ['IDFCFIRSTB', 'POWERGRID', 'TATASTEEL'].map((s) =>
  join(sampleDir, `${s}__EQ__NSE__NSE__MINUTE.csv`),
);

async function waitIdle(): Promise<void> {
  const result = await cli('wait', '--timeout', '120');
  expect(result.stderr).toContain('all dropped objects ingested, all alerts written');
}

async function pipelineAlerts(): Promise<string[]> {
  return alertLines((await cli('alerts', '--format', 'jsonl')).stdout);
}

async function reports(): Promise<IngestionView[]> {
  return JSON.parse((await cli('reports', '--json')).stdout);
}

/**
 * Empties Firestore, the bucket and the dead-letter topic's outstanding records, once the pipeline has nothing
 * left in flight (records an earlier run left parked or held do not count as in flight).
 */
async function resetStack(): Promise<void> {
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).not.toContain('timed out');
  await emptyStack();
}

let messy: string;
let rejected: string;
let skipped: string;
let headerOnly: string;
let withFooter: string;
let expectedAlerts: string[];
let expectedReports: Array<{ report: { object: string } }>;
let expectedQuarantine: string[];
let expectedEpisodes: string[];

beforeAll(async () => {
  await resetStack();
  const generated = await generateDataset({
    out: join(work, 'messy'),
    symbols: 1,
    days: 2,
    seed: 5,
    faultRate: 30,
  });
  messy = join(work, 'messy', generated.files[0]!.file);
  rejected = join(work, 'NOVOLUME__EQ__NSE__NSE__MINUTE.csv');
  writeFileSync(rejected, 'timestamp,open,high,low,close\n2017-01-02 09:15:00+05:30,1,1,1,1\n');
  skipped = join(work, 'notes.txt');
  writeFileSync(skipped, 'not a csv');
  // A header and nothing else is an accepted, empty object; a footer line is one bad row among good ones.
  headerOnly = join(work, 'EMPTY__EQ__NSE__NSE__MINUTE.csv');
  writeFileSync(headerOnly, 'timestamp,open,high,low,close,volume\n\n\n');
  withFooter = join(work, 'FOOTER.csv');
  writeFileSync(
    withFooter,
    'symbol,timestamp,open,high,low,close,volume\n' +
      'FOOTERSYM,2017-01-02 09:15:00+05:30,100,100,100,100,10\n' +
      'FOOTERSYM,2017-01-02 09:16:00+05:30,101,101,101,101,30\n' +
      'Total,,,,,,\n',
  );

  const reportFile = join(work, 'report.json');
  const quarantineFile = join(work, 'quarantine.csv');
  const episodesFile = join(work, 'episodes.jsonl');
  const batch = await cli(
    'detect',
    '--format',
    'jsonl',
    '--episodes',
    episodesFile,
    '--report',
    reportFile,
    '--quarantine',
    quarantineFile,
    ...samples,
    messy,
    rejected,
    headerOnly,
    withFooter,
  );
  expect(batch.code).toBe(1); // the rejected object
  expectedAlerts = alertLines(batch.stdout);
  expectedReports = JSON.parse(readFileSync(reportFile, 'utf8'));
  expectedQuarantine = readFileSync(quarantineFile, 'utf8').trim().split('\n').slice(1);
  expectedEpisodes = readFileSync(episodesFile, 'utf8').trim().split('\n');
  expect(expectedAlerts.length).toBeGreaterThan(500);

  const dropped = await cli('drop', ...samples, messy, rejected, skipped, headerOnly, withFooter);
  expect(dropped.code).toBe(0);
  await waitIdle();
});

describe('the pipeline on the local stack', () => {
  it('writes exactly the alerts the batch CLI finds, bar for bar', async () => {
    expect(await pipelineAlerts()).toEqual(expectedAlerts);
  });

  it('keeps the episodes the batch CLI finds, and every processed bar in its day', async () => {
    const db = new Firestore({ projectId: endpoints.project });
    try {
      // With the scores settled on them (contract §6): the batch CLI's, to the last decimal.
      const episodes = sortedEpisodeLines(
        (await db.collection('episodes').get()).docs.map((doc) => storedEpisodeLine(doc.data())),
      );
      expect(episodes).toEqual(expectedEpisodes.map((line) => JSON.parse(line)));
      expect(episodes.length).toBeGreaterThan(50);

      const hours = (await db.collection('bars').get()).docs.map((doc) => doc.data());
      const stored = hours.reduce((sum, hour) => sum + decodeBars(hour).length, 0);
      const processed = (await reports()).reduce((sum, view) => sum + view.detection.processed, 0);
      expect(stored).toBe(processed);
      // The sample's first bar, 2017-01-02 09:15 IST, has the open the file gives it.
      const [first] = readFileSync(samples[0]!, 'utf8').split('\n')[1]!.split(',').slice(1).map(Number) as [
        number,
      ];
      // In the document of its UTC hour (09:15 IST is 03:45 UTC).
      const idfc = hours.find((hour) => hour.symbol === 'IDFCFIRSTB' && hour.hour === '2017-01-02T03')!;
      const opening = decodeBars(idfc).find(
        ([minute]) => minute === Date.parse('2017-01-02T03:45:00Z') / 60_000,
      );
      expect(opening?.[1]).toBe(first);
      expect(idfc.count).toBe(decodeBars(idfc).length);
    } finally {
      await db.terminate();
    }
  });

  it('reports each object as the batch CLI does, and the rejected one as rejected', async () => {
    const views = await reports();
    const byObject = new Map(views.map((view) => [view.object, view]));
    expect(byObject.has('notes.txt')).toBe(false);
    for (const expected of expectedReports) {
      const view = byObject.get(expected.report.object)!;
      if (expected.report.object === 'NOVOLUME__EQ__NSE__NSE__MINUTE.csv') {
        expect(view).toMatchObject({ status: 'rejected', error: 'missing required columns: volume' });
        expect(view.detection.batches).toBe(0);
      } else {
        expect(view.status).toBe('done');
        expect(view.report).toEqual(expected.report);
        expect(view.detection).toMatchObject({ processed: view.report!.accepted, late: 0 });
      }
    }
  });

  it('sets the rejected rows aside in the bucket under the quarantine prefix', async () => {
    const views = await reports();
    const bucket = new Storage({
      projectId: endpoints.project,
      apiEndpoint: endpoints.storage.apiEndpoint,
    }).bucket(endpoints.bucket);
    const lines: string[] = [];
    for (const view of views.filter((v) => v.quarantine)) {
      expect(view.quarantine).toMatch(/^gs:\/\/[^/]+\/quarantine\//);
      const [content] = await bucket.file(view.quarantine!.replace(/^gs:\/\/[^/]+\//, '')).download();
      lines.push(...content.toString().trim().split('\n').slice(1));
    }
    expect(lines.sort()).toEqual([...expectedQuarantine].sort());
    expect(lines.length).toBeGreaterThan(20); // the messy file's planted faults
  });

  it('changes no alert when the same files are dropped again: their bars are repeats', async () => {
    const before = await pipelineAlerts();
    await cli('drop', ...samples, messy);
    await waitIdle();
    expect(await pipelineAlerts()).toEqual(before);
    const views = (await reports()).filter((view) => view.status === 'done');
    expect(views).toHaveLength(10);
    const again = views.filter((view) => view.detection.repeats > 0);
    expect(again).toHaveLength(4);
    for (const view of again)
      expect(view.detection).toMatchObject({
        processed: 0,
        alerts: 0,
        late: 0,
        repeats: view.report!.accepted,
      });
  });

  it('does no work twice for a redelivered upload event of a generation already done', async () => {
    const [view] = (await reports()).filter((v) => v.object === 'POWERGRID__EQ__NSE__NSE__MINUTE.csv');
    const kafka = new Kafka({
      clientId: 'e2e',
      brokers: [endpoints.kafka.brokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const endOffsets = async () =>
      (await admin.fetchTopicOffsets(endpoints.kafka.topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const before = await endOffsets();
    const response = await fetch(`http://127.0.0.1:${endpoints.functions.ingestPort}/`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'redelivered-1',
        'ce-type': 'google.cloud.storage.object.v1.finalized',
        'ce-source': `//storage.googleapis.com/projects/_/buckets/${endpoints.bucket}`,
        'ce-subject': `objects/${view!.object}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ bucket: endpoints.bucket, name: view!.object, generation: view!.generation }),
    });
    expect(response.status).toBe(204);
    expect(await endOffsets()).toBe(before);
    await admin.disconnect();
    const [after] = (await reports()).filter((v) => v.id === view!.id);
    expect(after).toEqual(view);
  });
});
