/**
 * One `stack up` or `stack down` at a time per .stack folder: two concurrent ups would otherwise provision into
 * the same folders (Maven, go install) and race to start the same components.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { StackLog } from './component.js';
import type { StackPaths } from './paths.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `.stack/run/stack.lock` (which names the holder's pid). Waits while another live process holds
 * it; takes over a lock whose holder died. A cold `up` takes minutes, hence the long default wait.
 */
export async function withStackLock<T>(
  paths: StackPaths,
  log: StackLog,
  fn: () => Promise<T>,
  timeoutMs = 15 * 60_000,
): Promise<T> {
  const file = path.join(paths.run, 'stack.lock');
  await mkdir(paths.run, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      // Left by a process that died (or is still writing its pid: then it is alive and we retry shortly).
      if (!Number.isInteger(holder) || holder <= 0) await sleep(100);
      const again = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (again === holder) await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`another stack command (pid ${holder}) still holds ${file}`);
    if (!announced) {
      log(`waiting for another stack command (pid ${holder}) to finish...`);
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
