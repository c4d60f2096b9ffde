/**
 * The console's reads of whole documents: a page's alerts or episodes by id (one getAll; an episode's alerts
 * too, their ids from the read model), one alert or episode, the withdrawn episodes merged into one, and a
 * symbol's bars of one day (a chart) or of a few (a case report), a document an hour. Failures are the project's
 * errors naming Firestore (a 503 at the edge).
 *
 * An episode comes with its `triage` from the audit database (docs/records.md: the console's own, which nothing of
 * the pipeline may write), read with one getAll beside the episodes; a `triage` field in the pipeline's database
 * is not the console's and is never shown.
 */
import { FieldPath, type DocumentData, type Firestore } from '@google-cloud/firestore';
import { serviceError } from '../../shared/errors.js';
import type { IdRange } from '../../shared/pipeline/documentIds.js';

export interface Documents {
  alerts(ids: readonly string[]): Promise<Map<string, DocumentData>>;
  episodes(ids: readonly string[]): Promise<Map<string, DocumentData>>;
  alert(id: string): Promise<DocumentData | undefined>;
  episode(id: string): Promise<DocumentData | undefined>;
  /** The withdrawn episodes whose `withdrawn.into` is `id` (docs/records.md), by id. */
  mergedInto(id: string): Promise<Map<string, DocumentData>>;
  /** An alert (by its id) and the bars documents in `bars` (as {@link Documents.bars}), read side by side. */
  alertAndBars(alertId: string, bars: IdRange): Promise<[DocumentData | undefined, DocumentData[]]>;
  /** The `bars/` documents (a symbol's hours) whose ids are in the range, in time order: a chart's or report's days. */
  bars(range: IdRange): Promise<DocumentData[]>;
}

async function firestore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw serviceError('Firestore', error);
  }
}

export class FirestoreDocuments implements Documents {
  constructor(
    private readonly db: Firestore,
    private readonly collections: { alerts: string; episodes: string; bars: string },
    private readonly audit: Firestore,
  ) {}

  alerts(ids: readonly string[]): Promise<Map<string, DocumentData>> {
    return this.#byIds(this.db, this.collections.alerts, ids);
  }

  async episodes(ids: readonly string[]): Promise<Map<string, DocumentData>> {
    return this.#withTriage(await this.#byIds(this.db, this.collections.episodes, ids));
  }

  bars(range: IdRange): Promise<DocumentData[]> {
    // By id: a symbol's hours sort by time (`SYMBOL@YYYY-MM-DDTHH`), and the automatic index answers the range.
    return firestore(async () => {
      const snapshot = await this.db
        .collection(this.collections.bars)
        .where(FieldPath.documentId(), '>=', range.from)
        .where(FieldPath.documentId(), '<=', range.to)
        .orderBy(FieldPath.documentId())
        .get();
      return snapshot.docs.map((doc) => doc.data());
    });
  }

  alert(id: string): Promise<DocumentData | undefined> {
    return this.#one(this.collections.alerts, id);
  }

  async episode(id: string): Promise<DocumentData | undefined> {
    const episode = await this.#one(this.collections.episodes, id);
    return episode === undefined ? undefined : (await this.#withTriage(new Map([[id, episode]]))).get(id);
  }

  async mergedInto(id: string): Promise<Map<string, DocumentData>> {
    // An equality on one field: Firestore's automatic single-field index answers it, no composite index.
    const merged = await firestore(async () => {
      const snapshot = await this.db
        .collection(this.collections.episodes)
        .where('withdrawn.into', '==', id)
        .get();
      return new Map(snapshot.docs.map((doc) => [doc.id, doc.data()]));
    });
    return this.#withTriage(merged);
  }

  alertAndBars(alertId: string, bars: IdRange): Promise<[DocumentData | undefined, DocumentData[]]> {
    return Promise.all([this.alert(alertId), this.bars(bars)]);
  }

  #one(collection: string, id: string): Promise<DocumentData | undefined> {
    return firestore(async () => (await this.db.collection(collection).doc(id).get()).data());
  }

  /** The episodes, each with the triage the audit database holds for it (or none). */
  async #withTriage(episodes: Map<string, DocumentData>): Promise<Map<string, DocumentData>> {
    const triage = await this.#byIds(this.audit, this.collections.episodes, [...episodes.keys()]);
    const found = new Map<string, DocumentData>();
    for (const [id, { triage: _untrusted, ...episode }] of episodes) {
      const stored = triage.get(id)?.triage as DocumentData | undefined;
      found.set(id, stored === undefined ? episode : { ...episode, triage: stored });
    }
    return found;
  }

  #byIds(db: Firestore, collection: string, ids: readonly string[]): Promise<Map<string, DocumentData>> {
    if (ids.length === 0) return Promise.resolve(new Map());
    return firestore(async () => {
      const refs = ids.map((id) => db.collection(collection).doc(id));
      const snapshots = await db.getAll(...refs);
      const found = new Map<string, DocumentData>();
      for (const snapshot of snapshots) if (snapshot.exists) found.set(snapshot.id, snapshot.data()!);
      return found;
    });
  }
}
