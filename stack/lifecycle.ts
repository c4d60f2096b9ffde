/**
 * Starting, checking and stopping one process component. Processes are started detached, each the leader of its
 * own process group, so they outlive the `stack up` that started them and `stack down` can signal a launcher
 * script together with the JVM it forked.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ProcessComponent, StackContext } from './component.js';
import type { StackPaths } from './paths.js';
import {
  isProcessGroupAlive,
  isRecordedProcessAlive,
  readPidFile,
  removePidFile,
  writePidFile,
} from './pidFile.js';
import { isPortOpen } from './probes.js';
import { tailFile } from './tools.js';

export const DEFAULT_START_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 250;

/**
 * up: our process, healthy. starting: our process, not (yet) healthy. external: healthy, but not started by the
 * stack (no live pid file), e.g. an emulator run by hand; it is used, never stopped. down: neither.
 */
export type ComponentState = 'up' | 'starting' | 'external' | 'down';

export interface ComponentStatus {
  readonly name: string;
  readonly state: ComponentState;
  readonly pid: number | null;
}

export function logFilePath(paths: StackPaths, name: string): string {
  return path.join(paths.logs, `${name}.log`);
}

export async function componentStatus(
  component: ProcessComponent,
  paths: StackPaths,
): Promise<ComponentStatus> {
  const record = await readPidFile(paths.run, component.name);
  const ours = record !== null && isRecordedProcessAlive(record);
  const healthy = await component.healthCheck();
  const state: ComponentState = ours ? (healthy ? 'up' : 'starting') : healthy ? 'external' : 'down';
  return { name: component.name, state, pid: ours ? record.pid : null };
}

/** Polls the health check until it passes; false on timeout or as soon as `exited()` says the process died. */
export async function waitForHealth(
  component: ProcessComponent,
  timeoutMs: number,
  exited: () => boolean = () => false,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await component.healthCheck()) return true;
    if (exited() || Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * Starts the process and waits until it is healthy. On failure it stops what it started and throws with the tail
 * of the component's log, so the cause shows without opening the file.
 */
export async function launchComponent(component: ProcessComponent, ctx: StackContext): Promise<number> {
  const { paths } = ctx;
  for (const port of component.ports) {
    if (await isPortOpen(ctx.endpoints.host, port)) {
      throw new Error(
        `${component.name}: port ${port} is already taken by a process the stack did not start; ` +
          'stop it, or move the component with its STACK_*_PORT variable',
      );
    }
  }
  await mkdir(paths.logs, { recursive: true });
  const logFile = logFilePath(paths, component.name);
  // Keep the previous run's log beside the new one: it often explains why a restart was needed.
  await rename(logFile, `${logFile}.1`).catch(() => undefined);
  const fd = openSync(logFile, 'a');
  let exitInfo: string | null = null;
  let pid: number;
  try {
    const child = spawn(component.command, [...component.args], {
      cwd: component.cwd ?? paths.root,
      env: { ...process.env, ...component.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.on('exit', (code, signal) => (exitInfo = `exited with ${code ?? signal}`));
    pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', (error) =>
        reject(new Error(`${component.name}: cannot run ${component.command}: ${error.message}`)),
      );
    });
    // Neither the child nor its stdio may keep `stack up` alive: it exits once everything is healthy.
    child.unref();
  } finally {
    closeSync(fd);
  }
  await writePidFile(paths.run, component.name, pid);
  const timeoutMs = component.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  if (await waitForHealth(component, timeoutMs, () => exitInfo !== null)) return pid;

  const reason = exitInfo ?? `not healthy after ${Math.round(timeoutMs / 1000)} s`;
  await stopComponent(component.name, paths, 5_000);
  const tail = await tailFile(logFile, 40);
  throw new Error(`${component.name} failed to start (${reason}); last lines of ${logFile}:\n${tail}`);
}

/**
 * Stops a component started by the stack: SIGTERM to its process group, SIGKILL if it is still there after the
 * timeout. Returns false when there was nothing of ours to stop. The pid file is removed either way.
 */
export async function stopComponent(
  name: string,
  paths: StackPaths,
  timeoutMs: number = DEFAULT_STOP_TIMEOUT_MS,
): Promise<boolean> {
  const record = await readPidFile(paths.run, name);
  if (record === null || !isRecordedProcessAlive(record)) {
    await removePidFile(paths.run, name);
    return false;
  }
  const pgid = record.pid;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isProcessGroupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (isProcessGroupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (isProcessGroupAlive(pgid) && Date.now() < killDeadline) await sleep(100);
  }
  await removePidFile(paths.run, name);
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}
