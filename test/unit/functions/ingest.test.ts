/**
 * ingest, through functions-framework, with Eventarc's storage CloudEvent and an in-memory ingestion store:
 * which objects it takes, what it records, and which failures it acknowledges or has redelivered.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setIngestDependencies, setIngestLogger } from '../../../functions/ingest/index.js';
import { serviceError } from '../../../shared/errors.js';
import type { BarBatch } from '../../../shared/pipeline/barBatch.js';
import { quarantineObjectName, skipReason } from '../../../shared/pipeline/objectFilter.js';
import { postFinalized, serveFunction } from '../../helpers/functionServer.js';
import { capturingLogger, LABELS, type LogEntry } from '../../helpers/logCapture.js';
import { MemoryIngestionStore } from '../../helpers/memoryIngestionStore.js';
import { configFor, limitsFor } from '../../helpers/read.js';

let server: { url: string; close: () => Promise<void> };
let store: MemoryIngestionStore;
/** The bucket's objects by name (one generation each). */
let objects: Map<string, string>;
let opened: string[];
let written: Map<string, string>;
let produced: BarBatch[];
/** What produce and reading the object throw instead of working, when set. */
let produceFails: (() => Error) | undefined;
let readFails: (() => Error) | undefined;
/** Every entry ingest logged. */
let entries: LogEntry[];

const GENERATION = '1700000000000001';

