/**
 * ingest: a Cloud Storage `google.cloud.storage.object.v1.finalized` CloudEvent per uploaded object.
 * Objects outside the upload prefix, inside the quarantine prefix, or not `.csv` / `.csv.gz` are skipped with
 * a log line.
 *
 * Every failure is settled in {@link handleIngest}, by its kind (shared/errors.ts): only a retriable one
 * answers 500 so that the platform redelivers the event; a malformed event, a rejected object and a bug are
 * acknowledged, since a redelivery would get the same answer.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { Kafka, type Message, type Producer } from 'kafkajs';
import { getFirestore, getStorage } from '../../shared/clients/google.js';
import { kafkaClientConfig } from '../../shared/clients/kafka.js';
import { ingestSettings } from '../../shared/config/ingestSettings.js';
import { classify, EventError, serviceError, StockAnomaliesError } from '../../shared/errors.js';
import { deliveryTraceFromEnv } from '../../shared/deliveryTrace.js';
import { kafkaLogCreator } from '../../shared/logging/kafkajs.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { traceFromTraceparent } from '../../shared/logging/trace.js';
import type { BarBatch } from '../../shared/pipeline/barBatch.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import { FirestoreIngestionStore } from '../../shared/state/ingestionStore.js';
import {
  ClaimLostError,
  ingestClaimed,
  ObjectGoneError,
  type IngestDependencies,
  type ObjectRef,
} from './ingestObject.js';

interface StorageObjectData {
  bucket?: unknown;
  name?: unknown;
  generation?: unknown;
}

/**
 * The most message bytes in one produce request: large enough to amortise the round trip, and under the
 * broker's `message.max.bytes` (1 MiB by default), which bounds a partition's record batch, and one symbol's
 * messages all go to one partition.
 */
const REQUEST_BYTES = 512 * 1024;

/** Read once, at load: a bad setting stops the instance before it takes an event. */
const settings = ingestSettings(process.env);
const trace = deliveryTraceFromEnv(process.env);
// The project is not one of ingest's settings (deploy.sh sets it beside them, for the client libraries): the
// logger needs it only to name the project a trace id belongs to, so it is read here, as it is.
const processLogger = createLogger('ingest', { project: process.env.GOOGLE_CLOUD_PROJECT || undefined });
let logger: Logger = processLogger;

let producer: Promise<Producer> | undefined;

function connectedProducer(): Promise<Producer> {
  producer ??= (async () => {
    const created = new Kafka({
      ...kafkaClientConfig(settings.kafka),
      logCreator: kafkaLogCreator(processLogger),
    }).producer({
      allowAutoTopicCreation: false,
    });
    await created.connect();
    return created;
  })().catch((error) => {
    producer = undefined;
    throw error;
  });
  return producer;
}

