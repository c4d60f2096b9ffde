/**
 * The bad-input corpus (test/corpus/cases.ts) through both paths of the contract, without infrastructure:
 * `stock-anomalies detect --report --quarantine` (the CLI) and the ingest function served by
 * functions-framework with in-memory fakes (the pipeline). Each must give the outcome written by hand for the
 * case, the two must agree, and neither may hit a programming error. Where a case gives its quarantine CSV, both
 * paths must write exactly that. No test here is skipped or expected to fail: each asserts the contract's outcome.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QualityReport } from '../../shared/core/report.js';
import type { BarBatch } from '../../shared/pipeline/barBatch.js';
import { futureSkewMinutesFromEnv } from '../../shared/config/ingestSettings.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import type { Ingestion } from '../../shared/state/ingestionStore.js';
import type { IngestDependencies } from '../../functions/ingest/ingestObject.js';
import type { Logger } from '../../shared/logging/logger.js';
import { CORPUS, expectedReport, objectName, type CorpusCase } from '../corpus/cases.js';
import { postFinalized, serveFunction } from '../helpers/functionServer.js';
import { capturingLogger, LABELS, type LogEntry } from '../helpers/logCapture.js';
import { MemoryIngestionStore } from '../helpers/memoryIngestionStore.js';
import { configFor, limitsFor, TEST_NOW } from '../helpers/read.js';
import { runCli } from '../helpers/runCli.js';

/** The prefixes ingest runs with here: the quarantine inside the upload space, so that skipping it matters. */
const PREFIXES = { uploadPrefix: 'uploads/', quarantinePrefix: 'uploads/quarantine/' };
vi.stubEnv('UPLOAD_PREFIX', PREFIXES.uploadPrefix);
vi.stubEnv('QUARANTINE_PREFIX', PREFIXES.quarantinePrefix);

const GENERATION = '1700000000000042';
const BUCKET = 'b';
const work = mkdtempSync(join(tmpdir(), 'corpus-'));

let server: { url: string; close: () => Promise<void> };
let setIngestDependencies: (deps: IngestDependencies | undefined) => void;
let setIngestLogger: (logger: Logger | undefined) => void;

beforeAll(async () => {
  // ingest reads its prefixes when it is loaded: only now, with them set.
  ({ setIngestDependencies, setIngestLogger } = await import('../../functions/ingest/index.js'));
  server = await serveFunction('ingest');
});
afterAll(async () => {
  setIngestDependencies(undefined);
  setIngestLogger(undefined);
  await server.close();
  vi.unstubAllEnvs();
  rmSync(work, { recursive: true, force: true });
});

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
  report: QualityReport;
  quarantine: string;
}

/** `detect` on the case's bytes, saved under the base name of its object. */
async function throughDetect(corpusCase: CorpusCase): Promise<CliOutcome> {
  const dir = mkdtempSync(join(work, 'cli-'));
  const file = join(dir, basename(corpusCase.path));
  writeFileSync(file, corpusCase.bytes());
  const reportFile = join(dir, 'report.json');
  const quarantineFile = join(dir, 'quarantine.csv');
  const run = await runCli([
    'detect',
    '--format',
    'jsonl',
    '--timezone',
    corpusCase.timezone ?? 'Asia/Kolkata',
    '--report',
    reportFile,
    '--quarantine',
    quarantineFile,
    file,
  ]);
  const outcomes = JSON.parse(readFileSync(reportFile, 'utf8')) as Array<{ report: QualityReport }>;
  const quarantine = readFileSync(quarantineFile, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: run.code, stdout: run.stdout, stderr: run.stderr, report: outcomes[0]!.report, quarantine };
}

interface PipelineOutcome {
  name: string;
  status: number;
  ingestion: Ingestion | undefined;
  documents: number;
  opened: string[];
  written: Map<string, string>;
  produced: BarBatch[];
  /** ingest's entries below WARNING. */
  logs: LogEntry[];
  /** ingest's entries at WARNING and above, as JSON, and functions-framework's own error lines. */
  errors: string[];
  /** How much the heap grew while ingest ran (garbage not yet collected included). */
  heapGrowth?: number;
  /** The HTTP status of the finalized event of the quarantine object ingest wrote, delivered back to it. */
  quarantineEventStatus?: number;
}