beforeAll(async () => {
  server = await serveFunction('ingest');
});
afterAll(async () => {
  setIngestDependencies(undefined);
  setIngestLogger(undefined);
  await server.close();
});
beforeEach(() => {
  store = new MemoryIngestionStore();
  objects = new Map();
  opened = [];
  written = new Map();
  produced = [];
  produceFails = undefined;
  readFails = undefined;
  const captured = capturingLogger('ingest', { project: 'p1' });
  entries = captured.entries;
  setIngestLogger(captured.logger);
  // functions-framework logs the error of a 500 itself, as plain text.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  setIngestDependencies({
    store,
    config: configFor(),
    limits: limitsFor(),
    futureSkewMinutes: 5,
    batchMinutes: 2,
    quarantinePrefix: 'quarantine/',
    openObject: ({ name }) => {
      opened.push(name);
      const text = objects.get(name);
      if (text === undefined) throw new Error(`no object ${name} in this test`);
      return (async function* () {
        yield Buffer.from(text);
        if (readFails) throw readFails();
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

afterEach(() => {
  vi.restoreAllMocks();
});

/** ingest's WARNING and ERROR entries. */
const errorLines = () =>
  entries.filter((entry) => entry.severity === 'WARNING' || entry.severity === 'ERROR');

const post = (data: unknown, headers?: Record<string, string>) => postFinalized(server.url, data, headers);

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

describe('ingest: its settings', () => {
  it('stops the instance when it starts with a malformed setting, naming it', async () => {
    vi.stubEnv('BATCH_MINUTES', 'many');
    vi.resetModules();
    try {
      await expect(import('../../../functions/ingest/index.js')).rejects.toThrow(
        "BATCH_MINUTES must be a positive integer, got 'many'",
      );
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('ingest: which objects it takes', () => {
  it.each([
    ['quarantine/ACME.csv@1.csv', 'in the quarantine prefix'],
    ['notes.txt', 'not a .csv or .csv.gz object'],
    ['ACME.csv.zip', 'not a .csv or .csv.gz object'],
  ])('skips %j (%s) with a 2xx and does nothing', async (name, reason) => {
    expect(skipReason(name, { uploadPrefix: '', quarantinePrefix: 'quarantine/' })).toBe(reason);
    expect(await drop(name, `${HEADER}\n${ROWS[0]}\n`)).toBe(204);
    expect(opened).toEqual([]);
    expect(store.documents.size).toBe(0);
  });

  it('decides with the prefixes it started with, whatever the environment says later', async () => {
    vi.stubEnv('UPLOAD_PREFIX', 'elsewhere/');
    vi.stubEnv('QUARANTINE_PREFIX', 'elsewhere/quarantine/');
    try {
      expect(await drop('quarantine/ACME.csv@1.csv', `${HEADER}\n${ROWS[0]}\n`)).toBe(204);
      expect(opened).toEqual([]);
      expect(await drop('ACME.csv', `${HEADER}\n${ROWS[0]}\n`)).toBe(204);
      expect(ingestion('ACME.csv')?.status).toBe('done');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('names quarantine objects so that no path normalisation takes them out of the quarantine prefix', () => {
    expect(quarantineObjectName('quarantine/', 'in/ACME.csv', '7')).toBe('quarantine/in/ACME.csv@7.csv');
    expect(quarantineObjectName('quarantine/', '../../x/./A%2E.csv', '7')).toBe(
      'quarantine/%2E%2E/%2E%2E/x/%2E/A%252E.csv@7.csv',
    );
    expect(quarantineObjectName('q/', '..', '7')).toBe('q/%2E%2E@7.csv');
  });

  it('skips objects outside a configured upload prefix', () => {
    const prefixes = { uploadPrefix: 'incoming/', quarantinePrefix: 'incoming/quarantine/' };
    expect(skipReason('other/ACME.csv', prefixes)).toBe("outside the upload prefix 'incoming/'");
    expect(skipReason('incoming/ACME.csv.gz', prefixes)).toBeUndefined();
    expect(skipReason('incoming/quarantine/ACME.csv@1.csv', prefixes)).toBe('in the quarantine prefix');
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

  it('has an event redelivered while another delivery holds a live lease, and takes over once it lapses', async () => {
    // Another instance claimed the generation, then died mid-way without a word.
    const object = { bucket: 'b', name: 'ACME.csv', generation: GENERATION };
    const claim = await store.claim(object, Date.parse('2024-03-01T09:59:30Z'));
    expect(claim).toMatchObject({ claimed: true, attempts: 1 });
    objects.set('ACME.csv', `${HEADER}\n${ROWS.join('\n')}\n`);
    // Its 60 s lease runs until 10:00:30; this delivery at 10:00:00 is told to come back.
    expect(await post({ bucket: 'b', name: 'ACME.csv', generation: GENERATION })).toBe(500);
    expect(produced).toEqual([]);
    expect(ingestion('ACME.csv')).toMatchObject({ status: 'running', attempts: 1 });
    // The lease of the dead instance ran out: the next delivery takes over and ingests.
    await store.renew(`ACME.csv@${GENERATION}`, 1, Date.parse('2024-03-01T09:58:00Z'));
    expect(await post({ bucket: 'b', name: 'ACME.csv', generation: GENERATION })).toBe(204);
    expect(ingestion('ACME.csv')).toMatchObject({ status: 'done', attempts: 2 });
    expect(produced).toHaveLength(2);
    // The dead instance's renewal, should it wake, no longer holds anything.
    expect(await store.renew(`ACME.csv@${GENERATION}`, 1, Date.parse('2024-03-01T10:00:10Z'))).toBe(false);
  });

  it('stops producing and records nothing once another delivery has taken the claim over', async () => {
    const { ingestClaimed, ClaimLostError } = await import('../../../functions/ingest/ingestObject.js');
    const object = { bucket: 'b', name: 'ACME.csv', generation: GENERATION };
    objects.set('ACME.csv', `${HEADER}\n${ROWS.join('\n')}\n`);
    const claim = await store.claim(object, Date.parse('2024-03-01T10:00:00Z'));
    let owned = true;
    const sent: number[] = [];
    const run = ingestClaimed(
      object,
      `ACME.csv@${GENERATION}`,
      {
        store,
        config: configFor(),
        limits: limitsFor(),
        futureSkewMinutes: 5,
        batchMinutes: 2,
        quarantinePrefix: 'quarantine/',
        openObject: () =>
          (async function* () {
            yield Buffer.from(objects.get('ACME.csv')!);
          })(),
        writeObject: async () => undefined,
        produce: async (batches) => {
          for (const batch of batches) {
            sent.push(batch.seq);
            owned = false; // the lease lapsed and another delivery claimed it meanwhile
          }
        },
      },
      () => owned,
    );
    await expect(run).rejects.toBeInstanceOf(ClaimLostError);
    expect(sent).toEqual([0]);
    expect(claim).toMatchObject({ claimed: true });
    expect(ingestion('ACME.csv')).toMatchObject({ status: 'running', attempts: 1 });
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
  it('records a generation replaced before it was read as gone, producing nothing, and never claims it again', async () => {
    const { ingestClaimed, ObjectGoneError } = await import('../../../functions/ingest/ingestObject.js');
    const object = { bucket: 'b', name: 'ACME.csv', generation: GENERATION };
    const now = Date.parse('2024-03-01T10:00:00Z');
    await store.claim(object, now);
    const outcome = await ingestClaimed(object, `ACME.csv@${GENERATION}`, {
      store,
      config: configFor(),
      limits: limitsFor(),
      futureSkewMinutes: 5,
      batchMinutes: 2,
      quarantinePrefix: 'quarantine/',
      openObject: () =>
        (async function* () {
          yield Buffer.from(`${HEADER}\n`);
          throw new ObjectGoneError('Cloud Storage: object not found: No such object');
        })(),
      writeObject: async () => undefined,
      produce: async (batches) => void produced.push(...batches),
    });
    const reason = `generation ${GENERATION} no longer exists (replaced by a newer upload or deleted) before it was read: Cloud Storage: object not found: No such object`;
    expect(outcome).toEqual({ status: 'gone', id: `ACME.csv@${GENERATION}`, detail: reason });
    expect(produced).toEqual([]);
    expect(ingestion('ACME.csv')).toMatchObject({ status: 'gone', error: reason });
    expect(await store.claim(object, now + 1)).toMatchObject({ claimed: false, reason: 'already gone' });
  });
});

describe('ingest: its limits', () => {
  it('rejects an object past a limit, producing nothing and setting nothing aside', async () => {
    const { ingestClaimed } = await import('../../../functions/ingest/ingestObject.js');
    const object = { bucket: 'b', name: 'MANY.csv', generation: GENERATION };
    // A bad row before the limit is reached: it must not reach the quarantine either.
    objects.set('MANY.csv', `${HEADER}\nACME,yesterday,1,1,1,1,1\n${ROWS.join('\n')}\n`);
    const claim = await store.claim(object, Date.parse('2024-03-01T10:00:00Z'));
    expect(claim).toMatchObject({ claimed: true });
    const deps = {
      store,
      config: configFor(),
      limits: limitsFor({ maxRows: 3 }),
      futureSkewMinutes: 5,
      batchMinutes: 2,
      quarantinePrefix: 'quarantine/',
      openObject: () =>
        (async function* () {
          yield Buffer.from(objects.get('MANY.csv')!);
        })(),
      writeObject: async (bucket: string, name: string, text: string) =>
        void written.set(`${bucket}/${name}`, text),
      produce: async (batches: Iterable<BarBatch>) => void produced.push(...batches),
    };
    expect(await ingestClaimed(object, `MANY.csv@${GENERATION}`, deps)).toEqual({
      status: 'rejected',
      id: `MANY.csv@${GENERATION}`,
      detail: 'object has more than 3 rows (MAX_ROWS_PER_OBJECT)',
    });
    expect(produced).toEqual([]);
    expect(written.size).toBe(0);
    expect(ingestion('MANY.csv')).toMatchObject({
      status: 'rejected',
      error: 'object has more than 3 rows (MAX_ROWS_PER_OBJECT)',
      report: { status: 'rejected', error: 'object has more than 3 rows (MAX_ROWS_PER_OBJECT)', accepted: 0 },
    });
  });

  it('stops the instance when it starts with a malformed limit, naming it', async () => {
    vi.stubEnv('MAX_LINE_BYTES', '64k');
    vi.resetModules();
    try {
      await expect(import('../../../functions/ingest/index.js')).rejects.toThrow(
        "MAX_LINE_BYTES must be a positive integer, got '64k'",
      );
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('ingest: its error edge', () => {
  const acme = `${HEADER}\n${ROWS.join('\n')}\n`;

  it.each([
    [{ bucket: 'b' }, 'not a storage object event: missing or malformed name, generation'],
    [
      { bucket: 'b', name: 'ACME.csv', generation: 'latest' },
      'not a storage object event: missing or malformed generation',
    ],
    [{ name: 'ACME.csv', generation: 1 }, 'not a storage object event: missing or malformed bucket'],
  ])(
    'acknowledges a malformed event %j, logging one ERROR line with its id and why',
    async (data, reason) => {
      expect(await post(data)).toBe(204);
      expect(errorLines()).toEqual([
        {
          severity: 'ERROR',
          message: 'event acknowledged without ingesting',
          component: 'ingest',
          reason,
          [LABELS]: { component: 'ingest', event: '1' },
        },
      ]);
      expect(opened).toEqual([]);
      expect(store.documents.size).toBe(0);
    },
  );

  it('records a programming error as failed (never rejected), logs it and acknowledges the event', async () => {
    produceFails = () => new TypeError("Cannot read properties of undefined (reading 'symbol')");
    expect(await drop('ACME.csv', acme)).toBe(204);
    const failed = ingestion('ACME.csv');
    expect(failed).toMatchObject({
      status: 'failed',
      errorKind: 'programming',
      error: "programming error: TypeError: Cannot read properties of undefined (reading 'symbol')",
    });
    expect(failed?.leaseUntil).toBeUndefined();
    expect(errorLines()).toEqual([
      {
        severity: 'ERROR',
        message: 'ingestion failed',
        component: 'ingest',
        id: `ACME.csv@${GENERATION}`,
        errorKind: 'programming',
        error: {
          name: 'TypeError',
          message: "programming error: TypeError: Cannot read properties of undefined (reading 'symbol')",
        },
        // At ERROR with its stack, where Error Reporting finds a bug.
        stack_trace: expect.stringMatching(/^TypeError: Cannot read properties/),
        [LABELS]: { component: 'ingest', event: '1', object: 'ACME.csv', generation: GENERATION },
      },
    ]);
  });

  it('has a programming error redelivered when even its failure cannot be recorded', async () => {
    produceFails = () => new TypeError('x is not a function');
    store.failing.set(
      'fail',
      serviceError('Firestore', Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })),
    );
    expect(await drop('ACME.csv', acme)).toBe(500);
    expect(ingestion('ACME.csv')?.status).toBe('running');
    expect(errorLines().map((line) => line.message)).toEqual([
      'ingestion failed',
      'could not record the failure',
    ]);
  });

  it.each([
    [
      'Kafka',
      () => (produceFails = () => serviceError('Kafka', new Error('Connection timeout'))),
      'UnavailableError: Kafka: Connection timeout',
    ],
    [
      'Cloud Storage',
      () => (readFails = () => serviceError('Cloud Storage', new Error('socket hang up'))),
      'UnavailableError: Cloud Storage: socket hang up',
    ],
    [
      'Firestore (recording the report)',
      () =>
        store.failing.set(
          'finish',
          serviceError('Firestore', Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 })),
        ),
      'UnavailableError: Firestore: 14 UNAVAILABLE: no connection',
    ],
  ])(
    'records %s unavailable as a retriable failure and has the event redelivered',
    async (_, breakIt, error) => {
      breakIt();
      expect(await drop('ACME.csv', acme)).toBe(500);
      const failed = ingestion('ACME.csv');
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'retriable', error, attempts: 1 });
      expect(failed?.leaseUntil).toBeUndefined();
      expect(errorLines()).toEqual([
        expect.objectContaining({
          severity: 'WARNING',
          errorKind: 'retriable',
          error: { name: 'UnavailableError', message: error, retriable: true },
        }),
      ]);

      // The redelivery, once the service is back, takes the failed ingestion over at once.
      produceFails = undefined;
      readFails = undefined;
      expect(await drop('ACME.csv', acme)).toBe(204);
      expect(ingestion('ACME.csv')).toMatchObject({ status: 'done', attempts: 2, batches: 2 });
      expect(ingestion('ACME.csv')?.error).toBeUndefined();
    },
  );

  it('has the event redelivered when Firestore is unavailable for the claim, recording nothing', async () => {
    store.failing.set(
      'claim',
      serviceError('Firestore', Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })),
    );
    expect(await drop('ACME.csv', acme)).toBe(500);
    expect(opened).toEqual([]);
    expect(store.documents.size).toBe(0);
  });

  it('acknowledges a final failure (a request Firestore refuses), recorded as failed', async () => {
    store.failing.set(
      'finish',
      serviceError(
        'Firestore',
        Object.assign(new Error('3 INVALID_ARGUMENT: document too large'), { code: 3 }),
      ),
    );
    expect(await drop('ACME.csv', acme)).toBe(204);
    expect(ingestion('ACME.csv')).toMatchObject({
      status: 'failed',
      errorKind: 'final',
      error: 'RequestRefusedError: Firestore refused the request: 3 INVALID_ARGUMENT: document too large',
    });
  });
});

describe('ingest: its log lines', () => {
  const acme = `${HEADER}\n${ROWS.join('\n')}\n`;

  it('names the event and the object generation on every line of a delivery', async () => {
    expect(await drop('ACME.csv', acme)).toBe(204);
    expect(await drop('notes.txt', acme)).toBe(204);
    expect(entries.map((entry) => [entry.severity, entry.message, entry[LABELS]])).toEqual([
      [
        'INFO',
        'ingestion done',
        { component: 'ingest', event: '1', object: 'ACME.csv', generation: GENERATION },
      ],
      [
        'INFO',
        'skipped: not a .csv or .csv.gz object',
        { component: 'ingest', event: '1', object: 'notes.txt', generation: GENERATION },
      ],
    ]);
    expect(entries[0]).toMatchObject({ id: `ACME.csv@${GENERATION}`, status: 'done' });
    expect(entries[1]).toMatchObject({ bucket: 'b' });
  });

  it("puts its lines under the trace of the event's traceparent, in GOOGLE_CLOUD_PROJECT's traces", async () => {
    objects.set('ACME.csv', acme);
    const traceparent = `00-${'4b'.repeat(16)}-${'00f0'.repeat(4)}-01`;
    expect(await post({ bucket: 'b', name: 'ACME.csv', generation: GENERATION }, { traceparent })).toBe(204);
    expect(entries).toEqual([
      expect.objectContaining({
        message: 'ingestion done',
        'logging.googleapis.com/trace': `projects/p1/traces/${'4b'.repeat(16)}`,
        'logging.googleapis.com/spanId': '00f0'.repeat(4),
        'logging.googleapis.com/trace_sampled': true,
      }),
    ]);
  });

  it('writes no trace for an event without one', async () => {
    expect(await drop('ACME.csv', acme)).toBe(204);
    expect(Object.keys(entries[0]!).filter((key) => key.includes('trace'))).toEqual([]);
  });
});
