/** The clients the pipeline commands talk to the local stack with, and how a failure to reach it reads. */
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { readVariable } from '../shared/config/variables.js';
import { FirestoreAlertStore } from '../shared/state/alertStore.js';
import { FirestoreIngestionStore } from '../shared/state/ingestionStore.js';
import { FirestoreSymbolStateStore } from '../shared/state/symbolStateStore.js';
import { stackEndpoints } from '../stack/endpoints.js';
import type { CliContext } from './context.js';

export interface StackClients {
  firestore: Firestore;
  storage: Storage;
  bucket: string;
  kafka: Kafka;
  env: NodeJS.ProcessEnv;
}

export function clients(context: CliContext): StackClients {
  const endpoints = stackEndpoints(context.env);
  // The Firestore client reads its emulator from the environment; nothing else in this process is affected.
  process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
  return {
    firestore: new Firestore({ projectId: endpoints.project }),
    storage: new Storage({ projectId: endpoints.project, apiEndpoint: endpoints.storage.apiEndpoint }),
    bucket: endpoints.bucket,
    kafka: new Kafka({
      clientId: 'stock-anomalies-cli',
      brokers: [endpoints.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }),
    env: context.env,
  };
}

/** Stack connection failures read as a hint, not a stack trace. */
export function stackError(error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|UNAVAILABLE|Connection error|fetch failed/i.test(text)) {
    return new Error(
      `the local stack is not reachable (${text.split('\n')[0]}); start it with 'stock-anomalies stack up'`,
    );
  }
  return error instanceof Error ? error : new Error(text);
}

/** The stores over the stack's collections, as the commands read them (the names from shared/config/variables.ts). */
export function stackAlertStore(stack: StackClients): FirestoreAlertStore {
  return new FirestoreAlertStore(stack.firestore, readVariable('ALERTS_COLLECTION', stack.env));
}

export function stackIngestionStore(stack: StackClients): FirestoreIngestionStore {
  return new FirestoreIngestionStore(stack.firestore, readVariable('INGESTIONS_COLLECTION', stack.env));
}

export function stackStateStore(stack: StackClients): FirestoreSymbolStateStore {
  return new FirestoreSymbolStateStore(stack.firestore, readVariable('STATE_COLLECTION', stack.env));
}
