/**
 * The triage store: applies one change (answers/triage.ts decides what it writes) in a Firestore transaction,
 * and reads an episode's history. The console owns only `episodes/{id}.triage` and `episodes/{id}/history/`
 * (docs/records.md): `update()` of that one field leaves detect's fields exactly as they are.
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
 * The triage feed (`{episodes}-triage`, docs/records.md): one entry per change, `{episode, at}`, written in the
 * change's transaction, so that every console (this one and others serving the same data) reads which episodes
 * an analyst changed without listening to the episodes, which detect writes all the time.
 */
export const triageFeedCollection = (episodes: string) => `${episodes}-triage`;

/** The episode as it is after the change, with its history newest first. */
export interface TriageResult {
  episode: DocumentData;
  history: DocumentData[];
}

export class FirestoreTriageStore {
  constructor(
    private readonly db: Firestore,
    private readonly episodes: string,
  ) {}

  /**
   * Applies a valid request in one transaction; undefined when the episode does not exist, the withdrawal when a
   * late bar's revision regrouped it away, the conflict when it was triaged since the caller saw it (nothing
   * written in either case).
   */
  async apply(
    id: string,
    request: TriageRequest,
    by: string,
    now: number,
  ): Promise<TriageResult | TriageConflict | TriageWithdrawn | undefined> {
    const ref = this.db.collection(this.episodes).doc(id);
    try {
      const outcome = await this.db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(ref);
        if (!snapshot.exists) return undefined;
        const data = snapshot.data()!;
        // Read in the transaction: detect's withdrawal of the episode and this change cannot interleave.
        const withdrawn = withdrawnTriage(data);
        if (withdrawn !== undefined) return withdrawn;
        const stale = staleTriage(request.seen, data);
        if (stale !== undefined) return stale;
        const change = triageChange(triageStateOf(data), request, by, now);
        const triage = { ...change.triage, updatedAt: Timestamp.fromMillis(change.triage.updatedAt) };
        // update() of the one field: detect's fields are left exactly as they are.
        transaction.update(ref, { triage });
        transaction.create(ref.collection(HISTORY).doc(), {
          ...change.history,
          at: Timestamp.fromMillis(change.history.at),
        });
        transaction.create(this.db.collection(triageFeedCollection(this.episodes)).doc(), {
          episode: id,
          at: FieldValue.serverTimestamp(),
        });
        // Wrapped: the stored fields may hold anything, so that they are never taken for a refusal.
        return { written: { ...data, triage } };
      });
      if (outcome === undefined || !('written' in outcome)) return outcome;
      return { episode: outcome.written, history: await this.history(id) };
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }

  /** An episode's history, newest first. */
  async history(id: string): Promise<DocumentData[]> {
    try {
      const snapshot = await this.db
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
