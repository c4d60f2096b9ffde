/** The stack's own components, and how the context they are built from is made. */
import type { ComponentFactory, ProcessComponent, StackContext, StackLog } from './component.js';
import { stackEndpoints } from './endpoints.js';
import { fakeGcsComponent } from './fakeGcs.js';
import { firestoreComponent, pubsubComponent } from './gcloudEmulators.js';
import { kafkaComponent } from './kafka/component.js';
import { stackPaths, type StackPaths } from './paths.js';

export interface StackContextOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly paths?: StackPaths;
  /** Defaults to stderr, so stdout stays free for environment lines. */
  readonly log?: StackLog;
}

export function createStackContext(options: StackContextOptions = {}): StackContext {
  const env = options.env ?? process.env;
  return {
    env,
    endpoints: stackEndpoints(env),
    paths: options.paths ?? stackPaths(env),
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}

/** Kafka, Firestore, Pub/Sub and fake-gcs-server (which waits for Pub/Sub's storage-events topic). */
export const infrastructureComponents: ComponentFactory = (ctx) => [
  kafkaComponent(ctx),
  firestoreComponent(ctx),
  pubsubComponent(ctx),
  fakeGcsComponent(ctx),
];

/**
 * The infrastructure followed by the components the extra factories build (functions, router, dispatcher...),
 * in that order; they may depend on any infrastructure component by name.
 */
export function stackComponents(
  ctx: StackContext,
  extra: readonly ComponentFactory[] = [],
): ProcessComponent[] {
  return [infrastructureComponents, ...extra].flatMap((factory) => factory(ctx));
}
