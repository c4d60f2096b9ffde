/**
 * Resident memory of the stack's processes, read from /proc (Linux): VmRSS (now) and VmHWM (the peak, the
 * "high water mark" the kernel keeps for the process's whole life).
 *
 * A component's pid file names the process the stack started; for some that is a wrapper (the emulators'
 * launcher scripts start a JVM), so a component's peak is the largest VmHWM over that process and its
 * descendants.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readPidFile } from '../stack/pidFile.js';

export interface Memory {
  rssMiB: number;
  peakMiB: number;
}

/** VmRSS and VmHWM (peak) of a process, in MiB; undefined once it is gone (a zombie has neither). */
export function memoryOf(pid: number): Memory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  const memory = { rssMiB: mib('VmRSS'), peakMiB: mib('VmHWM') };
  return Number.isNaN(memory.rssMiB) || Number.isNaN(memory.peakMiB) ? undefined : memory;
}

/** Every process's parent, from /proc/<pid>/stat (field 4, after the command name in parentheses). */
export function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return parentOf;
}

/** `root` and all its descendants that exist now. */
export function processTree(root: number, parentOf: Map<number, number> = parents()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  const tree = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...tree];
}

/**
 * Peaks of named components, kept across samples: each sample reads the pid files, walks each component's
 * process tree and keeps, per process, its VmHWM, so that a process seen once still counts after it exits.
 * A component restarted (a new pid) keeps the larger peak of its processes.
 */
export class PeakMemory {
  readonly #peaks = new Map<string, Map<number, number>>();

  constructor(
    readonly runDir: string,
    readonly names: readonly string[],
  ) {}

  async sample(): Promise<void> {
    const parentOf = parents();
    for (const name of this.names) {
      const record = await readPidFile(this.runDir, name);
      if (record === null) continue;
      let peaks = this.#peaks.get(name);
      if (peaks === undefined) this.#peaks.set(name, (peaks = new Map()));
      for (const pid of processTree(record.pid, parentOf)) {
        const peak = memoryOf(pid)?.peakMiB;
        if (peak !== undefined) peaks.set(pid, Math.max(peak, peaks.get(pid) ?? 0));
      }
    }
  }

  /** Per component, the largest peak of any of its processes seen (MiB), and how many processes that was over. */
  peaks(): Map<string, { peakMiB: number; processes: number }> {
    const result = new Map<string, { peakMiB: number; processes: number }>();
    for (const name of this.names) {
      const peaks = this.#peaks.get(name);
      if (peaks === undefined || peaks.size === 0) continue;
      result.set(name, { peakMiB: Math.max(...peaks.values()), processes: peaks.size });
    }
    return result;
  }
}
