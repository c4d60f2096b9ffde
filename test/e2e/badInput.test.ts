/**
 * The bad-input corpus (test/corpus/cases.ts) on the real local stack: every small case dropped into the bucket
 * under its real name (spaces, unicode, `../`, outside the upload prefix, inside the quarantine prefix) with good
 * data alongside. Each report must be the hand-written outcome, the good data must still give exactly the alerts
 * `detect` finds in it (no partition blocked), and nothing may be parked or held.
 *
 * Unit only, as they would be slow here or need another exchange time zone: the 10 MB line, the million bad
 * rows and the two daylight-saving cases. The outside-the-upload-prefix case needs a stack whose ingest runs
 * with an UPLOAD_PREFIX (e.g. UPLOAD_PREFIX=uploads/ QUARANTINE_PREFIX=uploads/quarantine/, for the stack and
 * for this test); with the default empty prefix no object is outside it, and the case is left out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestionView } from '../../cli/commands/reports.js';
import { readVariable } from '../../shared/config/variables.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { CORPUS, expectedReport, objectName, type CorpusCase } from '../corpus/cases.js';
import { alertLines } from '../../bench/verdict.js';
import { cli } from '../helpers/faultRun.js';
import { emptyStack } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const prefixes = {
  uploadPrefix: readVariable('UPLOAD_PREFIX'),
  quarantinePrefix: readVariable('QUARANTINE_PREFIX'),
};
const work = mkdtempSync(join(tmpdir(), 'bad-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const GOOD = new URL('../../data/sample/IDFCFIRSTB__EQ__NSE__NSE__MINUTE.csv', import.meta.url).pathname;

const cases = CORPUS.filter(
  (corpusCase) =>
    corpusCase.e2e &&
    corpusCase.timezone === undefined &&
    !(corpusCase.place === 'outside' && prefixes.uploadPrefix === ''),
);

let views: IngestionView[];
let reportsExit: number;
let goodAlerts: string[];
let bucketNames: string[];

beforeAll(async () => {
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).not.toContain('timed out');
  await emptyStack();

  const goodFile = join(work, basename(GOOD));
  writeFileSync(goodFile, readFileSync(GOOD));
  const detected = await cli('detect', '--format', 'jsonl', goodFile);
  expect(detected.code).toBe(0);
  goodAlerts = alertLines(detected.stdout);
  expect(goodAlerts.length).toBeGreaterThan(50);

  const bucket = new Storage({
    projectId: endpoints.project,
    apiEndpoint: endpoints.storage.apiEndpoint,
  }).bucket(endpoints.bucket);
  // The bad objects first, then the good one: whatever they do must not hold it up.
  for (const corpusCase of cases) {
    await bucket
      .file(objectName(corpusCase, prefixes))
      .save(corpusCase.bytes(), { resumable: false, contentType: 'text/csv' });
  }
  await bucket
    .file(`${prefixes.uploadPrefix}${basename(GOOD)}`)
    .save(readFileSync(GOOD), { resumable: false });

  const idle = await cli('wait', '--timeout', '90');
  expect(idle.stderr).toContain('all dropped objects ingested, all alerts written');
  // Rows from the future and symbols outside the grammar were set aside: settled, yet not all detected.
  expect(idle.stderr).toMatch(
    /not detected: 0 bars too late \(past LATENESS_HORIZON_DAYS\), [1-9]\d* rows? from the future, [1-9]\d* rows? with a symbol/,
  );
  expect(idle.code).toBe(3);
  const reports = await cli('reports', '--json');
  reportsExit = reports.code;
  views = JSON.parse(reports.stdout);
  bucketNames = (await bucket.getFiles())[0].map((file) => file.name);
}, 300_000);

const viewOf = (corpusCase: CorpusCase) =>
  views.find((view) => view.object === objectName(corpusCase, prefixes));

describe('bad input on the local stack', () => {
  it('parks nothing and holds no symbol', () => {
    expect(reportsExit).toBe(0);
    for (const view of views) expect(view).toMatchObject({ parked: 0, held: 0 });
  });

  it('still gives the good data dropped alongside exactly the alerts detect finds in it', async () => {
    const alerts = alertLines((await cli('alerts', '--format', 'jsonl', '--symbol', 'IDFCFIRSTB')).stdout);
    expect(alerts).toEqual(goodAlerts);
  });

  it('ingests nothing in the quarantine prefix: one report per object taken, none for what ingest wrote', () => {
    expect(views.filter((view) => view.object.startsWith(prefixes.quarantinePrefix))).toEqual([]);
    const taken = cases.filter((corpusCase) => corpusCase.expect.status !== 'skipped');
    expect(views).toHaveLength(taken.length + 1);
  });

  it.each(cases.map((corpusCase) => [corpusCase.id, corpusCase] as const))('%s', async (_, corpusCase) => {
    const expectation = corpusCase.expect;
    const view = viewOf(corpusCase);
    if (expectation.status === 'skipped') {
      expect(view).toBeUndefined();
      expect(bucketNames).toContain(objectName(corpusCase, prefixes));
      return;
    }
    if (expectation.status === 'rejected') {
      expect(view).toMatchObject({ status: 'rejected', detection: { batches: 0 } });
      expect(view!.error).toMatch(expectation.error);
      return;
    }
    expect(view).toMatchObject({ status: 'done' });
    expect(view!.report).toMatchObject(expectedReport(expectation, objectName(corpusCase, prefixes)));
    // Every accepted bar was detected (late ones in their place) or is a repeat: several cases share the symbol
    // ACME, in no set order.
    expect(view!.detection.processed + view!.detection.repeats + view!.detection.tooLate).toBe(
      expectation.accepted,
    );
    if (expectation.alerts !== undefined) {
      // The case's symbols are its own: the stack's alerts of them are exactly those written by hand.
      for (const symbol of expectation.symbols) {
        const written = alertLines((await cli('alerts', '--format', 'jsonl', '--symbol', symbol)).stdout);
        expect(written.map((line) => JSON.parse(line) as { timestamp: string; rules: string[] })).toEqual(
          expectation.alerts
            .filter(([alertSymbol]) => alertSymbol === symbol)
            .map(([, timestamp, rules]) => expect.objectContaining({ symbol, timestamp, rules })),
        );
      }
    }
    const setAside = expectation.dataRows - expectation.accepted;
    if (setAside === 0) expect(view!.quarantine).toBeNull();
    else {
      const name = view!.quarantine!.replace(`gs://${endpoints.bucket}/`, '');
      expect(name.startsWith(prefixes.quarantinePrefix)).toBe(true);
      expect(bucketNames).toContain(name);
    }
  });
});