/** A Cloud Storage failure; an object generation that no longer exists will not come back (gone). */
function storageError(error: unknown): Error {
  if ((error as { code?: unknown } | undefined)?.code === 404) {
    return new ObjectGoneError(`Cloud Storage: object not found: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return serviceError('Cloud Storage', error);
}

async function* storageBytes(open: () => AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of open()) yield chunk;
  } catch (error) {
    throw storageError(error);
  }
}

function defaultDependencies(): IngestDependencies {
  const storage = getStorage(process.env);
  return {
    store: new FirestoreIngestionStore(getFirestore(process.env), settings.ingestionsCollection, {
      leaseMs: settings.leaseMs,
    }),
    config: settings.detection,
    limits: settings.limits,
    futureSkewMinutes: settings.futureSkewMinutes,
    batchMinutes: settings.batchMinutes,
    quarantinePrefix: settings.quarantinePrefix,
    openObject: ({ bucket, name, generation }) =>
      storageBytes(() =>
        storage
          .bucket(bucket)
          .file(name, { generation: Number(generation) })
          .createReadStream(),
      ),
    writeObject: async (bucket, name, text) => {
      await storage
        .bucket(bucket)
        .file(name)
        .save(text, { resumable: false, contentType: 'text/csv' })
        .catch((error: unknown) => {
          throw storageError(error);
        });
    },
    produce: async (batches: Iterable<BarBatch>) => {
      try {
        const connected = await connectedProducer();
        // One request's messages at a time, in order (so one symbol's batches reach Kafka in order).
        let messages: Message[] = [];
        let bytes = 0;
        const send = async () => {
          await connected.send({ topic: settings.kafkaTopic, acks: -1, messages });
          messages = [];
          bytes = 0;
        };
        for (const batch of batches) {
          const value = JSON.stringify(batch);
          if (messages.length > 0 && bytes + value.length > REQUEST_BYTES) await send();
          messages.push({ key: batch.symbol, value, headers: { 'content-type': 'application/json' } });
          bytes += value.length;
        }
        if (messages.length > 0) await send();
      } catch (error) {
        throw serviceError('Kafka', error);
      }
    },
  };
}

/**
 * Made at load with the settings, like them: the clients read their own environment (project, emulator hosts)
 * when created, and they connect only when first used.
 */
const defaults = defaultDependencies();
let dependencies: IngestDependencies = defaults;

/**
 * The longest one ingestion may take, the function's own timeout (deploy.sh gives ingest 540 s) and a margin:
 * past it the lease is no longer renewed, so that a hung run frees the object for a redelivery.
 */
const MAX_RUN_MS = 10 * 60_000;

/** Another delivery holds the ingestion's live lease: retriable, as it may die before it finishes. */
export class IngestionBusyError extends StockAnomaliesError {
  override name = 'IngestionBusyError';
  constructor(message: string) {
    super(message, { retriable: true });
  }
}

/** The object an event is about. @throws EventError when it is not a storage object event */
function storageObject(event: CloudEvent<StorageObjectData>): ObjectRef {
  const { bucket, name, generation } = event.data ?? {};
  const missing = [
    ...(typeof bucket === 'string' && bucket !== '' ? [] : ['bucket']),
    ...(typeof name === 'string' && name !== '' ? [] : ['name']),
    ...((typeof generation === 'string' && /^\d+$/.test(generation)) ||
    (typeof generation === 'number' && Number.isSafeInteger(generation))
      ? []
      : ['generation']),
  ];
  if (missing.length > 0) {
    throw new EventError(`not a storage object event: missing or malformed ${missing.join(', ')}`);
  }
  return { bucket: bucket as string, name: name as string, generation: String(generation) };
}

/**
 * The delivery's logger: every line names the event and, once it is read, the object generation it is about.
 * functions-framework copies the request's `traceparent` header onto the event (Eventarc sends one).
 */
function deliveryLogger(event: CloudEvent<StorageObjectData>): Logger {
  const { traceparent } = event;
  return logger.with({
    labels: { event: event.id },
    trace: traceFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined),
  });
}

export async function handleIngest(event: CloudEvent<StorageObjectData>): Promise<void> {
  const deps = dependencies;
  let log = deliveryLogger(event);
  // Set once this delivery holds the claim: only then is a failure the ingestion's to record.
  let claimed: string | undefined;
  try {
    const object = storageObject(event);
    log = log.with({ labels: { object: object.name, generation: object.generation } });
    trace({ eventId: event.id, object: object.name, generation: object.generation });
    const skip = skipReason(object.name, settings);
    if (skip !== undefined) {
      log.info(`skipped: ${skip}`, { bucket: object.bucket });
      return;
    }
    const now = () => deps.now?.() ?? Date.now();
    const claim = await deps.store.claim(object, now());
    if (!claim.claimed) {
      // Running elsewhere: that delivery may yet die mid-way, so this one comes back later rather than
      // being acknowledged, and takes over once the other's lease runs out.
      if (claim.busy) throw new IngestionBusyError(`${claim.id} is ${claim.reason}`);
      log.info('ingestion skipped', { id: claim.id, detail: claim.reason });
      return;
    }
    claimed = claim.id;
    const id = claim.id;
    // The lease is renewed while this delivery works: a slow object keeps it, a dead instance loses it, and
    // so does a run hung past the longest an ingestion may take. Once another delivery holds the claim, this
    // one stops at the next produce request.
    const claimedAt = now();
    let owned = true;
    const renewal = setInterval(() => {
      if (now() - claimedAt > MAX_RUN_MS) return;
      deps.store.renew(id, claim.attempts, now()).then(
        (held) => {
          if (!held) owned = false;
        },
        (error: unknown) => {
          log.warn('lease not renewed', { id, error });
        },
      );
    }, settings.leaseMs / 3);
    try {
      const outcome = await ingestClaimed(object, id, deps, () => owned);
      log.info(`ingestion ${outcome.status}`, { ...outcome });
    } finally {
      clearInterval(renewal);
    }
  } catch (error) {
    await settle(error, log, claimed, deps);
  }
}

/**
 * The one place a failure is settled: recorded on the claimed ingestion, logged, and rethrown (answered 500,
 * redelivered) only when trying again could succeed.
 */
async function settle(
  error: unknown,
  log: Logger,
  claimed: string | undefined,
  deps: IngestDependencies,
): Promise<void> {
  if (error instanceof ClaimLostError) {
    log.warn('stopped: another delivery took over', { id: claimed });
    return;
  }
  if (error instanceof EventError) {
    log.error('event acknowledged without ingesting', { reason: error.message });
    return;
  }
  const kind = classify(error);
  // A retriable failure is retried by the platform: a warning, unless it keeps recurring.
  log[kind === 'retriable' ? 'warn' : 'error']('ingestion failed', { id: claimed, errorKind: kind, error });
  if (claimed !== undefined) {
    try {
      await deps.store.fail(claimed, error);
    } catch (recordError) {
      // Unrecorded, a failure would be seen nowhere but this log: have the event redelivered until it is.
      log.error('could not record the failure', { id: claimed, error: recordError });
      throw kind === 'retriable' ? error : recordError;
    }
  }
  if (kind === 'retriable') throw error;
}

/** For tests: run against other clients. */
export function setIngestDependencies(next: IngestDependencies | undefined): void {
  dependencies = next ?? defaults;
}

/** For tests: log to another logger (one that captures its lines). */
export function setIngestLogger(next: Logger | undefined): void {
  logger = next ?? processLogger;
}

functions.cloudEvent('ingest', handleIngest);
