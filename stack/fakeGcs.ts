/**
 * fake-gcs-server stands in for Cloud Storage. It is built with `go install` into .stack/bin and publishes an
 * OBJECT_FINALIZE notification to the Pub/Sub emulator's storage-events topic for each upload, like a bucket's
 * Pub/Sub notification config would; the storage-event router turns those into the function's CloudEvents.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ProcessComponent, StackContext, StackLog } from './component.js';
import type { StackEndpoints } from './endpoints.js';
import { disableMetadataServerProbe } from './googleEnv.js';
import { isHttpOk } from './probes.js';
import { requireExecutable, runLogged } from './tools.js';

export const FAKE_GCS_MODULE = 'github.com/fsouza/fake-gcs-server';
/** v1.56 has an off-by-one in multi-chunk resumable uploads; 1.55.1 builds with Go 1.25+. */
export const FAKE_GCS_VERSION = 'v1.55.1';
export const GO_HINT = 'Install Go 1.25+ (https://go.dev/doc/install; Debian bookworm packages are too old).';

export function fakeGcsComponent(ctx: StackContext): ProcessComponent {
  const { endpoints, paths } = ctx;
  const binary = path.join(paths.bin, 'fake-gcs-server');
  const { port } = endpoints.storage;
  return {
    name: 'fake-gcs',
    command: binary,
    args: [
      '-scheme',
      'http',
      '-host',
      endpoints.host,
      '-port',
      String(port),
      '-backend',
      'memory',
      // Without it the Location of a resumable upload names 0.0.0.0.
      '-external-url',
      endpoints.storage.apiEndpoint,
      '-event.pubsub-project-id',
      endpoints.project,
      '-event.pubsub-topic',
      endpoints.pubsub.storageEventsTopic,
      '-event.list',
      'finalize',
    ],
    // It publishes through the Go Pub/Sub client, which finds the emulator only through this variable.
    env: { PUBSUB_EMULATOR_HOST: endpoints.pubsub.emulatorHost },
    cwd: paths.stackDir,
    ports: [port],
    // Its notifications fail (and are only logged) unless the topic exists when it starts.
    dependsOn: ['pubsub'],
    provision: (context) => installFakeGcs(context),
    healthCheck: () => isHttpOk(`${endpoints.storage.apiEndpoint}/_internal/healthcheck`),
    ensureResources: (context) => ensureBucket(context.endpoints, context.log),
    envLines: () => [`STORAGE_API_ENDPOINT=${endpoints.storage.apiEndpoint}`],
  };
}

/** `go install` into .stack/bin, skipped when the binary of the pinned version is there. */
export async function installFakeGcs(ctx: StackContext): Promise<void> {
  const { paths, env, log } = ctx;
  const binary = path.join(paths.bin, 'fake-gcs-server');
  const stamp = `${binary}.version`;
  const installed = await readFile(stamp, 'utf8').catch(() => null);
  const present = await access(binary, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (present && installed?.trim() === FAKE_GCS_VERSION) return;
  const go = await requireExecutable('go', GO_HINT, env);
  log(
    `fake-gcs: building ${FAKE_GCS_MODULE}@${FAKE_GCS_VERSION} with go install (first run only; about 1-2 min)...`,
  );
  await mkdir(paths.bin, { recursive: true });
  await runLogged(go, ['install', `${FAKE_GCS_MODULE}@${FAKE_GCS_VERSION}`], {
    cwd: paths.stackDir,
    // GOFLAGS from the caller could add -mod=vendor or the like, which `go install pkg@version` rejects.
    env: { ...env, GOBIN: paths.bin, GOFLAGS: '' },
    logFile: path.join(paths.logs, 'provision-fake-gcs.log'),
  });
  await writeFile(stamp, `${FAKE_GCS_VERSION}\n`);
}

/** Creates the stack's bucket unless it exists (fake-gcs-server keeps buckets in memory: every start needs it). */
export async function ensureBucket(endpoints: StackEndpoints, log: StackLog): Promise<void> {
  const { Storage } = await import('@google-cloud/storage');
  disableMetadataServerProbe();
  const storage = new Storage({ apiEndpoint: endpoints.storage.apiEndpoint, projectId: endpoints.project });
  const bucket = storage.bucket(endpoints.bucket);
  const [exists] = await bucket.exists();
  if (exists) return;
  try {
    await storage.createBucket(endpoints.bucket);
    log(`fake-gcs: created bucket ${endpoints.bucket}`);
  } catch (error) {
    // 409: created meanwhile by a concurrent `up`.
    if ((error as { code?: unknown }).code !== 409) throw error;
  }
}
