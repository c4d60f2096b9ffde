/**
 * The one shape every part of the local stack has: a long-running process started detached, with a health
 * check. Kafka, the emulators and fake-gcs-server are components; so are the functions-framework servers, the
 * storage-event router and the Kafka dispatcher added elsewhere. `stackUp` starts a list of them in dependency
 * order (see orchestrate.ts).
 */
import type { StackEndpoints } from './endpoints.js';
import type { StackPaths } from './paths.js';

/** Progress output; the CLI writes it to stderr so stdout keeps only environment lines. */
export type StackLog = (line: string) => void;

/** What a component's hooks get to work with. */
export interface StackContext {
  readonly endpoints: StackEndpoints;
  readonly paths: StackPaths;
  /** The environment the stack was started from (the stack variables are read from it). */
  readonly env: NodeJS.ProcessEnv;
  readonly log: StackLog;
}

export interface ProcessComponent {
  /** Unique in a stack; names `.stack/logs/<name>.log` and `.stack/run/<name>.pid`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added over the parent's environment when the process starts. */
  readonly env?: Readonly<Record<string, string>>;
  /** Defaults to the repository root. */
  readonly cwd?: string;
  /** The ports it listens on; `up` refuses to start it if another process already holds one. */
  readonly ports: readonly number[];
  /**
   * Components that must be up, and their resources ensured, before this one starts. Components with no
   * dependency between them start in parallel.
   */
  readonly dependsOn?: readonly string[];
  /** How long `up` waits for the health check after starting the process; default 60 s. */
  readonly startTimeoutMs?: number;
  /** How long `down` waits after SIGTERM before SIGKILL; default 15 s. */
  readonly stopTimeoutMs?: number;
  /**
   * Installs or generates what the process needs (jars, binaries, configuration). Must be idempotent and cheap
   * once done: it runs on every `up` whose component is not already running. Throws with an install hint when a
   * tool is missing.
   */
  provision?(ctx: StackContext): Promise<void>;
  /** True when the component answers (its protocol, not just an open port). Must not throw. */
  healthCheck(): Promise<boolean>;
  /** Creates topics, subscriptions, buckets... idempotently; runs on every `up`, after the health check passed. */
  ensureResources?(ctx: StackContext): Promise<void>;
  /** Deletes what it keeps across restarts (`stack down --purge`); called only after it stopped. */
  purge?(ctx: StackContext): Promise<void>;
  /** How clients reach it, as `NAME=value` lines (e.g. `FIRESTORE_EMULATOR_HOST=127.0.0.1:8080`). */
  envLines(): string[];
}

/** Builds components from the stack's context; the CLI takes extra factories of this type. */
export type ComponentFactory = (ctx: StackContext) => ProcessComponent[];
