/**
 * The triage form's state and actions, without the DOM: the episode as last answered and its history, the
 * status chosen but not yet saved, the form's texts, whether a save is in flight, and what the form says (the
 * server's own words on a refusal). A closing status (dismissed, confirmed) needs a comment: the form says so
 * before sending, as the server would with a 400. Choosing only marks a status: Save applies it, so that a
 * stray key writes no history. An episode a late bar withdrew takes no triage (the server refuses it with a
 * 409): the form says so and sends nothing. episodePage.ts draws it and hands it the analyst's input.
 */
import type { EpisodeRow, HistoryEntry, Status, TriageAnswer, TriageRequest } from '../api/contract.js';
import { ApiError, CLOSING_STATUSES } from './api.js';

/** Why a triage request cannot be sent as it is (the server's rule, checked first in the page). */
export function triageProblem(status: Status, comment: string): string | null {
  if (CLOSING_STATUSES.includes(status) && comment.trim() === '') {
    return `A comment is required to set ${status}: say why.`;
  }
  return null;
}

export type TriageField = 'assignee' | 'notes' | 'comment';

export interface TriageMessage {
  kind: 'error' | 'ok';
  text: string;
}

/** What an action asks of the view: `comment` when the comment field should take the focus. */
export type TriageFocus = 'comment' | undefined;

export type SendTriage = (id: string, request: TriageRequest, signal: AbortSignal) => Promise<TriageAnswer>;

export class TriageCtrl {
  episode: EpisodeRow;
  history: HistoryEntry[];
  /** The status chosen and not saved yet. */
  pending: Status | null = null;
  saving = false;
  message: TriageMessage | null = null;
  /** The form's texts as typed. */
  fields: Record<TriageField, string>;

  readonly #send: SendTriage;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;

  constructor(
    episode: EpisodeRow,
    history: HistoryEntry[],
    send: SendTriage,
    signal: AbortSignal,
    changed: () => void,
  ) {
    this.episode = episode;
    this.history = history;
    this.fields = { assignee: episode.assignee ?? '', notes: episode.notes ?? '', comment: '' };
    this.#send = send;
    this.#signal = signal;
    this.#changed = changed;
  }

  /**
   * Why the episode takes no triage, or null when it does: a late bar's revision withdrew it (contract §5), and
   * a decision recorded on it would be seen by no one working the lists.
   */
  get closed(): string | null {
    const withdrawn = this.episode.withdrawn;
    if (withdrawn === undefined) return null;
    return withdrawn.into === null
      ? 'This episode was withdrawn and is no longer an episode: it takes no triage.'
      : 'This episode was withdrawn: triage the episode it was merged into.';
  }

  /** The status Save applies: the one chosen, else the episode's own (a save of the texts only). */
  get status(): Status {
    return this.pending ?? this.episode.status;
  }

  edit(field: TriageField, value: string): void {
    this.fields[field] = value;
  }

  chooseStatus(status: Status): TriageFocus {
    if (this.#refusedClosed()) return undefined;
    this.pending = status;
    this.message = null;
    const problem = triageProblem(status, this.fields.comment);
    if (problem !== null) this.message = { kind: 'error', text: problem };
    this.#changed();
    return problem === null ? undefined : 'comment';
  }

  /** Sends the chosen status and the texts; refused before sending without a comment to close. */
  async save(): Promise<TriageFocus> {
    if (this.saving || this.#refusedClosed()) return undefined;
    const status = this.status;
    const problem = triageProblem(status, this.fields.comment);
    if (problem !== null) {
      this.message = { kind: 'error', text: problem };
      this.#changed();
      return 'comment';
    }
    const comment = this.fields.comment.trim();
    this.saving = true;
    this.#changed();
    try {
      const result = await this.#send(
        this.episode.id,
        {
          status,
          assignee: this.fields.assignee.trim(),
          notes: this.fields.notes,
          comment: comment === '' ? undefined : comment,
          // What the analyst saw: the server refuses (409) a change made on a triage changed since.
          seen: this.episode.updatedAt ?? null,
        },
        this.#signal,
      );
      if (this.#signal.aborted) return undefined;
      this.episode = result.episode;
      this.history = result.history;
      this.pending = null;
      this.fields = { assignee: this.episode.assignee ?? '', notes: this.episode.notes ?? '', comment: '' };
      this.message = { kind: 'ok', text: `Saved: ${this.episode.status}.` };
    } catch (error) {
      if (this.#signal.aborted) return undefined;
      // The server's own words (a 400 names what it refused), kept with what was typed, to try again.
      this.message = {
        kind: 'error',
        text:
          error instanceof ApiError
            ? `${error.status === 0 ? '' : `${error.status}: `}${error.message}`
            : String(error),
      };
    } finally {
      this.saving = false;
    }
    this.#changed();
    return undefined;
  }

  /** On a withdrawn episode: says why nothing is done, and answers true. */
  #refusedClosed(): boolean {
    const closed = this.closed;
    if (closed === null) return false;
    this.message = { kind: 'error', text: closed };
    this.#changed();
    return true;
  }
}
