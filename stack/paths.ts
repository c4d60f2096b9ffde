/**
 * Where the local stack keeps what it installs and runs: everything under the ignored folder `.stack/` at the
 * repository root, so a fresh clone provisions itself and `rm -rf .stack` resets it.
 */
import path from 'node:path';
import { readVariable } from '../shared/config/variables.js';
import { findRepoRoot } from '../shared/repoRoot.js';

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

/** The stack's folders; STACK_DIR overrides `<root>/.stack` (tests use a temporary one). */
export function stackPaths(env: NodeJS.ProcessEnv = process.env, root: string = findRepoRoot()): StackPaths {
  const dir = readVariable('STACK_DIR', env);
  const stackDir = dir ? path.resolve(dir) : path.join(root, '.stack');
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
