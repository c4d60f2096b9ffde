/**
 * Where the local stack keeps what it installs and runs: everything under the ignored folder `.stack/` at the
 * repository root, so a fresh clone provisions itself and `rm -rf .stack` resets it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackPaths {
  /** The repository root (the folder holding package.json). */
  readonly root: string;
  /** `<root>/.stack` */
  readonly stackDir: string;
  /** One `<name>.log` per component, and the provisioning logs. */
  readonly logs: string;
  /** One `<name>.pid` per running component. */
  readonly run: string;
  /** Binaries installed by `go install` (GOBIN). */
  readonly bin: string;
  /** Kafka's jars, generated configuration and data. */
  readonly kafka: string;
  /** The files the project keeps under version control for the stack (stack/ in the source tree). */
  readonly sources: string;
}

/**
 * Finds the repository root by walking up from this module to the first folder with a package.json. This works
 * both from the sources (stack/paths.ts) and from the build (dist/stack/paths.js), which has no package.json.
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

/** The stack's folders; STACK_DIR overrides `<root>/.stack` (tests use a temporary one). */
export function stackPaths(env: NodeJS.ProcessEnv = process.env, root: string = findRepoRoot()): StackPaths {
  const stackDir = env.STACK_DIR ? path.resolve(env.STACK_DIR) : path.join(root, '.stack');
  return {
    root,
    stackDir,
    logs: path.join(stackDir, 'logs'),
    run: path.join(stackDir, 'run'),
    bin: path.join(stackDir, 'bin'),
    kafka: path.join(stackDir, 'kafka'),
    sources: path.join(root, 'stack'),
  };
}
