/**
 * `replay [--speed N] FILE...`: feeds files into the local stack's bucket as a live market would, one object
 * per market minute holding every symbol's rows of that minute, in time order and on a schedule
 * (cli/replay/schedule.ts says which).
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import { ConfigError, readVariable } from '../../shared/config/variables.js';
import { DEFAULT_PARAMETERS } from '../../shared/core/detectionParameters.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readRows } from '../../shared/objects/readObject.js';
import { ObjectRejectedError } from '../../shared/core/report.js';
import { formatMinute, parseMinute, ZoneOffsets } from '../../shared/core/timestamp.js';
import { isProgrammingError } from '../../shared/errors.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import { SETTLED_STATUSES, type FirestoreIngestionStore } from '../../shared/state/ingestionStore.js';
import type { CliContext } from '../context.js';
import { fileChunks } from '../fileChunks.js';
import { MinuteObjects, minuteObjectName, type MinuteRange } from '../replay/minuteObjects.js';
import {
  intervalMs,
  MAX_SPEED,
  parseSpeed,
  realClock,
  runOnSchedule,
  type Clock,
} from '../replay/schedule.js';
import { clients, stackError, stackIngestionStore } from '../stackClients.js';
import { UsageError } from '../usageError.js';

export interface ReplayOptions {
  speed: string;
  from?: string;
  to?: string;
  limit?: string;
  timezone: string;
  waitIngest?: boolean;
}

/** Puts one object into the bucket. */
export type Uploader = (name: string, content: string) => Promise<void>;

/** Rows skipped for an unreadable timestamp or symbol are named one by one up to this many, then counted. */
const LISTED_SKIPS = 100;

const GAP_RULE = `
Each object is replay/YYYY-MM-DDTHHMMZ.csv (the minute in UTC, under UPLOAD_PREFIX)
with header timestamp,symbol,open,high,low,close,volume and the values as written.

Schedule: object k (from 0; one per minute that has rows) is uploaded at
start + k x 60 s / N, whatever the market time since the minute before it: a
minute in which nothing traded takes no time, and a night or a weekend between
sessions takes one interval like any other step. An upload that ends after the
next one is due is reported as behind schedule; no object is skipped.

The pipeline may ingest objects that arrive close together side by side, and a
symbol's bars that reach Kafka after a later minute's are counted late, not
detected. --wait-ingest uploads each object only once ingest has taken the one
before (the wait counts against the schedule), so they are detected in order.

A row whose timestamp (or symbol field) cannot be read is named (file:line),
skipped and counted, and the exit code is 1. Every other row, bad or not, goes
to the pipeline, which reports it. A missing or rejected file stops the replay
before anything is uploaded.`;

export function registerReplayCommand(program: Command, context: CliContext): void {
  program
    .command('replay')
    .description(
      "feed files into the local stack's bucket as a live market does: one object per market minute, in time order",
    )
    .argument('<files...>', 'minute-bar CSV files (plain or gzipped), any the pipeline accepts')
    .option(
      '--speed <N>',
      'market minutes per wall-clock minute (60: an object a second; fractions; max)',
      '60',
    )
    .option('--from <minute>', 'first minute replayed, included (ISO; without Z or an offset, exchange time)')
    .option('--to <minute>', 'last minute replayed, included')
    .option('--limit <K>', 'replay at most K minutes')
    .option('--wait-ingest', 'after each upload, wait until ingest has taken the object')
    .option(
      '--timezone <tz>',
      'exchange time zone for timestamps without an offset',
      DEFAULT_PARAMETERS.timezone,
    )
    .addHelpText('after', GAP_RULE)
    .action(async (files: string[], options: ReplayOptions) => {
      const stack = clients(context);
      const bucket = stack.storage.bucket(stack.bucket);
      const store = stackIngestionStore(stack);
      const upload: Uploader = async (name, content) => {
        const file = bucket.file(name);
        await file.save(content, { resumable: false, contentType: 'text/csv' });
        if (options.waitIngest === true)
          await ingested(store, name, String(file.metadata.generation), context);
      };
      await replay(files, options, context, upload);
    });
}

interface Plan {
  speed: number;
  zone: ZoneOffsets;
  range: MinuteRange;
  limit: number;
  limits: IngestLimits;
  uploadPrefix: string;
}

