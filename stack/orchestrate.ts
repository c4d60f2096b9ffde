/**
 * `up`, `down` and `status` over a list of components. Each component waits only for the ones it depends on, so
 * independent ones (Kafka, Firestore, Pub/Sub) provision and start in parallel, and a component's provisioning
 * (Maven, go install) overlaps with its dependencies' start-up.
 */
import { readdir } from 'node:fs/promises';

import type { ProcessComponent, StackContext } from './component.js';
import {
  componentStatus,
  DEFAULT_START_TIMEOUT_MS,
  launchComponent,
  stopComponent,
  waitForHealth,
  type ComponentStatus,
} from './lifecycle.js';
import { withStackLock } from './lock.js';

/** started: launched by this `up`. running: already up (a quick no-op). external: healthy, not ours. */
export type UpAction = 'started' | 'running' | 'external';

export interface UpResult {
  readonly name: string;
  readonly action: UpAction;
  readonly pid: number | null;
  /** From the start of `up` until this component and its resources were ready. */
  readonly readyAfterMs: number;
}

export class StackUpError extends Error {
  override name = 'StackUpError';
  constructor(
    /** The components that failed themselves, with why. */
    readonly failures: readonly { readonly name: string; readonly error: Error }[],
    /** The components not started because something they depend on failed. */
    readonly skipped: readonly string[],
    /** The components that did come up (left running: `stack down` stops them). */
    readonly ready: readonly UpResult[],
  ) {
    const lines = failures.map(({ name, error }) => `${name}: ${error.message}`);
    if (skipped.length > 0) lines.push(`not started because of the above: ${skipped.join(', ')}`);
    super(lines.join('\n'));
  }
}

class DependencyFailed extends Error {}

