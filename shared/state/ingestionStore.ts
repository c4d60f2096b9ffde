/**
 * The one owner of `ingestions/{object@generation}`: an object generation's ingestion (claimed, then done,
 * rejected or failed) and, under it, `ingestions/{id}/symbols/{symbol}`, the detection figures detect adds
 * per symbol as it commits each batch. Nothing else names these paths or fields.
 *
 * The claim makes a redelivered event for a generation already finished do no work twice; a lease lets a
 * later delivery take over one whose instance crashed while running.
 */
import {
  FieldPath,
  FieldValue,
  Timestamp,
  type DocumentData,
  type Firestore,
  type Query,
} from '@google-cloud/firestore';
import type { QualityReport } from '../core/report.js';
import { classify, describeError, serviceError, type ErrorKind } from '../errors.js';
import { ingestionId, symbolStateId } from '../pipeline/documentIds.js';

export { ingestionId };

/**
 * `gone`: the generation no longer existed when ingest came to read it (replaced by a newer upload or
 * deleted): nothing of it was accepted, and the newer generation, if any, is an ingestion of its own.
 */
export type IngestionStatus = 'running' | 'done' | 'rejected' | 'gone' | 'failed';

/** The statuses an ingestion ends in: never claimed again. */
export const SETTLED_STATUSES: readonly IngestionStatus[] = ['done', 'rejected', 'gone'];

/** One generation of a bucket object. */
export interface IngestionObject {
  bucket: string;
  name: string;
  generation: string;
}

/** The fields of an `ingestions/{id}` document. */
export interface Ingestion {
  object: string;
  bucket: string;
  generation: string;
  status: IngestionStatus;
  /** The quality report: the object's, or (rejected) an empty one naming the error. */
  report?: QualityReport;
  /** Kafka messages produced (done). */
  batches?: number;
  /** `gs://` address of the set-aside rows, or null when none were set aside (done). */
  quarantine?: string | null;
  /** Why it was rejected or failed. */
  error?: string;
  /** What kind of failure (failed only). */
  errorKind?: ErrorKind;
  /** The required columns the header lacked (rejected for that reason only). */
  missingColumns?: string[];
  /** Deliveries that claimed it. */
  attempts: number;
  startedAt: Date;
  /** Until when the running delivery holds it (running only). */
  leaseUntil?: Date;
  finishedAt?: Date;
}

/** Figures of one batch, added to the per-object, per-symbol tally of the ingestion. */
export interface BatchTally extends DetectionFigures {
  ingestionId: string;
}

/**
 * What detecting bars counted (contract §2): bars detected (late ones included), late, repeats and too late;
 * alerts raised (A1, A2), and alerts detected before that late bars revised or withdrew.
 */
export interface DetectionFigures {
  processed: number;
  late: number;
  repeats: number;
  tooLate: number;
  alerts: number;
  a1: number;
  a2: number;
  revised: number;
  withdrawn: number;
}

export const DETECTION_FIGURES = [
  'processed',
  'late',
  'repeats',
  'tooLate',
  'alerts',
  'a1',
  'a2',
  'revised',
  'withdrawn',
] as const satisfies ReadonlyArray<keyof DetectionFigures>;

/** The fields of an `ingestions/{id}/symbols/{symbol}` document: one symbol's batches summed. */
export interface SymbolTally extends DetectionFigures {
  symbol: string;
  batches: number;
  /** When a batch was last added. */
  incremented?: Date;
}

export interface DetectionTotals extends DetectionFigures {
  batches: number;
}

/** An ingestion with its symbols' tallies summed: what `reports` shows. */
export interface IngestionSummary extends Ingestion {
  id: string;
  detection: DetectionTotals;
}

/** Where a page of ingestions ends: the last one's start (ms) and id; the next page starts after it. */
export interface IngestionCursor {
  startedAt: number;
  id: string;
}

/** A page of ingestions, newest first (by start, then id descending), with the cursor of the next if any. */
export interface IngestionPage {
  items: IngestionSummary[];
  next?: IngestionCursor;
}

