/**
 * `stock-anomalies detect FILE...`: the whole contract on local files, no infrastructure. Files are read in
 * the order given, each symbol's state carried across them. A symbol whose bars do not come in minute order
 * across the files is detected again at the end from the files that hold it, read a second time (contract §2:
 * the alerts are those of each symbol's bars in minute order, whatever the order of the files).
 */
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import { ObjectSeriesDetection } from '../../shared/core/objectSeriesDetection.js';
import { DEFAULT_PARAMETERS } from '../../shared/core/detectionParameters.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readerClock, type ReaderClock } from '../../shared/core/readerClock.js';
import { spreadsheetText } from '../../shared/core/csvText.js';
import {
  compareEpisodes,
  EPISODE_CSV_COLUMNS,
  EpisodeCollector,
  type Episode,
} from '../../shared/core/episodes.js';
import { quarantineCsv } from '../../shared/core/quarantine.js';
import { DetectionScoring, episodeKey } from '../../shared/core/suspicion/detectionScoring.js';
import type { ScoredEpisode } from '../../shared/core/suspicion/episodeScore.js';
import { SCORE_FACTORS } from '../../shared/core/suspicion/suspicionScore.js';
import {
  emptyReport,
  ObjectRejectedError,
  type QualityReport,
  type SetAsideRow,
} from '../../shared/core/report.js';
import type { DetectionCounts } from '../../shared/core/rules.js';
import { describeError, isProgrammingError } from '../../shared/errors.js';
import { alertOutput, isAlertFormat, type AlertFormat } from '../output/alertFormats.js';
import { FindingRecorder } from '../detect/findingRecords.js';
import { objectReads, readThreads, type ObjectReadsOptions } from '../detect/objectReads.js';
import {
  compileOptions,
  fromEnv,
  readPeerGroups,
  wholeNumber,
  withDetectionOptions,
} from '../detect/detectionOptions.js';
import type { FormatOutcome } from '../detect/readPool.js';
import { writeText, type CliContext } from '../context.js';
import { describeObject, describeTotals } from '../summary.js';

interface DetectOptions {
  timezone: string;
  format?: string;
  a1: string;
  a2: string;
  window: string;
  episodeGap: string;
  latenessHorizon: string;
  peerGroups?: string;
  episodes?: string;
  report?: string;
  quarantine?: string;
  progress: boolean;
  workers: string;
}

/** Input larger than this gets a progress bar on a terminal. */
const PROGRESS_BYTES = 32 << 20;

export interface ObjectOutcome {
  report: QualityReport;
  detection?: DetectionCounts;
}

export function registerDetectCommand(program: Command, context: CliContext): void {
  withDetectionOptions(
    program
      .command('detect')
      .description('detect anomalies in minute-bar CSV files (plain or gzipped), in the order given')
      .argument('<files...>', 'CSV files; state carries from one to the next, in any order')
      .option(
        '--timezone <tz>',
        'exchange time zone for timestamps without an offset',
        DEFAULT_PARAMETERS.timezone,
      )
      .addOption(
        new Option(
          '--format <format>',
          'alerts on stdout (default: table on a terminal, jsonl otherwise)',
        ).choices(['jsonl', 'csv', 'table']),
      )
      .option('--a1 <threshold>', 'A1: relative price move that fires', DEFAULT_PARAMETERS.a1)
      .option(
        '--a2 <threshold>',
        'A2: relative volume excess over the window mean that fires',
        DEFAULT_PARAMETERS.a2,
      ),
  )
    .option('--episodes <file>', 'write the episodes (JSON lines, or CSV when the name ends in .csv)')
    .option('--report <file>', 'write the per-object quality reports (JSON)')
    .option('--quarantine <file>', 'write the set-aside rows (CSV: object, line, reason, detail, raw)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--workers <n>',
      'threads that read files ahead while the rules run in order (1: all on the main thread)',
      String(availableParallelism()),
    )
    .action(async (files: string[], options: DetectOptions) => {
      await runDetect(files, options, context);
    });
}

