/**
 * `stack logs`: the components' log files in `.stack/logs/` (one `<component>.log` each, see stack/lifecycle.ts),
 * each line formatted for a person (cli/logLines.ts) or printed as written, and with `follow` what is appended
 * afterwards, as `tail -f` does: also across a restart, which moves the log to `.log.1` and starts a new one.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';

import { formatLogLine } from './logLines.js';
import { UsageError } from './usageError.js';

export interface StackLogsOptions {
  /** Keep printing what is appended until `signal` aborts. */
  follow?: boolean;
  /** Print the lines as written, JSON entries unformatted (for jq). */
  json?: boolean;
  out: (line: string) => void;
  signal?: AbortSignal;
  /** How often a followed file is looked at. */
  pollMs?: number;
}

const LOG_SUFFIX = '.log';

/** The log files of the components named, or of every component with one; a name without a log is an error. */
async function logFiles(logsDir: string, components: readonly string[]): Promise<Array<[string, string]>> {
  const present = (await readdir(logsDir).catch(() => []))
    .filter((file) => file.endsWith(LOG_SUFFIX))
    .map((file) => file.slice(0, -LOG_SUFFIX.length))
    .sort();
  const wanted = components.length > 0 ? components : present;
  const missing = wanted.filter((name) => !present.includes(name));
  if (missing.length > 0 || wanted.length === 0) {
    const known = present.length > 0 ? `logs here: ${present.join(', ')}` : 'no logs yet: has the stack run?';
    throw new UsageError(
      `${missing.length > 0 ? `no log for ${missing.join(', ')}` : 'no component logs'} in ${logsDir} (${known})`,
    );
  }
  return wanted.map((name) => [name, path.join(logsDir, `${name}${LOG_SUFFIX}`)]);
}

interface Followed {
  name: string;
  file: string;
  /** Where the next read starts, and the file it is in (a new inode: the component restarted). */
  offset: number;
  inode: number | undefined;
  /** The end of the last read that had no newline yet. */
  partial: string;
  /** A character cut between two reads is decoded whole. */
  decoder: StringDecoder;
}

/** Read at most this much at once: a long run's log is hundreds of megabytes. */
const CHUNK_BYTES = 1 << 20;

/** Reads what was appended to a file since the last look, handing on each complete line. */
async function drain(followed: Followed, onLine: (line: string) => void): Promise<void> {
  const now = await stat(followed.file).catch(() => undefined);
  if (now === undefined) return;
  if (now.ino !== followed.inode || now.size < followed.offset) {
    Object.assign(followed, { offset: 0, inode: now.ino, partial: '', decoder: new StringDecoder('utf8') });
  }
  if (now.size === followed.offset) return;
  const handle = await open(followed.file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, now.size - followed.offset));
    // Up to the size seen now: what is appended meanwhile is read at the next look.
    while (followed.offset < now.size) {
      const length = Math.min(buffer.length, now.size - followed.offset);
      const { bytesRead } = await handle.read(buffer, 0, length, followed.offset);
      if (bytesRead === 0) break;
      followed.offset += bytesRead;
      const lines = (followed.partial + followed.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      followed.partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
  } finally {
    await handle.close();
  }
}

/** Prints the logs of `components` (all when none is named); with `follow`, until `signal` aborts. */
export async function showStackLogs(
  logsDir: string,
  components: readonly string[],
  options: StackLogsOptions,
): Promise<void> {
  const files = await logFiles(logsDir, components);
  const format = options.json === true ? (line: string) => line : formatLogLine;
  // With several files, each run of lines from one is headed by its name, as tail does; not in JSON mode,
  // whose output is the lines as written.
  let current: string | undefined;
  const print = (name: string, line: string) => {
    if (files.length > 1 && options.json !== true && name !== current) options.out(`==> ${name} <==`);
    current = name;
    options.out(format(line));
  };
  const followed: Followed[] = files.map(([name, file]) => ({
    name,
    file,
    offset: 0,
    inode: undefined,
    partial: '',
    decoder: new StringDecoder('utf8'),
  }));
  for (const entry of followed) {
    await drain(entry, (line) => print(entry.name, line));
    // A last line without its newline yet: printed when there is no later look to complete it.
    if (options.follow !== true && entry.partial !== '') print(entry.name, entry.partial);
  }
  if (options.follow !== true) return;
  const { signal } = options;
  while (signal?.aborted !== true) {
    await sleep(options.pollMs ?? 250, undefined, { signal }).catch(() => undefined);
    for (const entry of followed) await drain(entry, (line) => print(entry.name, line));
  }
}
