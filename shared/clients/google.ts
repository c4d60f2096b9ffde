/**
 * Google Cloud clients, created once per process (a function instance serves many events). On the local
 * stack the emulator variables (FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST) steer the clients; Cloud
 * Storage is reached through STORAGE_API_ENDPOINT, because the library's own STORAGE_EMULATOR_HOST drops the
 * API path that fake-gcs-server needs.
 */
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';

const projectId = (env: NodeJS.ProcessEnv) => env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined;

let firestore: Firestore | undefined;
let pubsub: PubSub | undefined;
let storage: Storage | undefined;

export function getFirestore(env: NodeJS.ProcessEnv = process.env): Firestore {
  firestore ??= createFirestore(env);
  return firestore;
}

/**
 * A Firestore client of its own, made as getFirestore makes the process's: for a caller that ends its client
 * when it is done (the CLI's commands, a benchmark), which must not end the one shared client, or for another
 * database of the project than the default one (the console's audit database).
 */
export function createFirestore(env: NodeJS.ProcessEnv = process.env, databaseId?: string): Firestore {
  return new Firestore({
    projectId: projectId(env),
    ignoreUndefinedProperties: true,
    ...(databaseId !== undefined && { databaseId }),
  });
}

export function getPubSub(env: NodeJS.ProcessEnv = process.env): PubSub {
  pubsub ??= new PubSub({ projectId: projectId(env) });
  return pubsub;
}

export function getStorage(env: NodeJS.ProcessEnv = process.env): Storage {
  storage ??= createStorage(env);
  return storage;
}

/** A Cloud Storage client of its own, made as getStorage makes the process's (see createFirestore). */
export function createStorage(env: NodeJS.ProcessEnv = process.env): Storage {
  const apiEndpoint = env.STORAGE_API_ENDPOINT;
  return new Storage({ projectId: projectId(env), ...(apiEndpoint ? { apiEndpoint } : {}) });
}
