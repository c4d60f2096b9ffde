/**
 * The triage store: applies one change (answers/triage.ts decides what it writes) and reads an episode's history,
 * in the audit database (docs/records.md), a Firestore database of its own that only the console's identity may
 * write: `{episodes}/{id}` holds the episode's `triage` and nothing else, `{episodes}/{id}/history/` its history,
 * created and never updated or deleted, and `{episodes}-triage` the triage feed. The episode itself, detect's, is
 * read from the pipeline's database and never written.
 */
import { FieldValue, Timestamp, type DocumentData, type Firestore } from '@google-cloud/firestore';
import { serviceError } from '../../shared/errors.js';
import type { TriageRequest } from '../api/contract.js';
import {
  staleTriage,
  triageChange,
  triageStateOf,
  withdrawnTriage,
  type TriageConflict,
  type TriageWithdrawn,
} from '../answers/triage.js';

export const HISTORY = 'history';

/**
 * The triage feed (`{episodes}-triage` in the audit database, docs/records.md): one entry per change,
 * `{episode, at}`, written in the change's transaction, so that every console (this one and others serving the
 * same data) reads which episodes an analyst changed without listening to them.
 */
export const triageFeedCollection = (episodes: string) => `${episodes}-triage`;

/** The episode as it is after the change (detect's fields, and the triage from the audit database), with its history newest first. */
export interface TriageResult {
  episode: DocumentData;
  history: DocumentData[];
}

export class FirestoreTriageStore {
  /**
   * @param db the pipeline's database, where detect writes the episodes (read only)
   * @param audit the audit database, where the triage, its history and its feed are written
   */
  constructor(
    private readonly db: Firestore,
    private readonly audit: Firestore,
    private readonly episodes: string,
  ) {}

  /**
   * Applies a valid request; undefined when the episode does not exist, the withdrawal when a late bar's revision
   * regrouped it away, the conflict when it was triaged since the caller saw it (nothing written in either case).
   *
   * The episode is read first, from the pipeline's database; the triage is then read and written in one
   * transaction of the audit database (no transaction spans two databases). A withdrawal detect commits between
   * the two leaves the change recorded on the withdrawn episode, exactly as if the change had come just before
   * the withdrawal, which the transaction on one database allowed too: its history is shown where its alerts now
   * are (the episode's `merged`).
   */
  async apply(
    id: string,
    request: TriageRequest,
    by: string,
    now: number,
  ): Promise<TriageResult | TriageConflict | TriageWithdrawn | undefined> {
    try {
      const episode = (await this.db.collection(this.episodes).doc(id).get()).data();
      if (episode === undefined) return undefined;
      const withdrawn = withdrawnTriage(episode);
      if (withdrawn !== undefined) return withdrawn;
      const ref = this.audit.collection(this.episodes).doc(id);
      const outcome = await this.audit.runTransaction(async (transaction) => {
        const stored = (await transaction.get(ref)).data();
        const stale = staleTriage(request.seen, stored);
        if (stale !== undefined) return stale;
        const change = triageChange(triageStateOf(stored), request, by, now);
        const triage = { ...change.triage, updatedAt: Timestamp.fromMillis(change.triage.updatedAt) };
        transaction.set(ref, { triage });
        transaction.create(ref.collection(HISTORY).doc(), {
          ...change.history,
          at: Timestamp.fromMillis(change.history.at),
        });
        transaction.create(this.audit.collection(triageFeedCollection(this.episodes)).doc(), {
          episode: id,
          at: FieldValue.serverTimestamp(),
        });
        // Wrapped: the stored fields may hold anything, so that they are never taken for a refusal.
        return { written: triage };
      });
      if (!('written' in outcome)) return outcome;
      return { episode: { ...episode, triage: outcome.written }, history: await this.history(id) };
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }

  /** An episode's history, newest first. */
  async history(id: string): Promise<DocumentData[]> {
    try {
      const snapshot = await this.audit
        .collection(this.episodes)
        .doc(id)
        .collection(HISTORY)
        .orderBy('at', 'desc')
        .get();
      return snapshot.docs.map((doc) => doc.data());
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }
}
