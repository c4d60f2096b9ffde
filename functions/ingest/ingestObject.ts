/**
 * Ingestion of one object generation: claim it, read and validate it with the core, produce its minute
 * batches to Kafka keyed by symbol, set the rejected rows aside in the bucket, and record the report.
 *
 * The claim (a Firestore document per object generation, created once) makes a redelivered event for a
 * generation already done do no work twice; a lease lets a later delivery take over one that crashed.
 */
import { FieldValue, Timestamp, type DocumentReference, type Firestore } from '@google-cloud/firestore';
import type { DetectionConfig } from '../../shared/core/detectionSettings.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import { readObject } from '../../shared/core/readObject.js';
import { quarantineCsv } from '../../shared/core/quarantine.js';
import { emptyReport, ObjectRejectedError } from '../../shared/core/report.js';
import { batchCount, planBatches, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';

export type IngestionStatus = 'running' | 'done' | 'rejected' | 'failed';

export interface ObjectRef {
  bucket: string;
  name: string;
  generation: string;
}

export interface IngestDependencies {
  db: Firestore;
  ingestions: string;
  config: DetectionConfig;
  batchMinutes: number;
  quarantinePrefix: string;
  /** The object's bytes, for exactly this generation. */
  openObject: (object: ObjectRef) => AsyncIterable<Uint8Array>;
  /** Writes a text object to the same bucket. */
  writeObject: (bucket: string, name: string, text: string) => Promise<void>;
  /**
   * Produces batches to Kafka, keyed by symbol, in order; resolves once the broker has them all. The batches
   * are made as they are iterated, so taking them a request at a time keeps memory flat.
   */
  produce: (batches: Iterable<BarBatch>) => Promise<void>;
  /** How long a running ingestion holds its claim before another delivery may take over. */
  leaseMs?: number;
  now?: () => number;
}

export type IngestOutcome = { status: IngestionStatus | 'skipped'; id: string; detail?: string };

const DEFAULT_LEASE_MS = 10 * 60_000;

/** Claims the ingestion; false when it is done, rejected, or running under a live lease elsewhere. */
async function claim(ref: DocumentReference, object: ObjectRef, deps: IngestDependencies): Promise<boolean> {
  const now = deps.now?.() ?? Date.now();
  const leaseUntil = Timestamp.fromMillis(now + (deps.leaseMs ?? DEFAULT_LEASE_MS));
  const running = {
    object: object.name,
    bucket: object.bucket,
    generation: object.generation,
    status: 'running' as IngestionStatus,
    startedAt: Timestamp.fromMillis(now),
    leaseUntil,
    attempts: FieldValue.increment(1),
  };
  return deps.db.runTransaction(async (transaction) => {
    const snapshot = await transaction.get(ref);
    if (snapshot.exists) {
      const { status, leaseUntil: held } = snapshot.data() as {
        status: IngestionStatus;
        leaseUntil?: Timestamp;
      };
      if (status === 'done' || status === 'rejected') return false;
      if (status === 'running' && held !== undefined && held.toMillis() > now) return false;
    }
    transaction.set(ref, running, { merge: true });
    return true;
  });
}

export async function ingestObject(object: ObjectRef, deps: IngestDependencies): Promise<IngestOutcome> {
  const id = ingestionId(object.name, object.generation);
  const ref = deps.db.collection(deps.ingestions).doc(id);
  if (!(await claim(ref, object, deps)))
    return { status: 'skipped', id, detail: 'already done or in progress' };

  let bars: ObjectBars;
  try {
    bars = await readObject(deps.openObject(object), { objectName: object.name, zone: deps.config.zone });
  } catch (error) {
    if (error instanceof ObjectRejectedError) {
      await ref.set(
        {
          status: 'rejected',
          error: error.message,
          report: { ...emptyReport(object.name), status: 'rejected', error: error.message },
          missingColumns: error.missingColumns ?? FieldValue.delete(),
          finishedAt: FieldValue.serverTimestamp(),
        },
        { merge: true },
      );
      return { status: 'rejected', id, detail: error.message };
    }
    await markFailed(ref, error);
    throw error;
  }

  try {
    const source = { object: object.name, generation: object.generation };
    const batches = (function* () {
      for (const run of bars.runs) {
        yield* planBatches(bars.table, run.symbol, run.rows, source, deps.batchMinutes);
      }
    })();
    const batchTotal = bars.runs.reduce(
      (sum, run) => sum + batchCount(run.rows.length, deps.batchMinutes),
      0,
    );
    const quarantine =
      bars.setAside.length > 0 ? `${deps.quarantinePrefix}${object.name}@${object.generation}.csv` : null;
    if (quarantine !== null) {
      await deps.writeObject(
        object.bucket,
        quarantine,
        quarantineCsv(bars.setAside.map((row) => ({ object: object.name, row }))),
      );
    }
    await deps.produce(batches);
    await ref.set(
      {
        status: 'done',
        report: bars.report,
        batches: batchTotal,
        quarantine: quarantine === null ? null : `gs://${object.bucket}/${quarantine}`,
        error: FieldValue.delete(),
        finishedAt: FieldValue.serverTimestamp(),
      },
      { merge: true },
    );
    return { status: 'done', id };
  } catch (error) {
    await markFailed(ref, error);
    throw error;
  }
}

async function markFailed(ref: DocumentReference, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  // Releasing the lease lets the platform's retry take over at once.
  await ref
    .set({ status: 'failed', error: message, leaseUntil: FieldValue.delete() }, { merge: true })
    .catch(() => undefined);
}
