/** The clients the pipeline commands talk to the local stack with, and how a failure to reach it reads. */
import type { Firestore } from '@google-cloud/firestore';
import type { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { createFirestore, createStorage } from '../shared/clients/google.js';
import { readVariable } from '../shared/config/variables.js';
import { FirestoreAlertStore } from '../shared/state/alertStore.js';
import { FirestoreIngestionStore } from '../shared/state/ingestionStore.js';
import { FirestoreSymbolStateStore } from '../shared/state/symbolStateStore.js';
import { ScoreStore } from '../shared/state/scoreStore.js';
import { stackClientEnv, stackEndpoints } from '../stack/endpoints.js';
import type { CliContext } from './context.js';

export interface StackClients {
  firestore: Firestore;
  storage: Storage;
  bucket: string;
  kafka: Kafka;
  env: NodeJS.ProcessEnv;
}

/**
 * Clients of the stack, made by the same factory as the functions' (shared/clients/google.ts) from the
 * environment the stack gives its components, but each command's own: a command or a benchmark may end them.
 */
export function clients(context: CliContext): StackClients {
  const endpoints = stackEndpoints(context.env);
  const clientEnv = stackClientEnv(context.env);
  // The Firestore client reads its emulator from the environment; nothing else in this process is affected.
  process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
  return {
    firestore: createFirestore(clientEnv),
    storage: createStorage(clientEnv),
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

export function stackScoreStore(stack: StackClients): ScoreStore {
  return new ScoreStore(
    stack.firestore,
    readVariable('BARS_COLLECTION', stack.env),
    readVariable('EPISODES_COLLECTION', stack.env),
  );
}

export function stackStateStore(stack: StackClients): FirestoreSymbolStateStore {
  return new FirestoreSymbolStateStore(stack.firestore, readVariable('STATE_COLLECTION', stack.env));
}