/** `busy`: running under another delivery's live lease; that delivery may yet die, so try again later. */
export type Claim =
  | { claimed: true; id: string; attempts: number }
  | { claimed: false; id: string; reason: string; busy: boolean };

export type ClaimDecision =
  { claim: true; leaseUntil: Date } | { claim: false; reason: string; busy: boolean };

/**
 * How long a claim holds without renewal. The running ingestion renews it every third of that, so a live one
 * keeps it however long it takes, and one whose instance died frees it within this time.
 */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * Whether a delivery may claim an ingestion, given its current document (or none). A finished generation
 * (done, rejected, gone) is never taken again; a running one only once its lease has run out (its instance is
 * presumed dead); a failed one at once, since a redelivery is how a failure is retried.
 */
export function decideClaim(
  current: Pick<Ingestion, 'status' | 'leaseUntil'> | undefined,
  now: number,
  leaseMs: number,
): ClaimDecision {
  if (current !== undefined && SETTLED_STATUSES.includes(current.status)) {
    return { claim: false, reason: `already ${current.status}`, busy: false };
  }
  if (
    current?.status === 'running' &&
    current.leaseUntil !== undefined &&
    current.leaseUntil.getTime() > now
  ) {
    return {
      claim: false,
      reason: `running elsewhere until ${current.leaseUntil.toISOString()}`,
      busy: true,
    };
  }
  return { claim: true, leaseUntil: new Date(now + leaseMs) };
}

export interface IngestionStore {
  /** Claims the object generation for this delivery (see {@link decideClaim}), counting the attempt. */
  claim(object: IngestionObject, now: number): Promise<Claim>;
  finish(
    id: string,
    outcome: { report: QualityReport; batches: number; quarantine: string | null },
  ): Promise<void>;
  reject(id: string, report: QualityReport, error: string, missingColumns?: string[]): Promise<void>;
  /** Records that the generation no longer exists, and why that was found. */
  gone(id: string, reason: string): Promise<void>;
  /**
   * Extends the lease of the claim taken as attempt `attempts`, while it still holds it; false when another
   * delivery has taken the ingestion over meanwhile.
   */
  renew(id: string, attempts: number, now: number): Promise<boolean>;
  /** Records a failure (its description and kind) and releases the lease, so that a redelivery may retry. */
  fail(id: string, error: unknown): Promise<void>;
  get(id: string): Promise<Ingestion | undefined>;
  /** Every ingestion, by id, with its tallies summed. */
  list(): Promise<IngestionSummary[]>;
  /** The status of each id (undefined: no ingestion yet). */
  statuses(ids: readonly string[]): Promise<Map<string, IngestionStatus | undefined>>;
}

/** The tallies of one ingestion summed over its symbols. */
export function sumTallies(tallies: Iterable<Partial<SymbolTally>>): DetectionTotals {
  const totals: DetectionTotals = {
    batches: 0,
    ...(Object.fromEntries(DETECTION_FIGURES.map((figure) => [figure, 0])) as Record<
      keyof DetectionFigures,
      number
    >),
  };
  for (const tally of tallies) {
    for (const key of Object.keys(totals) as Array<keyof DetectionTotals>)
      totals[key] += Number(tally[key] ?? 0);
  }
  return totals;
}

const SYMBOLS = 'symbols';

/**
 * Adds one batch's tally to its ingestion's symbol tally, as a write of a batch the caller commits: the state
 * store commits it with the symbol state it belongs to, so that a batch is counted exactly when its state is.
 */
export function addTally(
  batch: FirebaseFirestore.WriteBatch,
  db: Firestore,
  collection: string,
  symbol: string,
  tally: BatchTally,
): void {
  const ref = db.collection(collection).doc(tally.ingestionId).collection(SYMBOLS).doc(symbolStateId(symbol));
  batch.set(
    ref,
    {
      symbol,
      batches: FieldValue.increment(1),
      ...Object.fromEntries(DETECTION_FIGURES.map((figure) => [figure, FieldValue.increment(tally[figure])])),
      incremented: FieldValue.serverTimestamp(),
    },
    { merge: true },
  );
}

