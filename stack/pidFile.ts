/**
 * `.stack/run/<name>.pid`: the first line is the pid (so `kill $(head -1 file)` works); the second records the
 * process's start time, read from /proc, so a pid reused by an unrelated process after a reboot is never
 * mistaken for ours and signalled.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface PidRecord {
  readonly pid: number;
  /** Clock ticks since boot at which the process started (field 22 of /proc/<pid>/stat); null off Linux. */
  readonly startTicks: number | null;
}

export function pidFilePath(runDir: string, name: string): string {
  return path.join(runDir, `${name}.pid`);
}

/** The start time of a process, or null when /proc has no such process (or there is no /proc). */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/**
 * True when the process has exited but its parent has not reaped it yet (a zombie): a component killed a
 * moment ago reads so until then, and it serves nothing.
 */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export async function writePidFile(runDir: string, name: string, pid: number): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const ticks = processStartTicks(pid);
  await writeFile(pidFilePath(runDir, name), `${pid}\n${ticks === null ? '' : `start-ticks ${ticks}\n`}`);
}

export async function readPidFile(runDir: string, name: string): Promise<PidRecord | null> {
  let text: string;
  try {
    text = await readFile(pidFilePath(runDir, name), 'utf8');
  } catch {
    return null;
  }
  const [first = '', second = ''] = text.split('\n');
  const pid = Number(first.trim());
  if (!Number.isInteger(pid) || pid <= 1) return null;
  const ticks = /^start-ticks (\d+)$/.exec(second.trim());
  return { pid, startTicks: ticks ? Number(ticks[1]) : null };
}

export async function removePidFile(runDir: string, name: string): Promise<void> {
  await rm(pidFilePath(runDir, name), { force: true });
}

/** True when the recorded process still exists and is the one we started (same start time). */
export function isRecordedProcessAlive(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to another user, so it is not ours either.
    return false;
  }
  if (isZombie(record.pid)) return false;
  if (record.startTicks === null) return true;
  return processStartTicks(record.pid) === record.startTicks;
}

/** True while any process of the group led by `pgid` is left (the leader may be gone, its children not). */
export function isProcessGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
