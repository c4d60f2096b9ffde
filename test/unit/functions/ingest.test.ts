/**
 * ingest, through functions-framework, with Eventarc's storage CloudEvent and an in-memory ingestion store:
 * which objects it takes, what it records, and which failures it acknowledges or has redelivered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setIngestDependencies } from '../../../functions/ingest/index.js';
import type { BarBatch } from '../../../shared/pipeline/barBatch.js';
import { skipReason } from '../../../shared/pipeline/objectFilter.js';
import { serveFunction } from '../../helpers/functionServer.js';
import { MemoryIngestionStore } from '../../helpers/memoryIngestionStore.js';
import { configFor } from '../../helpers/read.js';

let server: { url: string; close: () => Promise<void> };
let store: MemoryIngestionStore;
/** The bucket's objects by name (one generation each). */
let objects: Map<string, string>;
let opened: string[];
let written: Map<string, string>;
let produced: BarBatch[];
/** What produce does instead of taking the batches, when set. */
let produceFails: (() => Error) | undefined;

const GENERATION = '1700000000000001';

beforeAll(async () => {
  server = await serveFunction('ingest');
});
afterAll(async () => {
  setIngestDependencies(undefined);
  await server.close();
});
beforeEach(() => {
  store = new MemoryIngestionStore();
  objects = new Map();
  opened = [];
  written = new Map();
  produced = [];
  produceFails = undefined;
  setIngestDependencies({
    store,
    config: configFor(),
    batchMinutes: 2,
    quarantinePrefix: 'quarantine/',
    openObject: ({ name }) => {
      opened.push(name);
      const text = objects.get(name);
      if (text === undefined) throw new Error(`no object ${name} in this test`);
      return (async function* () {
        yield Buffer.from(text);
      })();
    },
    writeObject: async (bucket, name, text) => void written.set(`${bucket}/${name}`, text),
    produce: async (batches) => {
      if (produceFails) throw produceFails();
      produced.push(...batches);
    },
    now: () => Date.parse('2024-03-01T10:00:00Z'),
  });
});

async function post(data: unknown): Promise<number> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': '1',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/b',
      'ce-subject': 'objects/x',
      'content-type': 'application/json',
    },
    body: JSON.stringify(data),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Uploads an object and delivers its finalized event; the HTTP status the platform sees. */
function drop(name: string, text: string): Promise<number> {
  objects.set(name, text);
  return post({ bucket: 'b', name, generation: GENERATION, size: String(text.length) });
}

const ingestion = (name: string) => store.documents.get(`${name}@${GENERATION}`);

const HEADER = 'symbol,timestamp,open,high,low,close,volume';
const ROWS = [
  'ACME,2017-01-02 09:15:00+05:30,100,100,100,100,10',
  'ACME,2017-01-02 09:16:00+05:30,101,101,101,101,20',
  'ACME,2017-01-02 09:17:00+05:30,102,102,102,102,30',
];

describe('ingest: which objects it takes', () => {
  it.each([
    ['quarantine/ACME.csv@1.csv', 'in the quarantine prefix'],
    ['notes.txt', 'not a .csv or .csv.gz object'],
    ['ACME.csv.zip', 'not a .csv or .csv.gz object'],
  ])('skips %j (%s) with a 2xx and does nothing', async (name, reason) => {
    expect(skipReason(name, {})).toBe(reason);
    expect(await drop(name, `${HEADER}\n${ROWS[0]}\n`)).toBe(204);
    expect(opened).toEqual([]);
    expect(store.documents.size).toBe(0);
  });

  it('skips objects outside a configured upload prefix', () => {
    expect(skipReason('other/ACME.csv', { UPLOAD_PREFIX: 'incoming/' })).toBe(
      "outside the upload prefix 'incoming/'",
    );
    expect(skipReason('incoming/ACME.csv.gz', { UPLOAD_PREFIX: 'incoming/' })).toBeUndefined();
  });
});

describe('ingest: what it records', () => {
  it('produces the batches, sets the bad rows aside and records the report, once per generation', async () => {
    expect(await drop('ACME.csv', `${HEADER}\n${ROWS.join('\n')}\nACME,never,1,1,1,1,1\n`)).toBe(204);
    // Three bars in batches of at most two minutes.
    expect(produced.map((batch) => [batch.symbol, batch.seq, batch.of, batch.bars.length])).toEqual([
      ['ACME', 0, 2, 2],
      ['ACME', 1, 2, 1],
    ]);
    expect(written).toEqual(
      new Map([
        [
          `b/quarantine/ACME.csv@${GENERATION}.csv`,
          'object,line,reason,detail,raw\nACME.csv,5,timestamp,unreadable timestamp \'never\',"ACME,never,1,1,1,1,1"\n',
        ],
      ]),
    );
    expect(ingestion('ACME.csv')).toMatchObject({
      status: 'done',
      batches: 2,
      quarantine: `gs://b/quarantine/ACME.csv@${GENERATION}.csv`,
      attempts: 1,
      report: { dataRows: 4, accepted: 3, bad: { count: 1, byReason: { timestamp: 1 } }, symbols: ['ACME'] },
    });

    // The platform delivers the same event again: acknowledged, nothing done twice.
    expect(await drop('ACME.csv', `${HEADER}\n${ROWS.join('\n')}\n`)).toBe(204);
    expect(produced).toHaveLength(2);
    expect(ingestion('ACME.csv')?.attempts).toBe(1);
  });

  it('records a header without rows as done with no batches and no quarantine', async () => {
    expect(await drop('EMPTY__EQ__NSE__NSE__MINUTE.csv', 'timestamp,open,high,low,close,volume\n\n\n')).toBe(
      204,
    );
    expect(produced).toEqual([]);
    expect(written.size).toBe(0);
    expect(ingestion('EMPTY__EQ__NSE__NSE__MINUTE.csv')).toMatchObject({
      status: 'done',
      batches: 0,
      quarantine: null,
      report: { status: 'accepted', dataRows: 0, accepted: 0, symbols: [], firstMinute: null },
    });
  });

  it('sets a footer line aside and ingests the rows before it', async () => {
    expect(await drop('FOOTER.csv', `${HEADER}\n${ROWS.join('\n')}\nTotal,,,,,,\n`)).toBe(204);
    expect(produced.flatMap((batch) => batch.bars.map((bar) => bar[6]))).toEqual([2, 3, 4]);
    expect(written.get(`b/quarantine/FOOTER.csv@${GENERATION}.csv`)).toBe(
      'object,line,reason,detail,raw\nFOOTER.csv,5,timestamp,unreadable timestamp \'\',"Total,,,,,,"\n',
    );
    expect(ingestion('FOOTER.csv')).toMatchObject({ status: 'done', batches: 2, attempts: 1 });
  });

  it('records an object the contract rejects as rejected, and acknowledges it', async () => {
    expect(await drop('BROKEN.csv', 'timestamp,open,close\n2017-01-02 09:15:00+05:30,1,1\n')).toBe(204);
    expect(produced).toEqual([]);
    expect(ingestion('BROKEN.csv')).toMatchObject({
      status: 'rejected',
      error: 'missing required columns: high, low, volume',
      missingColumns: ['high', 'low', 'volume'],
      report: { status: 'rejected', error: 'missing required columns: high, low, volume', accepted: 0 },
    });
  });
});

describe('ingest: its error edge', () => {
  it('answers 500 for an event that is not a storage object event', async () => {
    expect(await post({ bucket: 'b' })).toBe(500);
  });
});
