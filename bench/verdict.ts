/**
 * The verdict of a pipeline run (a fault test's, the load benchmark's), in the manner of Kafka's and Flink's
 * exactly-once system tests: the alerts in Firestore against the alerts `detect` finds in the same files, by
 * identity (symbol and minute) and by content. One word says how it went; the ids say where.
 *
 * It lives in bench/ rather than test/helpers/ because the benchmarks, which are built into dist/, use it too
 * (tsconfig.build.json leaves test/ out).
 */
import type { IngestionView } from '../cli/api.js';

export type Verdict =
  | { verdict: 'ALL-DELIVERED'; count: number }
  | { verdict: 'LESS-THAN-EXPECTED'; missing: string[] }
  | { verdict: 'MORE-THAN-EXPECTED'; extra: string[] }
  | { verdict: 'DIFFERENT'; missing: string[]; extra: string[]; changed: string[] };

/** An alert line's identity: `SYMBOL@timestamp`. */
function identity(line: string): string {
  const { symbol, timestamp } = JSON.parse(line) as { symbol: string; timestamp: string };
  return `${symbol}@${timestamp}`;
}

/** Compares alert lines (JSON, one alert each) written by the pipeline with those expected. */
export function verdictOf(expected: readonly string[], actual: readonly string[]): Verdict {
  const want = new Map(expected.map((line) => [identity(line), line]));
  const got = new Map<string, string>();
  const doubled: string[] = [];
  for (const line of actual) {
    const id = identity(line);
    if (got.has(id)) doubled.push(id);
    got.set(id, line);
  }
  const missing = [...want.keys()].filter((id) => !got.has(id));
  const extra = [...[...got.keys()].filter((id) => !want.has(id)), ...doubled];
  const changed = [...want].filter(([id, line]) => got.has(id) && got.get(id) !== line).map(([id]) => id);
  if (changed.length > 0 || (missing.length > 0 && extra.length > 0)) {
    return { verdict: 'DIFFERENT', missing, extra, changed };
  }
  if (missing.length > 0) return { verdict: 'LESS-THAN-EXPECTED', missing };
  if (extra.length > 0) return { verdict: 'MORE-THAN-EXPECTED', extra };
  return { verdict: 'ALL-DELIVERED', count: want.size };
}

/** Alerts as JSON lines, without the object generation (the CLI reads files, which have none). */
export function alertLines(jsonl: string): string[] {
  return jsonl
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const alert = JSON.parse(line);
      delete alert.source.generation;
      return JSON.stringify(alert);
    });
}

/**
 * What keeps the ingestion reports from being complete: an ingestion not done, or one whose accepted bars are
 * not all detected (late ones included) or counted as repeats or too late (contract §2: processed + repeats +
 * tooLate = accepted). Empty when every accepted bar is accounted for.
 */
export function incompleteReports(views: readonly IngestionView[]): string[] {
  const problems: string[] = [];
  for (const view of views) {
    if (view.status !== 'done') problems.push(`${view.object}: ${view.status}`);
    else if (view.report === undefined) problems.push(`${view.object}: no report`);
    else {
      const { processed, repeats, tooLate } = view.detection;
      if (processed + repeats + tooLate !== view.report.accepted) {
        problems.push(
          `${view.object}: ${processed} processed + ${repeats} repeats + ${tooLate} too late ` +
            `!= ${view.report.accepted} accepted`,
        );
      }
    }
  }
  return problems;
}