const toDate = (value: unknown): Date | undefined =>
  value instanceof Timestamp ? value.toDate() : value instanceof Date ? value : undefined;

/** A stored document as an {@link Ingestion}: timestamps as dates, absent fields left out. */
function ingestionOf(data: DocumentData): Ingestion {
  const ingestion: Ingestion = {
    object: String(data.object),
    bucket: String(data.bucket),
    generation: String(data.generation),
    status: data.status as IngestionStatus,
    attempts: Number(data.attempts ?? 0),
    startedAt: toDate(data.startedAt) ?? new Date(0),
  };
  if (data.report !== undefined) ingestion.report = data.report as QualityReport;
  if (data.batches !== undefined) ingestion.batches = Number(data.batches);
  if (data.quarantine !== undefined) ingestion.quarantine = data.quarantine as string | null;
  if (data.error !== undefined) ingestion.error = String(data.error);
  if (data.errorKind !== undefined) ingestion.errorKind = data.errorKind as ErrorKind;
  if (data.missingColumns !== undefined) ingestion.missingColumns = data.missingColumns as string[];
  const leaseUntil = toDate(data.leaseUntil);
  if (leaseUntil !== undefined) ingestion.leaseUntil = leaseUntil;
  const finishedAt = toDate(data.finishedAt);
  if (finishedAt !== undefined) ingestion.finishedAt = finishedAt;
  return ingestion;
}

/** Runs a client call, its failure as one of the project's errors naming Firestore. */
async function firestore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw serviceError('Firestore', error);
  }
}

export class FirestoreIngestionStore implements IngestionStore {
  readonly #db: Firestore;
  readonly #collection: string;
  readonly #leaseMs: number;

  constructor(db: Firestore, collection: string, options: { leaseMs?: number } = {}) {
    this.#db = db;
    this.#collection = collection;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  #doc(id: string) {
    return this.#db.collection(this.#collection).doc(id);
  }

