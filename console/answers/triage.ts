/**
 * Triage of an episode, its rules as pure functions: which requests are valid, what a change writes, whether the
 * caller saw the triage that is stored, and that a withdrawn episode takes none. The store that applies a change in a Firestore transaction is
 * sources/triageStore.ts. The console owns only `episodes/{id}.triage` and `episodes/{id}/history/`
 * (docs/records.md): detect's fields are never written.
 */
import type { Status, TriageRequest } from '../api/contract.js';
import { CLOSING_STATUSES, isStatus, STATUSES } from '../readModel/statuses.js';
import { episodeStatusOf, episodeWithdrawalOf, type StoredFields } from './rows.js';

/** Longest texts accepted, in characters. */
export const MAX_ASSIGNEE = 200;
export const MAX_TEXT = 10_000;

/** The triage fields of an episode as they stand. */
export interface TriageState {
  status: Status;
  assignee?: string;
  notes?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const FIELDS = new Set(['status', 'assignee', 'notes', 'comment', 'seen']);

/** Checks a request body; the error names the field at fault. */
export function parseTriageRequest(body: unknown): Parsed<TriageRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'the body must be a JSON object' };
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !FIELDS.has(name));
  if (unknown !== undefined) return { ok: false, error: `unknown field '${unknown}'` };
  if (!isStatus(fields.status)) return { ok: false, error: `status must be one of ${STATUSES.join(', ')}` };
  const request: TriageRequest = { status: fields.status };
  for (const [name, limit] of [
    ['assignee', MAX_ASSIGNEE],
    ['notes', MAX_TEXT],
    ['comment', MAX_TEXT],
  ] as const) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return { ok: false, error: `${name} must be a string` };
    if (value.length > limit) return { ok: false, error: `${name} must be at most ${limit} characters` };
    request[name] = value.trim();
  }
  if (fields.seen !== undefined) {
    if (fields.seen !== null && (typeof fields.seen !== 'string' || Number.isNaN(Date.parse(fields.seen)))) {
      return { ok: false, error: 'seen must be the ISO time of the triage seen, or null' };
    }
    request.seen = fields.seen;
  }
  if (CLOSING_STATUSES.includes(request.status) && !request.comment) {
    return { ok: false, error: `comment is required to close an episode as ${request.status}` };
  }
  return { ok: true, value: request };
}

/** What one change writes: the episode's new `triage` field and the history entry appended. */
export interface TriageChange {
  triage: { status: Status; assignee?: string; notes?: string; updatedAt: number; updatedBy: string };
  history: {
    at: number;
    by: string;
    from: Status;
    to: Status;
    assignee?: string;
    notes?: string;
    comment?: string;
  };
}

/** The change a valid request makes to `current`, by `by` at `at` (ms). */
export function triageChange(
  current: TriageState,
  request: TriageRequest,
  by: string,
  at: number,
): TriageChange {
  const assignee = request.assignee ?? current.assignee;
  const notes = request.notes ?? current.notes;
  const kept = {
    ...(assignee ? { assignee } : {}),
    ...(notes ? { notes } : {}),
  };
  return {
    triage: { status: request.status, ...kept, updatedAt: at, updatedBy: by },
    history: {
      at,
      by,
      from: current.status,
      to: request.status,
      ...kept,
      ...(request.comment ? { comment: request.comment } : {}),
    },
  };
}

export function triageStateOf(data: StoredFields | undefined): TriageState {
  const triage = (data?.triage ?? {}) as StoredFields;
  return {
    status: episodeStatusOf(data),
    ...(typeof triage.assignee === 'string' && triage.assignee !== '' && { assignee: triage.assignee }),
    ...(typeof triage.notes === 'string' && triage.notes !== '' && { notes: triage.notes }),
  };
}

/** The episode was triaged since the caller saw it: by whom, when. */
export interface TriageConflict {
  conflict: { by: string; at: string };
}

/** The triage the caller saw is not the one stored: the conflict, or undefined when they agree. */
export function staleTriage(
  seen: string | null | undefined,
  data: StoredFields | undefined,
): TriageConflict | undefined {
  if (seen === undefined) return undefined;
  // A stored timestamp (Firestore's Timestamp), read through the one method used.
  const triage = data?.triage as { updatedAt?: { toMillis(): number }; updatedBy?: string } | undefined;
  const stored = triage?.updatedAt?.toMillis() ?? null;
  if ((seen === null ? null : Date.parse(seen)) === stored) return undefined;
  return {
    conflict: {
      by: triage?.updatedBy ?? 'someone',
      at: stored === null ? 'unknown' : new Date(stored).toISOString(),
    },
  };
}

/** The episode was withdrawn by a late bar's revision (contract §5): when, and the episode it merged into. */
export interface TriageWithdrawn {
  withdrawn: { at: string; into: string | null };
}

/**
 * A withdrawn episode takes no triage: its alerts are another episode's now (or no episode's), and a decision
 * recorded on it would be seen by no one working the lists. Undefined when the episode stands.
 */
export function withdrawnTriage(data: StoredFields | undefined): TriageWithdrawn | undefined {
  const withdrawn = episodeWithdrawalOf(data?.withdrawn);
  return withdrawn === undefined ? undefined : { withdrawn: { at: withdrawn.at, into: withdrawn.into } };
}
