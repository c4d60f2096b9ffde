/**
 * CPU time of the stack's processes, read from /proc/<pid>/stat (Linux: utime + stime, fields 14 and 15, in
 * clock ticks of 1/100 s): per component, the CPU its process tree used between the first sample and the last,
 * so that a benchmark can say which component the machine's cores went to.
 */
import { readFileSync } from 'node:fs';
import { readPidFile } from '../stack/pidFile.js';
import { parents, processTree } from './processMemory.js';

/** USER_HZ: Linux reports process times in hundredths of a second on every platform it runs on today. */
const TICKS_PER_SECOND = 100;

/** A process's user + system CPU time so far, in seconds; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export class CpuTime {
  /** Per component, per process: its CPU seconds at the first sample it was seen in (0 if started since) and last. */
  readonly #seen = new Map<string, Map<number, { first: number; last: number }>>();
  #sampled = false;

  constructor(
    readonly runDir: string,
    readonly names: readonly string[],
  ) {}

  async sample(): Promise<void> {
    const parentOf = parents();
    for (const name of this.names) {
      const record = await readPidFile(this.runDir, name);
      if (record === null) continue;
      let processes = this.#seen.get(name);
      if (processes === undefined) this.#seen.set(name, (processes = new Map()));
      for (const pid of processTree(record.pid, parentOf)) {
        const now = cpuSecondsOf(pid);
        if (now === undefined) continue;
        const seen = processes.get(pid);
        // A process first seen after the first sample started meanwhile: all its time is the run's.
        if (seen === undefined) processes.set(pid, { first: this.#sampled ? 0 : now, last: now });
        else seen.last = now;
      }
    }
    this.#sampled = true;
  }

  /** Per component, the CPU seconds its processes used between the first sample and the last. */
  used(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [name, processes] of this.#seen) {
      let seconds = 0;
      for (const { first, last } of processes.values()) seconds += last - first;
      result.set(name, seconds);
    }
    return result;
  }
}
