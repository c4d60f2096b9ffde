/**
 * The listed fields of an alert or episode document (docs/records.md), as the read model takes them. A
 * document that lacks one of them is not listed (it is counted and logged by follow.ts): the pipeline writes
 * every field it lists, so such a document was written by hand or is damaged.
 */
import type { DocumentData } from '@google-cloud/firestore';
import { scoreValueOf } from '../../shared/state/episodeScore.js';
import type { AlertEntry, EpisodeEntry } from './readModel.js';

/** The fields an alert list needs, for the initial scan's projection. */
export const ALERT_FIELDS = ['symbol', 'timestamp', 'rules', 'severity', 'episode', 'withdrawn'] as const;
/** The fields an episode list needs. */
export const EPISODE_FIELDS = [
  'symbol',
  'start',
  'end',
  'count',
  'a1',
  'a2',
  'peakSeverity',
  'score',
  'withdrawn',
] as const;

const millisOf = (value: unknown): number | undefined =>
  typeof (value as { toMillis?: unknown } | null)?.toMillis === 'function'
    ? (value as { toMillis(): number }).toMillis()
    : undefined;

const severityOf = (value: unknown): number | null | undefined =>
  value === null || value === undefined
    ? null
    : typeof value === 'number' && Number.isFinite(value)
      ? value
      : undefined;

const countOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

export function alertEntryOf(data: DocumentData): AlertEntry | undefined {
  const at = millisOf(data.timestamp);
  const severity = severityOf(data.severity);
  if (typeof data.symbol !== 'string' || at === undefined || severity === undefined) return undefined;
  if (!Array.isArray(data.rules)) return undefined;
  return {
    symbol: data.symbol,
    minute: Math.floor(at / 60_000),
    rules: data.rules as string[],
    severity,
    episode: typeof data.episode === 'string' ? data.episode : null,
  };
}

export function episodeEntryOf(data: DocumentData): EpisodeEntry | undefined {
  const start = millisOf(data.start);
  const end = millisOf(data.end);
  const peakSeverity = severityOf(data.peakSeverity);
  const count = countOf(data.count);
  const a1 = countOf(data.a1 ?? 0);
  const a2 = countOf(data.a2 ?? 0);
  if (typeof data.symbol !== 'string' || start === undefined || end === undefined) return undefined;
  if (peakSeverity === undefined || count === undefined || a1 === undefined || a2 === undefined)
    return undefined;
  // No status: triage is in the audit database (follow.ts reads it there), never in detect's episode.
  return {
    symbol: data.symbol,
    start,
    end,
    count,
    a1,
    a2,
    peakSeverity,
    // Not scored (an episode stored before scores, or a score that does not read): listed, ranked last by score.
    score: scoreValueOf(data.score),
  };
}
