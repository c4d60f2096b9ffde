/**
 * Ingestion of one object generation, once claimed: read and validate it with the core, produce its minute
 * batches to Kafka keyed by symbol, set the rejected rows aside in the bucket, and record the report.
 *
 * The claim (see shared/state/ingestionStore.ts) makes a redelivered event for a generation already done do
 * no work twice; a lease lets a later delivery take over one that crashed.
 */
import type { DetectionConfig } from '../../shared/core/detectionParameters.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import { readerClock } from '../../shared/core/readerClock.js';
import { readObject } from '../../shared/objects/readObject.js';
import { quarantineCsv } from '../../shared/core/quarantine.js';
import { emptyReport, ObjectRejectedError } from '../../shared/core/report.js';
import { batchCount, planBatches, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { quarantineObjectName } from '../../shared/pipeline/objectFilter.js';
import { FinalError, StockAnomaliesError } from '../../shared/errors.js';
import type { IngestionObject, IngestionStatus, IngestionStore } from '../../shared/state/ingestionStore.js';

export type ObjectRef = IngestionObject;

export interface IngestDependencies {
  store: IngestionStore;
  config: DetectionConfig;
  /** Past any of these the object is rejected, before anything is produced. */
  limits: IngestLimits;
  /** How far past the clock (`now`) a bar's minute may lie before it is set aside (contract §1, `future`). */
  futureSkewMinutes: number;
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
  /** The clock, in milliseconds since the epoch; Date.now when absent. */
  now?: () => number;
}

export type IngestOutcome = { status: IngestionStatus | 'skipped'; id: string; detail?: string };

/**
 * Ingests an object generation this delivery has claimed (see IngestionStore.claim): done, or rejected when
 * the contract rejects the object as a whole. Any other failure is thrown, for the function's edge to record
 * and settle.
 */
/** This run's claim went to another delivery (its lease lapsed): it stops, leaving the ingestion to that one. */
export class ClaimLostError extends StockAnomaliesError {
  override name = 'ClaimLostError';
  constructor(id: string) {
    super(`${id}: another delivery took the ingestion over`, { retriable: false });
  }
}

/** The generation no longer exists in the bucket: replaced by a newer upload or deleted before it was read. */
export class ObjectGoneError extends FinalError {
  override name = 'ObjectGoneError';
}

export async function ingestClaimed(
  object: ObjectRef,
  id: string,
  deps: IngestDependencies,
  /** False once another delivery holds the claim: checked between produce requests and before recording. */
  owned: () => boolean = () => true,
): Promise<IngestOutcome> {
  const ensureOwned = () => {
    if (!owned()) throw new ClaimLostError(id);
  };
  let bars: ObjectBars;
  try {
    bars = await readObject(deps.openObject(object), {
      objectName: object.name,
      zone: deps.config.zone,
      limits: deps.limits,
      // The time of this read: an object is judged against the clock when it is read, as `detect` does.
      clock: readerClock(deps.now?.() ?? Date.now(), deps.futureSkewMinutes),
    });
  } catch (error) {
    if (error instanceof ObjectGoneError) {
      ensureOwned();
      const reason = `generation ${object.generation} no longer exists (replaced by a newer upload or deleted) before it was read: ${error.message}`;
      await deps.store.gone(id, reason);
      return { status: 'gone', id, detail: reason };
    }
    if (!(error instanceof ObjectRejectedError)) throw error;
    ensureOwned();
    await deps.store.reject(
      id,
      { ...emptyReport(object.name), status: 'rejected', error: error.message },
      error.message,
      error.missingColumns,
    );
    return { status: 'rejected', id, detail: error.message };
  }

  const source = { object: object.name, generation: object.generation };
  const batches = (function* () {
    for (const run of bars.runs) {
      for (const batch of planBatches(bars.table, run.symbol, run.rows, source, deps.batchMinutes)) {
        ensureOwned();
        yield batch;
      }
    }
  })();
  const batchTotal = bars.runs.reduce((sum, run) => sum + batchCount(run.rows.length, deps.batchMinutes), 0);
  const quarantine =
    bars.setAside.length > 0
      ? quarantineObjectName(deps.quarantinePrefix, object.name, object.generation)
      : null;
  if (quarantine !== null) {
    await deps.writeObject(
      object.bucket,
      quarantine,
      quarantineCsv(bars.setAside.map((row) => ({ object: object.name, row }))),
    );
  }
  await deps.produce(batches);
  ensureOwned();
  await deps.store.finish(id, {
    report: bars.report,
    batches: batchTotal,
    quarantine: quarantine === null ? null : `gs://${object.bucket}/${quarantine}`,
  });
  return { status: 'done', id };
}
