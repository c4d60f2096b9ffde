/**
 * The host tools provisioning relies on (java, mvn, go): finding them with a clear install hint when absent, and
 * running them with their output kept in a log file rather than on the terminal.
 */
import { spawn } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A prerequisite the stack cannot install itself (it only installs into .stack/). */
export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** The absolute path of `name` on PATH (or `name` itself when it already is a path), or null. */
export async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  const candidates = name.includes('/')
    ? [name]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Like findExecutable, but throws a MissingToolError saying what to install. */
export async function requireExecutable(
  name: string,
  installHint: string,
  env = process.env,
): Promise<string> {
  const found = await findExecutable(name, env);
  if (!found) {
    const where = name.includes('/') ? 'is missing or not executable' : 'was not found on PATH';
    throw new MissingToolError(`'${name}' ${where}. ${installHint}`);
  }
  return found;
}

export const JAVA_HINT = 'Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless).';

/** The java the stack runs: $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH. */
export async function requireJava(env: NodeJS.ProcessEnv = process.env, minimumMajor = 17): Promise<string> {
  const java = env.JAVA_HOME
    ? await requireExecutable(
        path.join(env.JAVA_HOME, 'bin', 'java'),
        `(JAVA_HOME=${env.JAVA_HOME}) ${JAVA_HINT}`,
        env,
      )
    : await requireExecutable('java', JAVA_HINT, env);
  const major = await javaMajorVersion(java);
  if (major !== null && major < minimumMajor) {
    throw new MissingToolError(
      `${java} is Java ${major}; the stack needs Java ${minimumMajor}+. ${JAVA_HINT}`,
    );
  }
  return java;
}

/** Parses `java -version` (printed on stderr: `openjdk version "17.0.15" ...`, or `"1.8.0_x"`). */
export async function javaMajorVersion(java: string): Promise<number | null> {
  const output = await new Promise<string>((resolve) => {
    const child = spawn(java, ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(text));
  });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** The last `lines` lines of a file ('' when it does not exist). */
export async function tailFile(file: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface RunLoggedOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Appended to; its tail goes into the error when the command fails. */
  readonly logFile: string;
}

/** Runs a command to completion with its output appended to a log file; rejects with the log's tail on failure. */
export async function runLogged(
  command: string,
  args: readonly string[],
  options: RunLoggedOptions,
): Promise<void> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  await new Promise<void>((resolve) => log.once('open', () => resolve()));
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error) => resolve(error.message));
    child.on('close', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
  });
  await new Promise<void>((resolve) => log.end(() => resolve()));
  if (code !== 0) {
    const tail = await tailFile(options.logFile, 30);
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} failed (${code}); see ${options.logFile}:\n${tail}`,
    );
  }
}
