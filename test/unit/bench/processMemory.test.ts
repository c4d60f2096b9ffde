/** Reading the stack's processes' memory from /proc: the process tree a component's pid file leads to. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryOf, PeakMemory, processTree } from '../../../bench/processMemory.js';

describe('processTree', () => {
  it('is the root and every descendant, not its siblings', () => {
    const parentOf = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 10],
      [20, 1],
    ]);
    expect(processTree(10, parentOf).sort()).toEqual([10, 11, 12, 13]);
  });
});

describe.runIf(process.platform === 'linux')('memory from /proc', () => {
  it('reads this process, and nothing for one that does not exist', () => {
    const memory = memoryOf(process.pid)!;
    expect(memory.peakMiB).toBeGreaterThanOrEqual(memory.rssMiB);
    expect(memory.rssMiB).toBeGreaterThan(1);
    expect(memoryOf(2 ** 22 + 1)).toBeUndefined();
  });

  it("takes a component's peak over the process its pid file names and that process's children", async () => {
    const run = mkdtempSync(join(tmpdir(), 'peak-memory-'));
    // A shell wrapper that starts a node child holding some 80 MiB, as the emulators' launchers start a JVM.
    const hold = 'const b = Buffer.alloc(80 * 2 ** 20, 1); setTimeout(() => b, 60000)';
    // `; :` keeps the shell from exec-ing node in its place; detached, both are one process group to kill.
    const wrapper = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e '${hold}'; :`], {
      stdio: 'ignore',
      detached: true,
    });
    try {
      writeFileSync(join(run, 'wrapped.pid'), `${wrapper.pid}\n`);
      const peaks = new PeakMemory(run, ['wrapped', 'absent']);
      for (let tries = 0; tries < 50; tries++) {
        await peaks.sample();
        if ((peaks.peaks().get('wrapped')?.peakMiB ?? 0) > 80) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(peaks.peaks().get('wrapped')).toMatchObject({ processes: 2 });
      expect(peaks.peaks().get('wrapped')!.peakMiB).toBeGreaterThan(80);
      expect(peaks.peaks().has('absent')).toBe(false);
    } finally {
      process.kill(-wrapper.pid!, 'SIGKILL');
    }
  });
});
