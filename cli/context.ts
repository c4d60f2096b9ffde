import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';

/** What a subcommand writes to and reports back: injected so tests can run the CLI in-process. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * The file descriptor `stdout` writes to, when it writes synchronously to a file or a device (see
   * {@link syncOutputFd}): other threads may then write to it too, in turn (`detect`'s read workers).
   */
  stdoutFd?: number;
  env: NodeJS.ProcessEnv;
  /** Set by a command: 0 success, 1 a problem with the input or the stack. */
  exitCode: number;
}

export function processContext(): CliContext {
  const stdoutFd = syncOutputFd(process.stdout);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    ...(stdoutFd === undefined ? {} : { stdoutFd }),
    env: process.env,
    exitCode: 0,
  };
}

/**
 * The descriptor behind a process's standard stream when it is a file or a device other than a terminal
 * (/dev/null): Node writes those synchronously, so that once a write returns the bytes are the system's, and
 * another thread may write after them. Undefined for a pipe, a socket or a terminal, which Node may write later
 * (and a worker's write to a full pipe would fail rather than wait).
 */
function syncOutputFd(stream: NodeJS.WritableStream): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    const stat = fstatSync(fd);
    return (stat.isFile() || stat.isCharacterDevice()) && !isatty(fd) ? fd : undefined;
  } catch {
    return undefined;
  }
}

/** Writes text, waiting when the stream asks to (a pipe to a slow reader). */
export async function writeText(stream: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}
