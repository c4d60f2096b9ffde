/**
 * The ingestions as the console lists them (api/contract.ts IngestionRow), from the ingestion store's summaries, and
 * where an ingestion's set-aside rows are (the quarantine object named by its `quarantine` field).
 */
import type { IngestionCursor, IngestionSummary } from '../../shared/state/ingestionStore.js';
import type { IngestionRow } from '../api/contract.js';

/** The bucket and name of a `gs://bucket/name` address, or undefined. */
export function objectAddress(
  address: string | null | undefined,
): { bucket: string; name: string } | undefined {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(address ?? '');
  return match ? { bucket: match[1]!, name: match[2]! } : undefined;
}

export function ingestionRowOf(summary: IngestionSummary): IngestionRow {
  const setAside = objectAddress(summary.quarantine)?.name;
  return {
    id: summary.id,
    object: summary.object,
    generation: summary.generation,
    status: summary.status,
    ...(summary.error !== undefined && { error: summary.error }),
    ...(summary.startedAt.getTime() > 0 && { startedAt: summary.startedAt.toISOString() }),
    ...(summary.finishedAt !== undefined && { finishedAt: summary.finishedAt.toISOString() }),
    ...(summary.report !== undefined && { report: summary.report }),
    late: summary.detection.late,
    repeats: summary.detection.repeats,
    tooLate: summary.detection.tooLate,
    processed: summary.detection.processed,
    alerts: summary.detection.alerts,
    revised: summary.detection.revised,
    withdrawn: summary.detection.withdrawn,
    ...(setAside !== undefined && { setAside }),
  };
}

/** Newest first (by start, then id, both descending: the order of the store's pages), optionally of one status. */
export function listedIngestions(summaries: IngestionSummary[], status?: string): IngestionRow[] {
  return summaries
    .filter((summary) => status === undefined || summary.status === status)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1))
    .map(ingestionRowOf);
}

/** The API's opaque `after` cursor of the ingestions list. */
export function encodeIngestionCursor(cursor: IngestionCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.id])).toString('base64url');
}

/** The cursor `text` holds, or undefined when it is not one made here. */
export function decodeIngestionCursor(text: string): IngestionCursor | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [startedAt, id] = value as unknown[];
  return typeof startedAt === 'number' && Number.isFinite(startedAt) && typeof id === 'string'
    ? { startedAt, id }
    : undefined;
}

/** A file name for the download: the object's base name, with only safe characters. */
export function downloadName(object: string): string {
  const base = object.split('/').at(-1) ?? 'set-aside.csv';
  return base.replace(/[^A-Za-z0-9._@-]/g, '_') || 'set-aside.csv';
}
