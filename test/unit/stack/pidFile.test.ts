/** Whether a recorded component process is alive: a killed one its parent has not reaped yet is not. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isRecordedProcessAlive, isZombie, processStartTicks } from '../../../stack/pidFile.js';

describe('isRecordedProcessAlive', () => {
  it('says a process that exited but is not reaped yet (a zombie) is not alive', async () => {
    // The shell starts a short sleep, prints its pid and becomes a long sleep that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))),
      );
      const startTicks = processStartTicks(pid);
      expect(isRecordedProcessAlive({ pid, startTicks })).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(isZombie(pid)).toBe(true);
      expect(isRecordedProcessAlive({ pid, startTicks })).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('says this process is alive and not a zombie', () => {
    expect(isZombie(process.pid)).toBe(false);
    expect(isRecordedProcessAlive({ pid: process.pid, startTicks: processStartTicks(process.pid) })).toBe(
      true,
    );
  });
});
