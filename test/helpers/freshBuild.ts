/**
 * The project built afresh into a temporary folder, with the CLI's bin shim: what runs `detect` with its read
 * workers, which need compiled JavaScript (run from the TypeScript sources, the CLI reads on its main thread).
 */
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface FreshBuild {
  /** The folder: dist/, bin/, node_modules (linked) and a package.json. */
  dir: string;
  /** The CLI's bin shim in it. */
  bin: string;
}

/** Builds into a new temporary folder named from `prefix`; the caller deletes it. */
export function freshBuild(prefix: string): FreshBuild {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(dir, 'dist'),
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 170_000 },
  );
  if (tsc.status !== 0) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  mkdirSync(path.join(dir, 'bin'));
  const bin = path.join(dir, 'bin', 'stock-anomalies.js');
  copyFileSync(path.join(ROOT, 'bin', 'stock-anomalies.js'), bin);
  return { dir, bin };
}
