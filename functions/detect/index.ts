/**
 * detect: one Kafka record (a bar batch) per CloudEvent, as Knative's KafkaSource delivers them
 * (type dev.knative.kafka.event, data = the record value). Any error answers 500, so the dispatcher retries
 * the record and, when it keeps failing, parks it on the dead-letter topic.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Alert } from '../../shared/core/alert.js';
import { getFirestore, getPubSub } from '../../shared/clients/google.js';
import { detectionConfigFromEnv } from '../../shared/config/detection.js';
import { readVariable } from '../../shared/config/runtime.js';
import { chunkAlerts } from '../../shared/pipeline/alertMessage.js';
import { decodeBarBatch } from '../../shared/pipeline/barBatch.js';
import { SymbolStateStore } from '../../shared/state/symbolStateStore.js';
import { detectBarBatch, type DetectDependencies } from './detectBarBatch.js';

let dependencies: DetectDependencies | undefined;

function defaultDependencies(env: NodeJS.ProcessEnv = process.env): DetectDependencies {
  const topic = getPubSub(env).topic(readVariable('ANOMALIES_TOPIC', env), {
    batching: { maxMessages: 100, maxMilliseconds: 5 },
  });
  return {
    config: detectionConfigFromEnv(env),
    store: new SymbolStateStore(
      getFirestore(env),
      readVariable('STATE_COLLECTION', env),
      readVariable('INGESTIONS_COLLECTION', env),
    ),
    publish: async (alerts: Alert[]) => {
      await Promise.all(
        chunkAlerts(alerts).map((message) =>
          topic.publishMessage({ json: message, attributes: { symbol: alerts[0]!.symbol } }),
        ),
      );
    },
  };
}

export async function handleDetect(event: CloudEvent<unknown>): Promise<void> {
  dependencies ??= defaultDependencies();
  const batch = decodeBarBatch(event.data);
  const outcome = await detectBarBatch(batch, dependencies);
  if (outcome.kind === 'redelivered') {
    console.log(
      JSON.stringify({ message: 'batch already committed, skipped', batch: outcome.batch, id: event.id }),
    );
  }
}

/** For tests: run against other clients. */
export function setDetectDependencies(next: DetectDependencies | undefined): void {
  dependencies = next;
}

functions.cloudEvent('detect', handleDetect);
