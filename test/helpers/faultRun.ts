/**
 * The checks of a fault run on the real stack, shared by the fault test files: after recovery, `wait` says
 * everything is written, the alerts in Firestore equal `detect`'s on the same files (verdict ALL-DELIVERED),
 * and every ingestion report accounts for each accepted bar.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateDataset } from '../../cli/generate/index.js';
import type { IngestionView } from '../../cli/commands/reports.js';
import { alertLines, verdictOf } from '../../bench/verdict.js';
import { runCli } from './runCli.js';

export const cli = (...args: string[]) => runCli(args, process.env);

export const pipelineAlerts = async () => alertLines((await cli('alerts', '--format', 'jsonl')).stdout);

/**
 * Every ingestion done (or, where `gone` is allowed, found replaced before it was read), and every accepted bar
 * of it detected (late ones in their place) or counted a repeat or too late: nothing accepted was lost.
 */
export async function reportsComplete(options: { gone?: boolean } = {}): Promise<IngestionView[]> {
  const views = JSON.parse((await cli('reports', '--json')).stdout) as IngestionView[];
  const settled = (status: string) => (options.gone === true && status === 'gone' ? 'gone' : 'done');
  expect(views.map((view) => view.status)).toEqual(views.map((view) => settled(view.status)));
  for (const view of views.filter((each) => each.status === 'done')) {
    const { processed, repeats, tooLate } = view.detection;
    expect(processed + repeats + tooLate, view.object).toBe(view.report!.accepted);
  }
  return views;
}

/** Waits for the pipeline to settle and checks that it delivered exactly the expected alerts. */
export async function deliveredExactly(
  expected: readonly string[],
  timeoutS = 300,
  options: { gone?: boolean } = {},
): Promise<void> {
  const waited = await cli('wait', '--timeout', String(timeoutS));
  expect(waited.stderr).toContain('all dropped objects ingested, all alerts written');
  expect(waited.code).toBe(0);
  expect(verdictOf(expected, await pipelineAlerts())).toEqual({
    verdict: 'ALL-DELIVERED',
    count: expected.length,
  });
  await reportsComplete(options);
}

/** How many traced deliveries there were, and how many distinct values of `field` they carried. */
export function tally(
  entries: Record<string, unknown>[],
  field: string,
): [deliveries: number, distinct: number] {
  return [entries.length, new Set(entries.map((entry) => String(entry[field]))).size];
}

/** `detect`'s alerts on files, in the order given: the expectation no pipeline code computes. */
export async function detectAlerts(...paths: string[]): Promise<string[]> {
  const batch = await cli('detect', '--format', 'jsonl', ...paths);
  expect(batch.code).toBe(0);
  return alertLines(batch.stdout);
}

/** A generated data set's CSV files, sorted, and `detect`'s alerts on them. */
export async function generatedRun(
  out: string,
  shape: { symbols: number; days: number; seed: number },
): Promise<{ files: string[]; expected: string[] }> {
  await generateDataset({ out, ...shape, faultRate: 1 });
  const files = readdirSync(out)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(out, name));
  return { files, expected: await detectAlerts(...files) };
}