const post = (data: unknown) => postFinalized(server.url, data);

/** The case's object uploaded and its finalized event delivered to ingest, read back in small chunks. */
async function throughIngest(corpusCase: CorpusCase): Promise<PipelineOutcome> {
  const name = objectName(corpusCase, PREFIXES);
  const content = corpusCase.bytes();
  // Small chunks cut multi-byte characters and quoted fields; large objects in chunks as a stream gives them.
  const chunkSize = content.length > 1 << 20 ? 1 << 16 : 7;
  const store = new MemoryIngestionStore();
  const outcome: PipelineOutcome = {
    name,
    status: 0,
    ingestion: undefined,
    documents: 0,
    opened: [],
    written: new Map(),
    produced: [],
    logs: [],
    errors: [],
  };
  const { logger, entries } = capturingLogger('ingest');
  setIngestLogger(logger);
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((line) => void outcome.errors.push(String(line)));
  const bucket = new Map([[name, content]]);
  try {
    setIngestDependencies({
      store,
      config: configFor({ timezone: corpusCase.timezone ?? 'Asia/Kolkata' }),
      limits: limitsFor(),
      futureSkewMinutes: futureSkewMinutesFromEnv({}),
      batchMinutes: 2,
      quarantinePrefix: PREFIXES.quarantinePrefix,
      openObject: ({ name: opened }) => {
        outcome.opened.push(opened);
        const bytes = bucket.get(opened);
        if (bytes === undefined) throw new Error(`no object ${opened} in this test`);
        return (async function* () {
          for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
        })();
      },
      writeObject: async (writtenBucket, writtenName, text) => {
        outcome.written.set(`${writtenBucket}/${writtenName}`, text);
        bucket.set(writtenName, Buffer.from(text));
      },
      produce: async (batches) => void outcome.produced.push(...batches),
      // A fixed clock, after every date of the corpus but its bar dated 2099.
      now: () => TEST_NOW,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    outcome.status = await post({ bucket: BUCKET, name, generation: GENERATION });
    outcome.heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    outcome.ingestion = store.documents.get(ingestionId(name, GENERATION));
    // Writing the quarantine object makes the bucket announce it too: ingest must leave it alone.
    const quarantine = [...outcome.written.keys()][0];
    if (quarantine !== undefined) {
      outcome.quarantineEventStatus = await post({
        bucket: BUCKET,
        name: quarantine.slice(BUCKET.length + 1),
        generation: '1700000000000043',
      });
    }
    outcome.documents = store.documents.size;
  } finally {
    error.mockRestore();
    for (const entry of entries) {
      if (entry.severity === 'DEBUG' || entry.severity === 'INFO') outcome.logs.push(entry);
      else outcome.errors.push(JSON.stringify(entry));
    }
  }
  return outcome;
}

/** The data rows of a quarantine CSV, parsed: [object, line, reason, detail, raw]. */
function quarantineRows(csv: string): string[][] {
  const parsed = Papa.parse<string[]>(csv, { delimiter: ',', newline: '\n' });
  expect(parsed.errors).toEqual([]);
  const [header, ...rows] = parsed.data;
  expect(header).toEqual(['object', 'line', 'reason', 'detail', 'raw']);
  return rows.filter((row) => !(row.length === 1 && row[0] === ''));
}

/** A decimal as a number, so that `+100.50`, `100.5` and `-0`, `0` compare alike. */
const value = (text: string) => String(Number(text) + 0);
const minuteText = (minute: number) => new Date(minute * 60_000).toISOString().replace('.000Z', 'Z');

/** The produced bars as [symbol, minute, open, high, low, close, volume, line], batch by batch. */
function producedBars(
  produced: BarBatch[],
): Array<[string, string, string, string, string, string, string, number]> {
  return produced.flatMap((batch) =>
    batch.bars.map(
      ([minute, open, high, low, close, volume, line]) =>
        [
          batch.symbol,
          minuteText(minute),
          value(open),
          value(high),
          value(low),
          value(close),
          value(volume),
          line,
        ] as [string, string, string, string, string, string, string, number],
    ),
  );
}

/** A quarantine object name that no path normalisation can move out of the quarantine prefix. */
function expectSafeQuarantineName(name: string): void {
  const { quarantinePrefix } = PREFIXES;
  expect(name.startsWith(quarantinePrefix)).toBe(true);
  expect(skipReason(name, PREFIXES)).toBe('in the quarantine prefix');
  expect(name.slice(quarantinePrefix.length).split('/')).not.toContain('..');
  expect(name.slice(quarantinePrefix.length).split('/')).not.toContain('.');
  expect(posix.normalize(name).startsWith(quarantinePrefix)).toBe(true);
  expect(name).toContain(`@${GENERATION}`);
}

/**
 * A quarantine CSV with the clock's limit in `future` details replaced: `detect` reads at today's time, ingest
 * here at its fixed `now`, so only that part of the detail differs.
 */
const withoutClock = (csv: string) => csv.replace(/is after [0-9T:Z-]+, the reader's clock/g, 'is after …');

const programmingErrors = (lines: string[]) => lines.filter((line) => /programming/i.test(line));

describe.each(CORPUS.map((corpusCase) => [corpusCase.id, corpusCase] as const))(
  'corpus: %s',
  (_, corpusCase) => {
    const expectation = corpusCase.expect;

    let pipeline: PipelineOutcome;
    let cli: CliOutcome | undefined;
    beforeAll(async () => {
      pipeline = await throughIngest(corpusCase);
      if (expectation.status !== 'skipped') cli = await throughDetect(corpusCase);
    }, 120_000);

    it('hits no programming error on either path', () => {
      expect(pipeline.status).toBe(204);
      expect(programmingErrors(pipeline.errors)).toEqual([]);
      expect(pipeline.ingestion?.status).not.toBe('failed');
      if (cli !== undefined) expect(cli.stderr).not.toMatch(/FAILED|programming error/);
    });

    if (expectation.status === 'skipped') {
      it('is skipped by ingest with its reason, and nothing is read or recorded', () => {
        const reason = expectation.reason(PREFIXES);
        expect(skipReason(pipeline.name, PREFIXES)).toBe(reason);
        expect(pipeline.opened).toEqual([]);
        expect(pipeline.documents).toBe(0);
        expect(pipeline.produced).toEqual([]);
        expect(pipeline.logs).toContainEqual(
          expect.objectContaining({
            message: `skipped: ${reason}`,
            [LABELS]: expect.objectContaining({ object: pipeline.name }),
          }),
        );
      });
      return;
    }

    if (expectation.status === 'rejected') {
      it('detect rejects it whole', () => {
        expect(cli!.code).toBe(1);
        expect(cli!.report).toMatchObject({ status: 'rejected', accepted: 0, dataRows: 0 });
        expect(cli!.report.error).toMatch(expectation.error);
        if (expectation.missingColumns !== undefined) {
          expect(cli!.report.missingColumns).toEqual(
            expectation.missingColumns.map((c) => (typeof c === 'string' ? c : expect.stringMatching(c))),
          );
        }
        expect(quarantineRows(cli!.quarantine)).toEqual([]);
      });

      it('ingest records it as rejected and forwards nothing', () => {
        expect(pipeline.ingestion).toMatchObject({
          status: 'rejected',
          report: { status: 'rejected', accepted: 0 },
        });
        expect(pipeline.ingestion!.error).toMatch(expectation.error);
        expect(pipeline.ingestion!.report!.error).toMatch(expectation.error);
        if (expectation.missingColumns !== undefined) {
          expect(pipeline.ingestion!.missingColumns).toEqual(
            expectation.missingColumns.map((c) => (typeof c === 'string' ? c : expect.stringMatching(c))),
          );
        }
        expect(pipeline.produced).toEqual([]);
        expect(pipeline.written.size).toBe(0);
      });

      it('is rejected for the same reason by both', () => {
        expect(pipeline.ingestion?.error).toBe(cli!.report.error);
        expect(pipeline.ingestion?.status === 'rejected').toBe(cli!.report.status === 'rejected');
      });
      return;
    }

    it('detect reports it as written by hand', () => {
      expect(cli!.code).toBe(0);
      expect(cli!.report).toEqual(expectedReport(expectation, basename(corpusCase.path)));
      const rows = quarantineRows(cli!.quarantine);
      expect(rows).toHaveLength(cli!.report.bad.count + cli!.report.duplicates.count);
      if (expectation.setAside !== undefined) {
        expect(rows.map(([, line, reason]) => [Number(line), reason])).toEqual(expectation.setAside);
      }
      // Counted by reason, and every one of them in the quarantine file.
      const byReason: Record<string, number> = {};
      for (const [, , reason] of rows)
        if (reason !== 'duplicate') byReason[reason!] = (byReason[reason!] ?? 0) + 1;
      expect(byReason).toEqual(expectation.bad);
    });

    it('ingest records it as written by hand and produces exactly the accepted bars', () => {
      const report = expectedReport(expectation, pipeline.name);
      expect(pipeline.ingestion).toMatchObject({ status: 'done', report, batches: pipeline.produced.length });
      expect(pipeline.ingestion!.report).toEqual(report);
      const bars = producedBars(pipeline.produced);
      expect(bars).toHaveLength(expectation.accepted);
      if (expectation.bars !== undefined) {
        expect(bars).toEqual(
          expectation.bars.map(([symbol, minute, ...rest]) => [
            symbol,
            minute,
            ...rest.slice(0, 5).map((v) => value(v as string)),
            rest[5],
          ]),
        );
      }
      // Per symbol in ascending minute order, no minute twice.
      for (const symbol of expectation.symbols) {
        const minutes = bars.filter(([s]) => s === symbol).map(([, minute]) => minute);
        expect(minutes).toEqual([...new Set(minutes)].sort());
      }
    });

    it('writes its set-aside rows to a quarantine object named safely, which ingest then skips', () => {
      const setAside =
        (pipeline.ingestion?.report?.bad.count ?? 0) + (pipeline.ingestion?.report?.duplicates.count ?? 0);
      if (setAside === 0) {
        expect(pipeline.written.size).toBe(0);
        expect(pipeline.ingestion?.quarantine).toBeNull();
        return;
      }
      const [key] = [...pipeline.written.keys()];
      const name = key!.slice(BUCKET.length + 1);
      expectSafeQuarantineName(name);
      expect(pipeline.ingestion?.quarantine).toBe(`gs://${BUCKET}/${name}`);
      // The announcement of the quarantine object: acknowledged, not read, no ingestion of its own.
      expect(pipeline.quarantineEventStatus).toBe(204);
      expect(pipeline.opened).toEqual([pipeline.name]);
      expect(pipeline.documents).toBe(1);
    });

    it('is reported alike by detect and by ingest, bar the object name', () => {
      expect(pipeline.ingestion?.report).toEqual({ ...cli!.report, object: pipeline.name });
      // The same rows; only the object's name (its column, and a detail that names it) differs.
      const written = [...pipeline.written.values()][0] ?? 'object,line,reason,detail,raw\n';
      expect(withoutClock(written.replaceAll(pipeline.name, basename(corpusCase.path)))).toBe(
        withoutClock(cli!.quarantine),
      );
    });

    if (expectation.alerts !== undefined) {
      const alerts = expectation.alerts;
      it('detect raises exactly the alerts written by hand', () => {
        const raised = cli!.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { symbol: string; timestamp: string; rules: string[] });
        expect(raised.map(({ symbol, timestamp, rules }) => [symbol, timestamp, rules])).toEqual(alerts);
      });
    }

    if (corpusCase.quarantineCsv !== undefined) {
      const quarantineCsv = corpusCase.quarantineCsv;
      it('writes exactly the quarantine CSV written by hand, on both paths', () => {
        expect(cli!.quarantine).toBe(quarantineCsv.replaceAll('{object}', basename(corpusCase.path)));
        expect([...pipeline.written.values()][0]).toBe(quarantineCsv.replaceAll('{object}', pipeline.name));
      });
    }

    if (corpusCase.id.startsWith('a million')) {
      it('keeps memory within an ingest instance (2 GiB)', () => {
        // Garbage not yet collected counts too, so the figure varies from run to run (about 0.3-0.8 GiB); what
        // must hold is that ingest, its runtime included, fits the instance.
        expect(pipeline.heapGrowth).toBeLessThan(1536 << 20);
      });
    }
  },
);
