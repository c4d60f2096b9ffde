/**
 * The API's rows (api/contract.ts: AlertRow, EpisodeRow, HistoryEntry) from stored documents
 * (docs/records.md). Pure: the documents' data in, plain JSON values out.
 */
import { SCORE_FACTORS } from '../../shared/core/suspicion/suspicionScore.js';
import { storedScoreOf } from '../../shared/state/episodeScore.js';
import type {
  AlertMark,
  AlertRow,
  EpisodeRow,
  EpisodeScore,
  EpisodeWithdrawal,
  HistoryEntry,
  Rule,
  ScoreFactorId,
  Status,
} from '../api/contract.js';
import { statusOfCode, statusCode } from '../readModel/statuses.js';

/** The API names every factor the core scores by (the compiler checks it). */
const _API_FACTORS: readonly ScoreFactorId[] = SCORE_FACTORS;

/**
 * A stored document's fields, as sources/ read them (Firestore's StoredFields is one): the answers take plain
 * values, so that they build without the SDK and their tests need none.
 */
export type StoredFields = Readonly<Record<string, unknown>>;

/** ISO 8601 UTC of a stored timestamp (whole seconds as `...:00Z`, as alerts print them), or undefined. */
export function isoOf(value: unknown): string | undefined {
  if (typeof (value as { toMillis?: unknown } | null)?.toMillis !== 'function') return undefined;
  const iso = new Date((value as { toMillis(): number }).toMillis()).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const optionalText = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const MARK_KINDS: ReadonlySet<unknown> = new Set<AlertMark['kind']>(['late', 'revised', 'withdrawn']);

/**
 * An alert's `revision` or `withdrawn` mark (docs/records.md), or undefined when there is none: notify writes
 * null for a withdrawal without a cause, and a document written before marks existed has neither.
 */
export function alertMarkOf(value: unknown): AlertMark | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const mark = value as StoredFields;
  const at = isoOf(mark.at);
  if (!MARK_KINDS.has(mark.kind) || at === undefined) return undefined;
  return {
    kind: mark.kind as AlertMark['kind'],
    at,
    object: String(mark.object ?? ''),
    generation: String(mark.generation ?? ''),
  };
}

/** An episode's `withdrawn` mark (docs/records.md), or undefined when it stands. */
export function episodeWithdrawalOf(value: unknown): EpisodeWithdrawal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const mark = value as StoredFields;
  const at = isoOf(mark.at);
  if (at === undefined) return undefined;
  return {
    at,
    into: typeof mark.into === 'string' && mark.into !== '' ? mark.into : null,
    object: String(mark.object ?? ''),
    generation: String(mark.generation ?? ''),
  };
}

/**
 * An alert's row; `score` is its episode's suspicion score (the read model's, or the episode document's), null
 * or absent when not scored.
 */
export function alertRowOf(id: string, data: StoredFields, status: Status, score?: number | null): AlertRow {
  const a1 = data.a1 as StoredFields | undefined;
  const a2 = data.a2 as StoredFields | undefined;
  const source = (data.source ?? {}) as StoredFields;
  const revision = alertMarkOf(data.revision);
  const withdrawn = alertMarkOf(data.withdrawn);
  return {
    id,
    symbol: String(data.symbol),
    timestamp: isoOf(data.timestamp) ?? '',
    rules: Array.isArray(data.rules) ? (data.rules as Rule[]) : [],
    severity: numberOrNull(data.severity),
    open: Number(data.open),
    high: Number(data.high),
    low: Number(data.low),
    close: Number(data.close),
    volume: Number(data.volume),
    ...(a1 && {
      a1: {
        prevClose: Number(a1.prevClose),
        prevTimestamp: String(a1.prevTimestamp),
        changePct: Number(a1.changePct),
        severity: numberOrNull(a1.severity),
      },
    }),
    ...(a2 && {
      a2: {
        avgVolume: Number(a2.avgVolume),
        windowBars: Number(a2.windowBars),
        volumeRatio: numberOrNull(a2.volumeRatio),
        severity: numberOrNull(a2.severity),
      },
    }),
    source: {
      object: String(source.object ?? ''),
      ...(typeof source.generation === 'string' && { generation: source.generation }),
      line: Number(source.line ?? 0),
    },
    episode: typeof data.episode === 'string' ? data.episode : '',
    status,
    ...(typeof score === 'number' && Number.isFinite(score) && { score }),
    ...(revision !== undefined && { revision }),
    ...(withdrawn !== undefined && { withdrawn }),
  };
}

/** The suspicion score of an episode document (docs/records.md), or undefined when it is not scored. */
export function episodeScoreOf(data: StoredFields): EpisodeScore | undefined {
  const stored = storedScoreOf(data);
  if (stored === undefined) return undefined;
  const { score, settled, baseline, factors, alerts } = stored;
  return { score, settled, baseline, factors, alerts };
}

/** An episode's triage status: absent triage is `new`. */
export function episodeStatusOf(data: StoredFields | undefined): Status {
  return statusOfCode(statusCode((data?.triage as StoredFields | undefined)?.status));
}

export function episodeRowOf(id: string, data: StoredFields): EpisodeRow {
  const triage = (data.triage ?? {}) as StoredFields;
  const assignee = optionalText(triage.assignee);
  const notes = optionalText(triage.notes);
  const updatedAt = isoOf(triage.updatedAt);
  const updatedBy = optionalText(triage.updatedBy);
  const withdrawn = episodeWithdrawalOf(data.withdrawn);
  const score = episodeScoreOf(data);
  return {
    id,
    symbol: String(data.symbol),
    start: isoOf(data.start) ?? '',
    end: isoOf(data.end) ?? '',
    count: Number(data.count ?? 0),
    a1: Number(data.a1 ?? 0),
    a2: Number(data.a2 ?? 0),
    peakSeverity: numberOrNull(data.peakSeverity),
    ...(score !== undefined && { score }),
    status: episodeStatusOf(data),
    ...(assignee !== undefined && { assignee }),
    ...(notes !== undefined && { notes }),
    ...(updatedAt !== undefined && { updatedAt }),
    ...(updatedBy !== undefined && { updatedBy }),
    ...(withdrawn !== undefined && { withdrawn }),
  };
}

export function historyEntryOf(data: StoredFields): HistoryEntry {
  const assignee = optionalText(data.assignee);
  const notes = optionalText(data.notes);
  const comment = optionalText(data.comment);
  return {
    at: isoOf(data.at) ?? '',
    by: String(data.by ?? ''),
    from: statusOfCode(statusCode(data.from)),
    to: statusOfCode(statusCode(data.to)),
    ...(assignee !== undefined && { assignee }),
    ...(notes !== undefined && { notes }),
    ...(comment !== undefined && { comment }),
  };
}
