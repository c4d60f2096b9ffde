/**
 * `replay` on the real local stack: the sample files replayed from their start, minute object after minute
 * object at speed 600, must leave in Firestore exactly the alerts `detect` finds on the whole files up to the
 * last minute replayed (an alert depends only on its symbol's bars before it), each written from the object of
 * its own minute. `detect` reads the original files and shares none of replay's code.
 *
 * With `--wait-ingest` the objects reach Kafka in the order they were uploaded. Without it, objects a tenth of a
 * second apart are ingested side by side (the router posts four storage events at a time, and Pub/Sub
 * redelivers out of order), and a symbol's bars that reach Kafka after a later minute's are late: detected in
 * their place (contract §2), so the alerts are the same either way; only the source lines say which object
 * overtook which.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IngestionView } from '../../cli/commands/reports.js';
import { cli, detectAlerts, pipelineAlerts } from '../helpers/faultRun.js';
import { emptyStack } from '../helpers/stackFaults.js';

const sampleDir = new URL('../../data/sample/', import.meta.url).pathname;
const samples = ['IDFCFIRSTB', 'POWERGRID', 'TATASTEEL'].map((s) =>
  join(sampleDir, `${s}__EQ__NSE__NSE__MINUTE.csv`),
);
/** 10:04 IST: fifty minutes of IDFCFIRSTB and TATASTEEL, and POWERGRID's first five. */
const LAST = '2017-01-02T04:34:00Z';

interface Alert {
  symbol: string;
  timestamp: string;
  source: { object: string; line: number };
}

/** Alerts by minute, each minute's sorted by symbol and without its source (object and line differ). */
function byMinute(lines: readonly string[]): Record<string, string[]> {
  const minutes: Record<string, string[]> = {};
  for (const line of lines) {
    const { source: _source, ...alert } = JSON.parse(line) as Alert;
    (minutes[alert.timestamp] ??= []).push(JSON.stringify(alert));
  }
  for (const alerts of Object.values(minutes)) alerts.sort();
  return minutes;
}

/** The object replay names for a minute, written out here from its documented form. */
const objectOf = (timestamp: string) =>
  `replay/${timestamp.slice(0, 10)}T${timestamp.slice(11, 13)}${timestamp.slice(14, 16)}Z.csv`;

async function resetStack(): Promise<void> {
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).not.toContain('timed out');
  await emptyStack();
}

async function reports(): Promise<IngestionView[]> {
  return JSON.parse((await cli('reports', '--json')).stdout) as IngestionView[];
}

async function replayed(...options: string[]): Promise<void> {
  const run = await cli('replay', '--speed', '600', '--to', '2017-01-02T04:34Z', ...options, ...samples);
  // The sample's one row whose timestamp does not parse is named and skipped, which makes the exit code 1.
  expect(run.stderr).toContain(
    `${samples[0]}:480: skipped: unreadable timestamp '2017-01-03 25:14:00+05:30'`,
  );
  expect(run.stderr).toContain('replayed 50 minutes, 105 rows of 3 symbols, in ');
  expect(run.code).toBe(1);
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).toContain('all dropped objects ingested, all alerts written');
}

/** The fifty minute objects, each ingested whole. */
async function minuteReports(): Promise<IngestionView[]> {
  const views = await reports();
  const objects = views.map((view) => view.object).sort();
  expect(objects).toHaveLength(50);
  expect(objects[0]).toBe('replay/2017-01-02T0345Z.csv');
  expect(objects.at(-1)).toBe('replay/2017-01-02T0434Z.csv');
  for (const view of views) expect(view.status, view.object).toBe('done');
  expect(views.reduce((sum, view) => sum + view.report!.accepted, 0)).toBe(105);
  return views;
}

beforeAll(resetStack);

describe('replay through the local stack', () => {
  it("with --wait-ingest, writes detect's alerts up to the last minute replayed, each from its minute's object", async () => {
    await replayed('--wait-ingest');
    const expected = (await detectAlerts(...samples)).filter(
      (line) => (JSON.parse(line) as Alert).timestamp <= LAST,
    );
    expect(expected.length).toBeGreaterThan(20);
    const actual = await pipelineAlerts();
    expect(byMinute(actual)).toEqual(byMinute(expected));
    for (const line of actual) {
      const alert = JSON.parse(line) as Alert;
      expect(alert.source.object, `${alert.symbol}@${alert.timestamp}`).toBe(objectOf(alert.timestamp));
    }
    for (const view of await minuteReports()) {
      expect(view.detection, view.object).toMatchObject({ processed: view.report!.accepted, late: 0 });
    }
  });

  it("without it, writes the same alerts: a minute's object overtaken by a later one is detected in its place", async () => {
    await resetStack();
    await replayed();
    const expected = (await detectAlerts(...samples)).filter(
      (line) => (JSON.parse(line) as Alert).timestamp <= LAST,
    );
    expect(byMinute(await pipelineAlerts())).toEqual(byMinute(expected));
    let late = 0;
    for (const view of await minuteReports()) {
      expect(view.detection, view.object).toMatchObject({ processed: view.report!.accepted, repeats: 0 });
      late += view.detection.late;
    }
    console.log(`replay at speed 600 without --wait-ingest: ${late} of 105 bars came late`);
  });
});
