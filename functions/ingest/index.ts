/**
 * ingest: a Cloud Storage `google.cloud.storage.object.v1.finalized` CloudEvent per uploaded object.
 * Objects outside the upload prefix, inside the quarantine prefix, or not `.csv` / `.csv.gz` are skipped with
 * a log line. A thrown error answers 500 and the platform redelivers the event.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Message, Producer } from 'kafkajs';
import { getFirestore, getStorage } from '../../shared/clients/google.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { detectionConfigFromEnv } from '../../shared/config/detection.js';
import { readPositiveInt, readVariable } from '../../shared/config/runtime.js';
import type { BarBatch } from '../../shared/pipeline/barBatch.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import { FirestoreIngestionStore } from '../../shared/state/ingestionStore.js';
import { ingestObject, type IngestDependencies } from './ingestObject.js';

interface StorageObjectData {
  bucket?: string;
  name?: string;
  generation?: string | number;
}

/**
 * The most message bytes in one produce request: large enough to amortise the round trip, and under the
 * broker's `message.max.bytes` (1 MiB by default), which bounds a partition's record batch, and one symbol's
 * messages all go to one partition.
 */
const REQUEST_BYTES = 512 * 1024;

let dependencies: IngestDependencies | undefined;
let producer: Promise<Producer> | undefined;

function connectedProducer(env: NodeJS.ProcessEnv): Promise<Producer> {
  producer ??= (async () => {
    const created = createKafka(env).producer({ allowAutoTopicCreation: false });
    await created.connect();
    return created;
  })().catch((error) => {
    producer = undefined;
    throw error;
  });
  return producer;
}

function defaultDependencies(env: NodeJS.ProcessEnv = process.env): IngestDependencies {
  const topic = readVariable('KAFKA_TOPIC', env);
  return {
    store: new FirestoreIngestionStore(getFirestore(env), readVariable('INGESTIONS_COLLECTION', env)),
    config: detectionConfigFromEnv(env),
    batchMinutes: readPositiveInt('BATCH_MINUTES', env),
    quarantinePrefix: readVariable('QUARANTINE_PREFIX', env),
    openObject: ({ bucket, name, generation }) =>
      getStorage(env)
        .bucket(bucket)
        .file(name, { generation: Number(generation) })
        .createReadStream(),
    writeObject: async (bucket, name, text) => {
      await getStorage(env)
        .bucket(bucket)
        .file(name)
        .save(text, { resumable: false, contentType: 'text/csv' });
    },
    produce: async (batches: Iterable<BarBatch>) => {
      const connected = await connectedProducer(env);
      // One request's messages at a time, in order (so one symbol's batches reach Kafka in order).
      let messages: Message[] = [];
      let bytes = 0;
      const send = async () => {
        await connected.send({ topic, acks: -1, messages });
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
    },
  };
}

export async function handleIngest(event: CloudEvent<StorageObjectData>): Promise<void> {
  const { bucket, name, generation } = event.data ?? {};
  if (!bucket || !name || generation === undefined) {
    throw new Error(`event ${event.id} is not a storage object event (bucket, name, generation)`);
  }
  const skip = skipReason(name);
  if (skip !== undefined) {
    console.log(JSON.stringify({ message: `skipped: ${skip}`, object: name, bucket }));
    return;
  }
  dependencies ??= defaultDependencies();
  const outcome = await ingestObject({ bucket, name, generation: String(generation) }, dependencies);
  console.log(JSON.stringify({ message: `ingestion ${outcome.status}`, ...outcome }));
}

/** For tests: run against other clients. */
export function setIngestDependencies(next: IngestDependencies | undefined): void {
  dependencies = next;
}

functions.cloudEvent('ingest', handleIngest);
