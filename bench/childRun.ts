/**
 * A benchmark's run of `detect` (or DuckDB) in a process of its own, whose figures it reports as its last line on
 * stderr (detectRunner.ts, duckdbRunner.ts): a process each, so that its peak memory (VmHWM) is its own.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { basename } from 'node:path';

export interface RunFigures {
  /** From spawning the process to its exit: Node's start-up and the workers' included. */
  wholeSeconds: number;
  maxRssMiB: number;
  cpuSeconds: number;
}

/** The median of figures (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs `node <script> args...` with its standard output into `outPath`, optionally held to one CPU (taskset).
 * @param label what the progress line on stderr calls it
 * @throws when it exits with anything but 0, with what it wrote to stderr
 */
export async function runChild(
  script: string,
  args: string[],
  outPath: string,
  pinned: boolean,
  label = basename(script),
): Promise<RunFigures> {
  const out = openSync(outPath, 'w');
  try {
    const command = [process.execPath, script, ...args];
    const [program, ...rest] = pinned ? ['taskset', '-c', '0', ...command] : command;
    const started = performance.now();
    const child = spawn(program!, rest, { stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const wholeSeconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${label} exited with ${code}: ${stderr}`);
    const figures = JSON.parse(stderr.trim().split('\n').pop()!) as Omit<RunFigures, 'wholeSeconds'>;
    // As it goes: a run at the seed's scale takes a minute.
    process.stderr.write(
      `${label}${pinned ? ' (one CPU)' : ''}: ${wholeSeconds.toFixed(2)} s, peak ${Math.round(figures.maxRssMiB)} MiB\n`,
    );
    return { maxRssMiB: figures.maxRssMiB, cpuSeconds: figures.cpuSeconds, wholeSeconds };
  } finally {
    closeSync(out);
  }
}