  claim(object: IngestionObject, now: number): Promise<Claim> {
    const id = ingestionId(object.name, object.generation);
    const ref = this.#doc(id);
    // In a transaction: two deliveries of one event read the same document, and only one may take it.
    return firestore(() =>
      this.#db.runTransaction(async (transaction): Promise<Claim> => {
        const snapshot = await transaction.get(ref);
        const current = snapshot.exists ? ingestionOf(snapshot.data()!) : undefined;
        const decision = decideClaim(current, now, this.#leaseMs);
        if (!decision.claim) return { claimed: false, id, reason: decision.reason, busy: decision.busy };
        const attempts = (current?.attempts ?? 0) + 1;
        transaction.set(
          ref,
          {
            object: object.name,
            bucket: object.bucket,
            generation: object.generation,
            status: 'running',
            attempts,
            startedAt: Timestamp.fromMillis(now),
            leaseUntil: Timestamp.fromDate(decision.leaseUntil),
            // The failure a takeover retries is no longer the ingestion's state.
            error: FieldValue.delete(),
            errorKind: FieldValue.delete(),
          },
          { merge: true },
        );
        return { claimed: true, id, attempts };
      }),
    );
  }

  renew(id: string, attempts: number, now: number): Promise<boolean> {
    const ref = this.#doc(id);
    return firestore(() =>
      this.#db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(ref);
        if (!snapshot.exists) return false;
        const current = ingestionOf(snapshot.data()!);
        if (current.status !== 'running' || current.attempts !== attempts) return false;
        transaction.update(ref, { leaseUntil: Timestamp.fromMillis(now + this.#leaseMs) });
        return true;
      }),
    );
  }

  async finish(
    id: string,
    outcome: { report: QualityReport; batches: number; quarantine: string | null },
  ): Promise<void> {
    await firestore(() =>
      this.#doc(id).set(
        {
          status: 'done',
          report: outcome.report,
          batches: outcome.batches,
          quarantine: outcome.quarantine,
          error: FieldValue.delete(),
          errorKind: FieldValue.delete(),
          missingColumns: FieldValue.delete(),
          leaseUntil: FieldValue.delete(),
          finishedAt: FieldValue.serverTimestamp(),
        },
        { merge: true },
      ),
    );
  }

  async reject(id: string, report: QualityReport, error: string, missingColumns?: string[]): Promise<void> {
    await firestore(() =>
      this.#doc(id).set(
        {
          status: 'rejected',
          report,
          error,
          errorKind: FieldValue.delete(),
          missingColumns: missingColumns ?? FieldValue.delete(),
          leaseUntil: FieldValue.delete(),
          finishedAt: FieldValue.serverTimestamp(),
        },
        { merge: true },
      ),
    );
  }

  async gone(id: string, reason: string): Promise<void> {
    await firestore(() =>
      this.#doc(id).set(
        {
          status: 'gone',
          error: reason,
          errorKind: FieldValue.delete(),
          leaseUntil: FieldValue.delete(),
          finishedAt: FieldValue.serverTimestamp(),
        },
        { merge: true },
      ),
    );
  }

  async fail(id: string, error: unknown): Promise<void> {
    await firestore(() =>
      this.#doc(id).set(
        {
          status: 'failed',
          error: describeError(error),
          errorKind: classify(error),
          leaseUntil: FieldValue.delete(),
        },
        { merge: true },
      ),
    );
  }

  async get(id: string): Promise<Ingestion | undefined> {
    const snapshot = await firestore(() => this.#doc(id).get());
    return snapshot.exists ? ingestionOf(snapshot.data()!) : undefined;
  }

  /**
   * Up to `limit` ingestions after `after`, newest first (by `startedAt`, then id, both descending), of one status
   * when given, each with its tallies summed: a bounded read whatever the number of ingestions (the console's
   * pages). In production `orderBy(startedAt desc)` is served by the automatic single-field index, and with a
   * status by the composite index (`status`, `startedAt` DESC) of firestore.indexes.json; the emulator scans.
   */
  async page(request: {
    status?: IngestionStatus;
    limit: number;
    after?: IngestionCursor;
  }): Promise<IngestionPage> {
    let query: Query = this.#db.collection(this.#collection);
    if (request.status !== undefined) query = query.where('status', '==', request.status);
    query = query.orderBy('startedAt', 'desc').orderBy(FieldPath.documentId(), 'desc');
    if (request.after !== undefined)
      query = query.startAfter(Timestamp.fromMillis(request.after.startedAt), request.after.id);
    const snapshot = await firestore(() => query.limit(request.limit + 1).get());
    const docs = snapshot.docs.slice(0, request.limit);
    const items = await Promise.all(
      docs.map(async (doc) => {
        const tallies = await firestore(() => doc.ref.collection(SYMBOLS).get());
        return {
          id: doc.id,
          ...ingestionOf(doc.data()),
          detection: sumTallies(tallies.docs.map((tally) => tally.data() as Partial<SymbolTally>)),
        };
      }),
    );
    const last = items.at(-1);
    return snapshot.size > request.limit && last !== undefined
      ? { items, next: { startedAt: last.startedAt.getTime(), id: last.id } }
      : { items };
  }

  async list(): Promise<IngestionSummary[]> {
    const snapshot = await firestore(() => this.#db.collection(this.#collection).get());
    return Promise.all(
      snapshot.docs.map(async (doc) => {
        const tallies = await firestore(() => doc.ref.collection(SYMBOLS).get());
        return {
          id: doc.id,
          ...ingestionOf(doc.data()),
          detection: sumTallies(tallies.docs.map((tally) => tally.data() as Partial<SymbolTally>)),
        };
      }),
    );
  }

  async statuses(ids: readonly string[]): Promise<Map<string, IngestionStatus | undefined>> {
    const statuses = new Map<string, IngestionStatus | undefined>();
    if (ids.length === 0) return statuses;
    const snapshots = await firestore(() => this.#db.getAll(...ids.map((id) => this.#doc(id))));
    for (const snapshot of snapshots) {
      statuses.set(snapshot.id, snapshot.exists ? (snapshot.get('status') as IngestionStatus) : undefined);
    }
    return statuses;
  }
}
