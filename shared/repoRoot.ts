/** Where the repository (or the deployed package) is, for the parts that read files beside their code. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the repository root by walking up from this module to the first folder with a package.json. This works
 * both from the sources (shared/repoRoot.ts) and from the build (dist/shared/repoRoot.js), which has no
 * package.json, and wherever a caller's own module moves.
 */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}
