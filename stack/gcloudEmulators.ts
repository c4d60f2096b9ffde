/**
 * The Firestore and Pub/Sub emulators that come with the Google Cloud CLI's Debian packages. They are system
 * packages, not something the stack can install into .stack/, so a missing one stops `up` with what to install.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

import type { ProcessComponent, StackContext } from './component.js';
import { readVariable } from '../shared/config/variables.js';
import { isHttpOk } from './probes.js';
import { ensurePubSubResources } from './pubsubResources.js';
import { MissingToolError, requireJava } from './tools.js';

/** STACK_GCLOUD_SDK_ROOT moves it (e.g. a gcloud installed from the archive under $HOME). */
export function gcloudSdkRoot(env: NodeJS.ProcessEnv): string {
  return readVariable('STACK_GCLOUD_SDK_ROOT', env);
}

async function requireEmulator(file: string, debianPackage: string, gcloudComponent: string): Promise<void> {
  try {
    await access(file, constants.X_OK);
  } catch {
    throw new MissingToolError(
      `${file} is missing. Install the Debian package ${debianPackage} (Google Cloud's apt repository), ` +
        `or run 'gcloud components install ${gcloudComponent}' and set STACK_GCLOUD_SDK_ROOT to that SDK.`,
    );
  }
}

export function firestoreComponent(ctx: StackContext): ProcessComponent {
  const { endpoints, paths, env } = ctx;
  const command = path.join(gcloudSdkRoot(env), 'platform/cloud-firestore-emulator/cloud_firestore_emulator');
  return {
    name: 'firestore',
    command,
    args: [
      `--host=${endpoints.host}`,
      `--port=${endpoints.firestore.port}`,
      `--project_id=${endpoints.project}`,
    ],
    // Its launcher runs $JAVA, else java on PATH: give it the java the stack checked.
    env: env.JAVA_HOME ? { JAVA: path.join(env.JAVA_HOME, 'bin', 'java') } : {},
    cwd: paths.stackDir,
    ports: [endpoints.firestore.port],
    provision: async () => {
      await requireEmulator(command, 'google-cloud-cli-firestore-emulator', 'cloud-firestore-emulator');
      await requireJava(env);
    },
    // The emulator answers "Ok" on its root once it serves.
    healthCheck: () => isHttpOk(`http://${endpoints.firestore.emulatorHost}/`),
    envLines: () => [`FIRESTORE_EMULATOR_HOST=${endpoints.firestore.emulatorHost}`],
  };
}

export function pubsubComponent(ctx: StackContext): ProcessComponent {
  const { endpoints, paths, env } = ctx;
  const command = path.join(gcloudSdkRoot(env), 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
  return {
    name: 'pubsub',
    command,
    args: [`--host=${endpoints.host}`, `--port=${endpoints.pubsub.port}`],
    cwd: paths.stackDir,
    ports: [endpoints.pubsub.port],
    provision: async () => {
      await requireEmulator(command, 'google-cloud-cli-pubsub-emulator', 'pubsub-emulator');
      await requireJava(env);
    },
    healthCheck: () => isHttpOk(`http://${endpoints.pubsub.emulatorHost}/`),
    ensureResources: (context) => ensurePubSubResources(context.endpoints, context.log),
    envLines: () => [`PUBSUB_EMULATOR_HOST=${endpoints.pubsub.emulatorHost}`],
  };
}