function plan(options: ReplayOptions, env: NodeJS.ProcessEnv): Plan {
  const speed = parseSpeed(options.speed);
  if (speed === undefined)
    throw new UsageError(`--speed must be a positive number or 'max', got '${options.speed}'`);
  let zone: ZoneOffsets;
  try {
    zone = new ZoneOffsets(options.timezone);
  } catch {
    throw new UsageError(
      `unknown time zone '${options.timezone}' (use an IANA name like Asia/Kolkata or UTC)`,
    );
  }
  const minute = (option: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = parseMinute(text, zone);
    if (Number.isNaN(value))
      throw new UsageError(`${option} must be a minute like 2017-01-02T03:45Z, got '${text}'`);
    return value;
  };
  const range = { from: minute('--from', options.from), to: minute('--to', options.to) };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new UsageError(`--from ${options.from} is after --to ${options.to}`);
  let limit = Number.POSITIVE_INFINITY;
  if (options.limit !== undefined) {
    if (!/^\s*\d+\s*$/.test(options.limit) || Number(options.limit) < 1)
      throw new UsageError(`--limit must be a whole number of minutes ≥ 1, got '${options.limit}'`);
    limit = Number(options.limit);
  }
  let limits: IngestLimits;
  try {
    limits = ingestLimitsFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  return { speed, zone, range, limit, limits, uploadPrefix: readVariable('UPLOAD_PREFIX', env) };
}

/**
 * Reads every file first (a missing or unreadable one stops the replay before anything is uploaded), then
 * uploads the minute objects on the schedule. Sets exit code 1 when rows were skipped.
 */
export async function replay(
  files: string[],
  options: ReplayOptions,
  context: CliContext,
  upload: Uploader,
  clock: Clock = realClock,
): Promise<void> {
  const settings = plan(options, context.env);
  const log = (line: string) => context.stderr.write(`${line}\n`);

  // The objects must be ones ingest takes (a quarantine prefix could cover the names).
  const skip = skipReason(minuteObjectName(0, settings.uploadPrefix), {
    uploadPrefix: settings.uploadPrefix,
    quarantinePrefix: readVariable('QUARANTINE_PREFIX', context.env),
  });
  if (skip !== undefined) throw new Error(`ingest would skip the replay's objects: ${skip}`);

  const missing = await unreadableFiles(files);
  if (missing.length > 0) throw new Error(`nothing replayed: ${missing.join('; ')}`);

  let listed = 0;
  const book = new MinuteObjects(settings.zone, settings.range, ({ file, line, reason }) => {
    if (++listed <= LISTED_SKIPS) log(`${file}:${line}: skipped: ${reason}`);
    else if (listed === LISTED_SKIPS + 1) log(`(further skipped rows are counted, not listed)`);
  });
  for (const file of files) {
    const rows = book.file(file);
    try {
      await readRows(fileChunks(file), { objectName: file, limits: settings.limits }, rows);
      rows.finish();
    } catch (error) {
      if (isProgrammingError(error)) throw error;
      const why = error instanceof ObjectRejectedError ? 'the pipeline would reject it: ' : '';
      throw new Error(`nothing replayed: ${file}: ${why}${(error as Error).message}`, { cause: error });
    }
  }

  const minutes = book.minutes().slice(0, settings.limit);
  const counts = book.counts;
  if (minutes.length === 0) {
    const ranged = settings.range.from !== undefined || settings.range.to !== undefined;
    log(`nothing to replay: no rows ${ranged ? 'between --from and --to ' : ''}in the files`);
    context.exitCode = 1;
    return;
  }
  const names = minutes.map((minute) => minuteObjectName(minute, settings.uploadPrefix));
  const rows = minutes.reduce((sum, minute) => sum + book.rowCount(minute), 0);
  const interval = intervalMs(settings.speed);
  log(
    `replaying ${count(minutes.length, 'minute')} (${stamp(minutes[0]!)} to ${stamp(minutes.at(-1)!)}), ${count(rows, 'row')} ` +
      `of ${count(files.length, 'file')}, ${settings.speed === MAX_SPEED ? 'as fast as uploads go' : `an object every ${seconds(interval)} (speed ${settings.speed})`}` +
      `${options.waitIngest === true ? ', each once ingest has taken the one before' : ''}`,
  );

  const width = String(minutes.length).length;
  const result = await runOnSchedule(
    minutes.length,
    settings.speed,
    clock,
    async (index) => {
      const minute = minutes[index]!;
      try {
        await upload(names[index]!, book.content(minute));
      } catch (error) {
        throw new Error(
          `${names[index]}: ${stackError(error).message}; ` +
            `${index} of ${minutes.length} minutes replayed, resume with --from ${stamp(minute)}`,
          { cause: error },
        );
      }
    },
    (timing) => {
      const minute = minutes[timing.index]!;
      const late =
        timing.behind > 0
          ? `; behind schedule by ${seconds(timing.behind)} (upload took ${seconds(timing.took)}, interval ${seconds(interval)})`
          : '';
      log(
        `[${String(timing.index + 1).padStart(width)}/${minutes.length}] ${stamp(minute)} ${names[timing.index]} ` +
          `${count(book.rowCount(minute), 'row')}${late}`,
      );
    },
  );

  const parts = [
    `replayed ${count(minutes.length, 'minute')}, ${count(rows, 'row')} of ${count(counts.symbols, 'symbol')}, in ${seconds(result.elapsed)}`,
    `${count(result.behind, 'upload')} behind schedule`,
    `${count(counts.unplaced, 'row')} skipped (timestamp or symbol unreadable)`,
  ];
  const left = counts.placed - rows;
  if (counts.outside > 0 || left > 0)
    parts.push(`${count(counts.outside + left, 'row')} outside --from/--to/--limit`);
  log(parts.join('; '));
  if (counts.unplaced > 0) context.exitCode = 1;
}

/** How long --wait-ingest waits for one object before giving up. */
const INGEST_WAIT_MS = 120_000;

/**
 * Resolves once ingest has settled the object generation (done, rejected or gone); a rejection is said, as
 * the pipeline did not take the minute.
 * @throws Error when it has not within INGEST_WAIT_MS
 */
async function ingested(
  store: FirestoreIngestionStore,
  name: string,
  generation: string,
  context: CliContext,
): Promise<void> {
  const id = ingestionId(name, generation);
  for (const deadline = Date.now() + INGEST_WAIT_MS; Date.now() < deadline;) {
    const status = (await store.statuses([id])).get(id);
    if (status !== undefined && SETTLED_STATUSES.includes(status)) {
      if (status !== 'done') context.stderr.write(`note: ingest found ${name} ${status}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`ingest has not taken it within ${INGEST_WAIT_MS / 1000} s (is the stack up?)`);
}

/** Each file that cannot be read, with why. */
async function unreadableFiles(files: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    try {
      if (!(await stat(file)).isFile()) problems.push(`${file}: not a file`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  return problems;
}

/** A minute as the object names show it, with the colon: `2017-01-02T03:45Z`. */
function stamp(minute: number): string {
  return `${formatMinute(minute).slice(0, 16)}Z`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(ms < 1000 ? 3 : 2)} s` : `${(ms / 1000).toFixed(1)} s`;
}