async function runDetect(files: string[], options: DetectOptions, context: CliContext): Promise<void> {
  const config = compileOptions(options);
  const workers = readThreads(wholeNumber('workers', options.workers), files.length);
  const limits: IngestLimits = fromEnv(ingestLimitsFromEnv, context.env);
  // One clock for the whole run, taken as it starts: every object is judged against the same time.
  const clock: ReaderClock = readerClock(Date.now(), fromEnv(futureSkewMinutesFromEnv, context.env));
  const format: AlertFormat =
    options.format !== undefined && isAlertFormat(options.format)
      ? options.format
      : context.stdout.isTTY
        ? 'table'
        : 'jsonl';

  const sizes = await Promise.all(
    files.map((file) =>
      stat(file).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  // Loaded only when shown: a quarter of the start-up time of a small run.
  const progress =
    options.progress && context.stderr.isTTY && totalBytes > PROGRESS_BYTES
      ? new (await import('cli-progress')).SingleBar({
          stream: context.stderr,
          format: 'reading {bar} {percentage}% | {value}/{total} MB | {file}',
          hideCursor: true,
        })
      : undefined;
  progress?.start(Math.ceil(totalBytes / 1e6), 0, { file: '' });
  let bytesRead = 0;

  const output = alertOutput(format);
  // With workers, the lines of JSON and CSV are written by the worker that read the object, from the findings
  // the rules record here (a table is written from alerts, here, at the end).
  const lineWorkers = workers > 1 && format !== 'table';
  const recorder = lineWorkers ? new FindingRecorder() : undefined;
  const episodes = options.episodes === undefined ? undefined : new EpisodeCollector(recorder ?? output);
  // Episodes are written with their suspicion score, which follows every bar the rules run on.
  const scoring =
    episodes === undefined
      ? undefined
      : new DetectionScoring(config.episodeGapMinutes, await readPeerGroups(options.peerGroups));
  const detection = new ObjectSeriesDetection(
    config,
    episodes ?? recorder ?? output,
    undefined,
    scoring?.observe,
  );
  /** The lines being written, in the order of the objects: each symbol's come out in minute order. */
  const linesToCome: Array<Promise<FormatOutcome>> = [];
  const outcomes: ObjectOutcome[] = [];
  const setAside: Array<{ object: string; row: SetAsideRow }> = [];
  /** Per file, its summary line, or the outcome it is made of once the counts are final. */
  const summaries: Array<string | ObjectOutcome> = [];
  /** The objects the rules took, by their index in the detection, to read again if need be. */
  const added: AddedFile[] = [];
  const readOptions: ObjectReadsOptions = {
    workers,
    timezone: options.timezone,
    zone: config.zone,
    limits,
    clock,
    onBytes: (n) => {
      bytesRead += n;
      progress?.update(Math.floor(bytesRead / 1e6));
    },
  };
  const reads = objectReads(files, { ...readOptions, ...(lineWorkers ? { lines: format } : {}) });
  let fileIndex = 0;
  for await (const { object, outcome, formatLines } of reads) {
    const file = files[fileIndex]!;
    const size = sizes[fileIndex++]!;
    progress?.update(Math.floor(bytesRead / 1e6), { file: object });
    try {
      if (!outcome.ok) throw outcome.error;
      const bars = outcome.bars;
      const index = added.length;
      added.push(undefined);
      const counts = detection.addObject(bars, { object });
      added[index] = { file, size, report: bars.report };
      const taken = { report: bars.report, detection: counts };
      outcomes.push(taken);
      for (const row of bars.setAside) setAside.push({ object, row });
      summaries.push(taken);
    } catch (error) {
      const message = rejectionMessage(error);
      context.exitCode = 1;
      outcomes.push({ report: rejectedReport(object, message, error) });
      summaries.push(failureLine(object, error));
    } finally {
      // Also what the rules found before a bug stopped them, as on the main thread.
      const records = recorder?.take();
      if (records !== undefined && records.length > 0 && outcome.ok && formatLines !== undefined) {
        linesToCome.push(formatLines(outcome.bars.table, records));
      }
    }
  }
  for (const written of linesToCome) {
    const result = await written;
    // A failure here is a bug in writing lines, which the main thread would have met inside the rules' run.
    if (!result.ok) throw result.error;
    for (const [symbol, bytes] of result.lines) output.addLines(symbol, bytes);
  }

  const disordered = new Set(detection.disorderedSymbols());
  // Their alerts and episodes so far are replaced by those of the second pass.
  for (const symbol of disordered) output.withdraw(symbol);
  const replayedEpisodes = episodes === undefined ? undefined : new EpisodeCollector(output);
  if (disordered.size > 0) {
    const again = added.flatMap((entry, index) =>
      entry !== undefined && entry.report.symbols.some((symbol) => disordered.has(symbol))
        ? [{ ...entry, index }]
        : [],
    );
    progress?.setTotal(Math.ceil((totalBytes + again.reduce((sum, entry) => sum + entry.size, 0)) / 1e6));
    await replayObjects(detection, again, readOptions);
    detection.finishReplay(replayedEpisodes ?? output);
  }
  progress?.stop();

  try {
    for (const chunk of output.chunks()) await writeText(context.stdout, chunk);
  } finally {
    output.close();
  }
  for (const summary of summaries) {
    const line = typeof summary === 'string' ? summary : describeObject(summary.report, summary.detection!);
    context.stderr.write(`${line}\n`);
  }
  if (files.length > 1) context.stderr.write(`${describeTotals(outcomes)}\n`);

  if (options.report !== undefined) await writeFile(options.report, `${JSON.stringify(outcomes, null, 2)}\n`);
  if (options.quarantine !== undefined) await writeFile(options.quarantine, quarantineCsv(setAside));
  if (options.episodes !== undefined && episodes !== undefined && scoring !== undefined) {
    const kept = episodes.episodes().filter((episode) => !disordered.has(episode.symbol));
    const all = [...kept, ...(replayedEpisodes?.episodes() ?? [])].sort(compareEpisodes);
    await writeFile(options.episodes, episodesText(all, scoring.scores(), options.episodes.endsWith('.csv')));
  }
}

/** A file the rules took; `undefined` where the rules failed on it (a bug), which is not read again. */
type AddedFile = { file: string; size: number; report: QualityReport } | undefined;

/**
 * The second pass: reads again, in the order given, the files that hold a disordered symbol, for the detection
 * to replay (only those symbols' bars are kept).
 * @throws Error when a file no longer reads as it did: what was detected of it would not match
 */
async function replayObjects(
  detection: ObjectSeriesDetection,
  objects: ReadonlyArray<{ file: string; report: QualityReport; index: number }>,
  options: ObjectReadsOptions,
): Promise<void> {
  let next = 0;
  for await (const { object, outcome } of objectReads(
    objects.map((entry) => entry.file),
    options,
  )) {
    const { report, index } = objects[next++]!;
    if (!outcome.ok) {
      throw new Error(`${object}: could not be read again: ${rejectionMessage(outcome.error)}`);
    }
    if (JSON.stringify(outcome.bars.report) !== JSON.stringify(report)) {
      throw new Error(`${object} changed while detect was reading it; run it again`);
    }
    detection.replayObject(index, outcome.bars);
  }
}

/** The episodes with their scores (contract §6): JSON lines, or CSV with each factor's points in a column. */
function episodesText(episodes: Episode[], scores: ReadonlyMap<string, ScoredEpisode>, csv: boolean): string {
  const scoreOf = (episode: Episode) => {
    const scored = scores.get(episodeKey(episode.symbol, episode.start));
    // Every episode the rules made was followed: a missing score is a bug, not a property of the data.
    if (scored === undefined)
      throw new Error(`no score for the episode ${episode.symbol} at ${episode.start}`);
    return scored.score;
  };
  if (!csv) {
    return episodes
      .map((episode) => {
        const { score, baseline, factors, alerts } = scoreOf(episode);
        const line = {
          ...episode,
          score,
          scoreBaseline: baseline,
          scoreFactors: factors,
          scoreAlerts: alerts,
        };
        return `${JSON.stringify(line)}\n`;
      })
      .join('');
  }
  const rows = episodes.map((e) => {
    const score = scoreOf(e);
    const points = SCORE_FACTORS.map((id) => score.factors.find((factor) => factor.factor === id)!.points);
    return [
      spreadsheetText(e.symbol),
      e.start,
      e.end,
      e.count,
      e.a1,
      e.a2,
      e.peakSeverity ?? '',
      score.score,
      score.baseline,
      ...points,
    ].join(',');
  });
  return [EPISODE_CSV_COLUMNS.join(','), ...rows].map((line) => `${line}\n`).join('');
}

/**
 * The summary line of an object that yielded nothing: rejected by the contract, unreadable, or hit by a bug,
 * which is called one (the file is not at fault) rather than passed off as a problem with the data.
 */
export function failureLine(object: string, error: unknown): string {
  if (isProgrammingError(error)) {
    return `${object}: FAILED: ${describeError(error)} (a bug in stock-anomalies, not a problem with the file)`;
  }
  return `${object}: REJECTED: ${rejectionMessage(error)}`;
}

function rejectionMessage(error: unknown): string {
  if (isProgrammingError(error)) return describeError(error);
  if (error instanceof ObjectRejectedError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  if (error instanceof Error) return error.message;
  return String(error);
}

function rejectedReport(object: string, message: string, error: unknown): QualityReport {
  const missingColumns = error instanceof ObjectRejectedError ? error.missingColumns : undefined;
  return {
    ...emptyReport(object),
    status: 'rejected',
    error: message,
    ...(missingColumns ? { missingColumns } : {}),
  };
}
