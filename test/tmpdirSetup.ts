/**
 * Global setup of the unit project: a directory for the run's temporary files, deleted once the run is over, so
 * that test runs leave nothing in the system's temporary directory (hundreds of directories a run, before). The
 * test files get it as their TMPDIR (test/tmpdirWorker.ts), and so does every process they start; the main
 * process, which may start the stack, keeps its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testTmpdir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'stock-anomalies-tests-'));
  project.provide('testTmpdir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