/** Throws on duplicate names, unknown dependencies and cycles, before anything starts. */
export function validateComponents(components: readonly ProcessComponent[]): void {
  const byName = new Map<string, ProcessComponent>();
  for (const component of components) {
    if (byName.has(component.name)) throw new Error(`two stack components are named '${component.name}'`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(component.name)) {
      throw new Error(
        `stack component name '${component.name}' must be lowercase letters, digits and dashes`,
      );
    }
    byName.set(component.name, component);
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (component: ProcessComponent, trail: string[]): void => {
    if (done.has(component.name)) return;
    if (visiting.has(component.name)) {
      throw new Error(
        `stack components depend on each other in a cycle: ${[...trail, component.name].join(' -> ')}`,
      );
    }
    visiting.add(component.name);
    for (const dependency of component.dependsOn ?? []) {
      const target = byName.get(dependency);
      if (!target) throw new Error(`stack component '${component.name}' depends on unknown '${dependency}'`);
      visit(target, [...trail, component.name]);
    }
    visiting.delete(component.name);
    done.add(component.name);
  };
  for (const component of components) visit(component, []);
}

/**
 * Provisions and starts every component that is not already running, then ensures its resources (topics,
 * subscriptions, bucket). Components already up are left alone apart from that idempotent check, which makes a
 * second `up` quick. Throws a StackUpError naming every failure; what did start keeps running.
 */
export async function stackUp(
  components: readonly ProcessComponent[],
  ctx: StackContext,
): Promise<UpResult[]> {
  validateComponents(components);
  return withStackLock(ctx.paths, ctx.log, () => bringUpAll(components, ctx));
}

async function bringUpAll(components: readonly ProcessComponent[], ctx: StackContext): Promise<UpResult[]> {
  const started = Date.now();
  const byName = new Map(components.map((component) => [component.name, component]));
  const ready = new Map<string, Promise<UpResult>>();

  const bringUp = (component: ProcessComponent): Promise<UpResult> => {
    const known = ready.get(component.name);
    if (known) return known;
    const promise = bringUpOnce(component);
    // Failures are collected below; this only keeps Node from reporting a rejection no dependent awaited.
    promise.catch(() => undefined);
    ready.set(component.name, promise);
    return promise;
  };

  const awaitDependencies = async (component: ProcessComponent): Promise<void> => {
    const dependencies = (component.dependsOn ?? []).map((name) => byName.get(name) as ProcessComponent);
    const outcomes = await Promise.allSettled(dependencies.map(bringUp));
    const failed = dependencies.filter((_, i) => outcomes[i]?.status === 'rejected').map((dep) => dep.name);
    if (failed.length > 0) throw new DependencyFailed(`depends on ${failed.join(', ')}, which failed`);
  };

  const bringUpOnce = async (component: ProcessComponent): Promise<UpResult> => {
    let status = await componentStatus(component, ctx.paths);
    if (status.state === 'starting') {
      // Left starting by an interrupted `up`, or hung: give it its start time, then restart it.
      const timeoutMs = component.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
      if (await waitForHealth(component, timeoutMs)) {
        status = { ...status, state: 'up' };
      } else {
        ctx.log(`${component.name}: running but unhealthy; restarting it`);
        await stopComponent(component.name, ctx.paths, component.stopTimeoutMs);
        status = { ...status, state: 'down', pid: null };
      }
    }
    let action: UpAction;
    let pid = status.pid;
    if (status.state === 'up' || status.state === 'external') {
      action = status.state === 'up' ? 'running' : 'external';
      if (action === 'external')
        ctx.log(`${component.name}: already served by a process the stack did not start`);
      await awaitDependencies(component);
    } else {
      // Provisioning needs nothing from the dependencies, so it runs while they start.
      const provisioned = Promise.resolve(component.provision?.(ctx));
      const [provision, dependencies] = await Promise.allSettled([provisioned, awaitDependencies(component)]);
      // Its own provisioning failure says more (e.g. a missing tool) than "a dependency failed".
      if (provision.status === 'rejected') throw provision.reason;
      if (dependencies.status === 'rejected') throw dependencies.reason;
      const launchedAt = Date.now();
      pid = await launchComponent(component, ctx);
      action = 'started';
      ctx.log(`${component.name}: started (pid ${pid}, healthy after ${seconds(Date.now() - launchedAt)})`);
    }
    await component.ensureResources?.(ctx);
    return { name: component.name, action, pid, readyAfterMs: Date.now() - started };
  };

  const outcomes = await Promise.allSettled(components.map(bringUp));
  const results: UpResult[] = [];
  const failures: { name: string; error: Error }[] = [];
  const skipped: string[] = [];
  outcomes.forEach((outcome, i) => {
    const name = (components[i] as ProcessComponent).name;
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else if (outcome.reason instanceof DependencyFailed) skipped.push(name);
    else failures.push({ name, error: toError(outcome.reason) });
  });
  if (failures.length > 0 || skipped.length > 0) throw new StackUpError(failures, skipped, results);
  return results;
}

export interface DownResult {
  readonly name: string;
  /** False when nothing of ours was running. */
  readonly stopped: boolean;
}

export interface DownOptions {
  /** Also delete each component's kept data (its `purge` hook), e.g. Kafka's topics and offsets. */
  readonly purge?: boolean;
}

/**
 * Stops every component the stack started, dependents before what they depend on. Also stops processes whose
 * pid file names no listed component (one removed from the list since it was started).
 */
export async function stackDown(
  components: readonly ProcessComponent[],
  ctx: StackContext,
  options: DownOptions = {},
): Promise<DownResult[]> {
  validateComponents(components);
  return withStackLock(ctx.paths, ctx.log, () => stopAll(components, ctx, options));
}

async function stopAll(
  components: readonly ProcessComponent[],
  ctx: StackContext,
  options: DownOptions,
): Promise<DownResult[]> {
  const dependents = new Map<string, ProcessComponent[]>();
  for (const component of components) {
    for (const dependency of component.dependsOn ?? []) {
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), component]);
    }
  }
  const stopping = new Map<string, Promise<DownResult>>();
  const stop = (component: ProcessComponent): Promise<DownResult> => {
    const known = stopping.get(component.name);
    if (known) return known;
    const promise = (async () => {
      await Promise.all((dependents.get(component.name) ?? []).map(stop));
      const stopped = await stopComponent(component.name, ctx.paths, component.stopTimeoutMs);
      if (stopped) ctx.log(`${component.name}: stopped`);
      if (options.purge && component.purge) {
        await component.purge(ctx);
        ctx.log(`${component.name}: data deleted`);
      }
      return { name: component.name, stopped };
    })();
    stopping.set(component.name, promise);
    return promise;
  };
  const results = await Promise.all(components.map(stop));

  const listed = new Set(components.map((component) => component.name));
  const orphans = (await listPidFiles(ctx.paths.run)).filter((name) => !listed.has(name));
  for (const name of orphans) {
    const stopped = await stopComponent(name, ctx.paths);
    if (stopped) ctx.log(`${name}: stopped (not a listed component)`);
    results.push({ name, stopped });
  }
  return results;
}

export interface StatusResult extends ComponentStatus {
  readonly envLines: readonly string[];
}

/** Each component's state, checked in parallel. */
export async function stackStatus(
  components: readonly ProcessComponent[],
  ctx: StackContext,
): Promise<StatusResult[]> {
  return Promise.all(
    components.map(async (component) => ({
      ...(await componentStatus(component, ctx.paths)),
      envLines: component.envLines(),
    })),
  );
}

async function listPidFiles(runDir: string): Promise<string[]> {
  try {
    return (await readdir(runDir)).filter((file) => file.endsWith('.pid')).map((file) => file.slice(0, -4));
  } catch {
    return [];
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
