/**
 * The benchmarks' own local stack: its own state folder (under the ignored .bench/) and its own ports, so a
 * benchmark never touches the stack a developer or a test run keeps on the default ports in .stack/.
 *
 * Each stack variable comes from `BENCH_<NAME>` when set (e.g. BENCH_STACK_KAFKA_PORT=29092), otherwise from
 * the benchmark's default. The caller's own STACK_* values are ignored on purpose: they usually point at the
 * developer's stack, which the benchmark must not reuse nor stop.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProcessComponent, StackContext } from '../stack/component.js';
import { createStackContext } from '../stack/components.js';
import { stackDown, stackUp, type UpResult } from '../stack/orchestrate.js';
import { findRepoRoot } from '../shared/repoRoot.js';
import type { CliContext } from '../cli/api.js';

/** The repository root, from the build (dist/bench/) as from the sources (bench/, which the soak tests import). */
export const benchRoot = findRepoRoot();

/** The variables that place a stack: its folder and every port it listens on. */
export type StackPlacement = Record<
  | 'STACK_DIR'
  | 'STACK_KAFKA_PORT'
  | 'STACK_KAFKA_CONTROLLER_PORT'
  | 'STACK_FIRESTORE_PORT'
  | 'STACK_PUBSUB_PORT'
  | 'STACK_GCS_PORT'
  | 'STACK_INGEST_PORT'
  | 'STACK_DETECT_PORT'
  | 'STACK_NOTIFY_PORT'
  | 'STACK_ESCALATE_PORT'
  | 'STACK_ROUTER_HEALTH_PORT'
  | 'STACK_DISPATCHER_HEALTH_PORT'
  | 'STACK_CONSOLE_PORT',
  string
>;

/** Ports 10 000 above the defaults, state in .bench/stack-<name>; `offset` separates two benchmarks. */
export function benchPlacement(name: string, offset = 0): StackPlacement {
  const port = (base: number) => String(base + 10_000 + offset);
  return {
    STACK_DIR: join(benchRoot, '.bench', `stack-${name}`),
    STACK_KAFKA_PORT: port(9092),
    STACK_KAFKA_CONTROLLER_PORT: port(9093),
    STACK_FIRESTORE_PORT: port(8080),
    STACK_PUBSUB_PORT: port(8085),
    STACK_GCS_PORT: port(4443),
    STACK_INGEST_PORT: port(8081),
    STACK_DETECT_PORT: port(8082),
    STACK_NOTIFY_PORT: port(8083),
    STACK_ESCALATE_PORT: port(8084),
    STACK_ROUTER_HEALTH_PORT: port(8087),
    STACK_DISPATCHER_HEALTH_PORT: port(8088),
    STACK_CONSOLE_PORT: port(8090),
  };
}

/**
 * Points this process at the benchmark's stack: the stack code, the clients and every component started from
 * here (they inherit process.env) all read these variables.
 */
export function isolateStack(defaults: StackPlacement): StackContext {
  for (const [name, value] of Object.entries(defaults)) {
    process.env[name] = process.env[`BENCH_${name}`] || value;
  }
  // It would override the Storage client's apiEndpoint (stack/endpoints.ts says why).
  delete process.env.STORAGE_EMULATOR_HOST;
  return createStackContext({ env: process.env, log: (line) => process.stderr.write(`  stack: ${line}\n`) });
}

/**
 * Runs `body` on a fresh stack: whatever an interrupted run left in the benchmark's folder is stopped and its
 * Kafka data deleted, the stack is started, and it is stopped (and purged) again afterwards, also on Ctrl-C.
 */
export async function withIsolatedStack<T>(
  ctx: StackContext,
  components: readonly ProcessComponent[],
  body: (started: UpResult[]) => Promise<T>,
): Promise<T> {
  const down = () => stackDown(components, ctx, { purge: true });
  await down();
  let stopping: Promise<unknown> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the benchmark's stack...\n`);
    stopping ??= down().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    process.stderr.write(`starting the benchmark's own stack in ${ctx.paths.stackDir} ...\n`);
    return await body(await stackUp(components, ctx));
  } finally {
    if (stopping === undefined) {
      process.stderr.write("stopping the benchmark's stack...\n");
      await down();
    }
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/** A CLI context whose output goes nowhere: the benchmark reuses the pipeline commands' functions. */
export function quietContext(): CliContext {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return { stdout: sink, stderr: sink, env: process.env, exitCode: 0 };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const whole = (n: number) => Math.round(n).toLocaleString('en-US');

/** True in the module node was started with (`node dist/bench/x.js`), false where a test imports it. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}
