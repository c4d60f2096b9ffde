/**
 * `stock-anomalies detect FILE...`: the whole contract on local files, no infrastructure. Files are read in
 * the order given, each symbol's state carried across them. A symbol whose bars do not come in minute order
 * across the files is detected again at the end from the files that hold it, read a second time (contract §2:
 * the alerts are those of each symbol's bars in minute order, whatever the order of the files).
 */
import { closeSync, openSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import { ObjectSeriesDetection, sortedKeys } from '../../shared/core/objectSeriesDetection.js';
import { DEFAULT_PARAMETERS } from '../../shared/core/detectionParameters.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readerClock, type ReaderClock } from '../../shared/core/readerClock.js';
import { QUARANTINE_HEADER, quarantineRows } from '../../shared/core/quarantine.js';
import { DoneEpisodes } from '../../shared/core/suspicion/doneEpisodes.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { emptyReport, ObjectRejectedError, type QualityReport } from '../../shared/core/report.js';
import type { DetectionCounts } from '../../shared/core/rules.js';
import { describeError, isProgrammingError } from '../../shared/errors.js';
import { alertOutput, isAlertFormat, type AlertFormat, type AlertOutput } from '../output/alertFormats.js';
import { DetectProgress } from '../detect/detectProgress.js';
import { EpisodeSpill } from '../detect/episodeSpill.js';
import { scoreWorkersAvailable, writeScoredLines } from '../detect/scorePool.js';
import { addRecordLines, EPISODE_CSV_HEADER } from '../output/episodeLines.js';
import { writeAll } from '../output/fdBytes.js';
import { LineBytes } from '../output/lineBytes.js';
import { FindingRecorder } from '../detect/findingRecords.js';
import { OutputTurn } from '../detect/outputTurn.js';
import { lastFileOfEach } from '../detect/fileSymbols.js';
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
      'threads that read files ahead while the rules run in order, and score --episodes (1: all on the main thread)',
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
  // cli-progress is loaded only when shown: a quarter of the start-up time of a small run.
  const progress = await DetectProgress.start(context.stderr, options.progress, totalBytes, files.length);

  const output = alertOutput(format);
  // Episodes are written with their suspicion score, which follows every bar the rules run on; each is set
  // aside in a temporary file once done, to be scored when the market's minutes are complete.
  const spill = options.episodes === undefined ? undefined : new EpisodeSpill();
  // The workers' files of lines are in its temporary directory, and the episodes in the spill's: deleted
  // however the run ends.
  try {
    // With workers, the lines of JSON and CSV are written by the worker that read the object, from the findings
    // the rules record here (a table is written from alerts, here, at the end).
    const lineWorkers = workers > 1 && format !== 'table';
    const recorder = lineWorkers ? new FindingRecorder() : undefined;
    const scoring =
      spill === undefined
        ? undefined
        : new DoneEpisodes(config.episodeGapMinutes, await readPeerGroups(options.peerGroups), spill);
    const collector = recorder ?? output;
    const detection = new ObjectSeriesDetection(
      config,
      scoring?.collector(collector) ?? collector,
      undefined,
      scoring?.observe,
      scoring?.takeBack,
    );
    const linesToCome = new LinesToCome(output, workers + 1, (records) => recorder?.giveBack(records));
    // With files of one symbol each, named for it, a symbol's alerts are written out once its last file is done:
    // where the output is a file or a device, by the worker that has its lines, straight, once the symbol's turn
    // has come (outputTurn.ts); else copied out of the workers' files here. Not copied early with --episodes: the
    // copy's buffers would add to its peak, which is in the reading and near 512 MiB at the seed's scale (483 ->
    // 492 MiB in one pair of runs, for 4 s of 97 with the alerts to a file).
    const straightOut = lineWorkers && context.stdoutFd !== undefined;
    const lastFiles =
      format === 'table' || (options.episodes !== undefined && !straightOut)
        ? undefined
        : await lastFileOfEach(files, { zone: config.zone, limits, clock });
    const turn = straightOut && lastFiles !== undefined ? new OutputTurn() : undefined;
    const early =
      lastFiles === undefined
        ? undefined
        : new SymbolsWrittenEarly(
            lastFiles,
            output,
            context.stdout,
            () => detection.disorderedSymbols(),
            turn,
          );
    // The header comes before any worker's lines.
    if (turn !== undefined) for (const chunk of output.header()) await writeText(context.stdout, chunk);
    const outcomes: ObjectOutcome[] = [];
    const quarantined: string[] = [];
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
      onBytes: (n) => progress?.read(n),
    };
    const straight = turn === undefined ? {} : { output: { fd: context.stdoutFd!, turn: turn.buffer } };
    const reads = objectReads(files, {
      ...readOptions,
      ...(lineWorkers ? { lines: { format, directory: output.linesDirectory(), ...straight } } : {}),
    });
    /** Hands the output the lines written so far, and writes out every symbol complete before file `next`. */
    const takeWritten = async (next: number) => {
      await linesToCome.takeWritten();
      if (early !== undefined) await early.writeOut(linesToCome.oldestAwaited() ?? next);
    };
    let fileIndex = 0;
    for await (const { object, outcome, formatLines } of reads) {
      const file = files[fileIndex]!;
      const size = sizes[fileIndex++]!;
      /** The object's symbol's place in the output, when its lines may go straight out. */
      let ticket: number | undefined;
      try {
        if (!outcome.ok) throw outcome.error;
        const bars = outcome.bars;
        const index = added.length;
        added.push(undefined);
        const counts = detection.addObject(bars, { object });
        ticket = turn === undefined ? undefined : early!.ticketOf(bars.report.symbols, fileIndex - 1);
        added[index] = { file, size, report: bars.report };
        const taken = { report: bars.report, detection: counts };
        outcomes.push(taken);
        // Kept as the text to write, and only to be written: the rows themselves held on to the text they were
        // read from (about 9 KB a row on one thread, 360 MiB for the 42,000 of three years of 150 symbols).
        if (options.quarantine !== undefined) {
          quarantined.push(quarantineRows(bars.setAside.map((row) => ({ object, row }))));
        }
        summaries.push(taken);
        progress?.objectDone(object, bars.report.accepted);
      } catch (error) {
        const message = rejectionMessage(error);
        context.exitCode = 1;
        outcomes.push({ report: rejectedReport(object, message, error) });
        summaries.push(failureLine(object, error));
        progress?.objectDone(object, 0);
      } finally {
        // Also what the rules found before a bug stopped them, as on the main thread.
        const records = recorder?.take();
        // What the workers wrote meanwhile goes out first, so that this object's lines may go straight out: if
        // the turn waited for this thread to copy the lines before them, it would miss them, and every object's
        // after them, for as long as the copies ran a step behind (a third of the seed's in one run).
        await takeWritten(fileIndex - 1);
        if (records !== undefined && records.length > 0 && outcome.ok && formatLines !== undefined) {
          linesToCome.push(fileIndex - 1, formatLines(outcome.bars.table, records, ticket));
        }
      }
      await takeWritten(fileIndex);
    }
    await linesToCome.takeAll();
    // Every worker is done writing: the rest comes out from here.
    turn?.stop();

    const disordered = new Set(detection.disorderedSymbols());
    // Their alerts and episodes so far are replaced by those of the second pass.
    for (const symbol of disordered) output.withdraw(symbol);
    if (disordered.size > 0) {
      const again = added.flatMap((entry, index) =>
        entry !== undefined && entry.report.symbols.some((symbol) => disordered.has(symbol))
          ? [{ ...entry, index }]
          : [],
      );
      progress?.more(
        again.reduce((sum, entry) => sum + entry.size, 0),
        again.length,
      );
      await replayObjects(detection, again, readOptions, progress);
      detection.finishReplay(scoring?.collector(output) ?? output);
    }
    scoring?.finish();
    progress?.stop();

    for (const chunk of output.chunks()) await writeText(context.stdout, chunk);
    output.close();
    for (const summary of summaries) {
      const line = typeof summary === 'string' ? summary : describeObject(summary.report, summary.detection!);
      context.stderr.write(`${line}\n`);
    }
    if (files.length > 1) context.stderr.write(`${describeTotals(outcomes)}\n`);

    if (options.report !== undefined)
      await writeFile(options.report, `${JSON.stringify(outcomes, null, 2)}\n`);
    if (options.quarantine !== undefined)
      await writeFile(options.quarantine, [QUARANTINE_HEADER, ...quarantined].join(''));
    if (options.episodes !== undefined && spill !== undefined && scoring !== undefined) {
      await writeEpisodes(options.episodes, spill, scoring, workers, options.episodes.endsWith('.csv'));
    }
  } finally {
    output.close();
    spill?.close();
  }
}

/**
 * The lines the workers are writing, in the order of the objects (each symbol's come out in minute order),
 * handed to the output as soon as they are written and it is their turn: held until the end, they were the
 * run's memory (the whole output's text, 170 bytes a bar). At most `limit` objects' lines are awaited at once;
 * past that the rules wait for the oldest, so that memory follows the objects in flight, not the input.
 */
class LinesToCome {
  readonly #queue: Array<{ object: number; written: Promise<FormatOutcome>; outcome?: FormatOutcome }> = [];

  /** @param giveBack takes each object's records back, once its lines are written */
  constructor(
    private readonly output: AlertOutput,
    private readonly limit: number,
    private readonly giveBack: (records: Float64Array) => void,
  ) {}

  /** The lines of the object at `object` (its index in the files), being written. */
  push(object: number, written: Promise<FormatOutcome>): void {
    const entry: { object: number; written: Promise<FormatOutcome>; outcome?: FormatOutcome } = {
      object,
      written,
    };
    void written.then((outcome) => (entry.outcome = outcome));
    this.#queue.push(entry);
  }

  /** The index of the oldest object whose lines are still awaited, if any: every one before it is in the output. */
  oldestAwaited(): number | undefined {
    return this.#queue[0]?.object;
  }

  /** Hands over the lines written so far, in order; waits for the oldest only past the limit. */
  async takeWritten(): Promise<void> {
    while (this.#queue.length > 0) {
      const oldest = this.#queue[0]!;
      if (oldest.outcome === undefined && this.#queue.length <= this.limit) return;
      this.#add(await oldest.written);
      this.#queue.shift();
    }
  }

  async takeAll(): Promise<void> {
    while (this.#queue.length > 0) {
      this.#add(await this.#queue[0]!.written);
      this.#queue.shift();
    }
  }

  #add(outcome: FormatOutcome): void {
    // A failure here is a bug in writing lines, which the main thread would have met inside the rules' run.
    if (!outcome.ok) throw outcome.error;
    this.giveBack(outcome.records);
    for (const [symbol, spans] of outcome.lines) {
      for (let i = 0; i < spans.length; i += 2) {
        this.output.addWritten(symbol, outcome.file, spans[i]!, spans[i + 1]!);
      }
    }
  }
}

/**
 * Writes each symbol's alerts out, in the output's order (symbols in code-unit order), as soon as every file that
 * holds it, and every file that holds a symbol before it, is detected and its lines are in the output: with files
 * of one symbol each, the copy out of the temporary files runs beside the reading instead of after it. Stops for good
 * at a symbol found disordered: its alerts are detected again at the end, and every symbol after it waits for them.
 */
class SymbolsWrittenEarly {
  readonly #order: string[];
  /** Each symbol's place in {@link #order}. */
  readonly #places: Map<string, number>;
  #next = 0;
  #stopped = false;

  /**
   * @param lastFiles each symbol's last file, by its index (fileSymbols.ts)
   * @param disordered the symbols found out of order across their files so far
   */
  constructor(
    private readonly lastFiles: ReadonlyMap<string, number>,
    private readonly output: AlertOutput,
    private readonly stdout: NodeJS.WritableStream,
    private readonly disordered: () => string[],
    private readonly turn?: OutputTurn,
  ) {
    this.#order = sortedKeys(lastFiles);
    this.#places = new Map(this.#order.map((symbol, place) => [symbol, place]));
  }

  /**
   * The ticket (outputTurn.ts) of the object at index `file` holding `symbols`, once the rules have run over it:
   * its symbol's place in the output, when it holds one symbol, it is that symbol's last file and the symbol is
   * in order so far (so its lines are final); undefined otherwise.
   */
  ticketOf(symbols: readonly string[], file: number): number | undefined {
    if (this.#stopped || symbols.length !== 1) return undefined;
    const symbol = symbols[0]!;
    if (this.lastFiles.get(symbol) !== file || this.disordered().includes(symbol)) return undefined;
    return this.#places.get(symbol);
  }

  /** Writes out the symbols all of whose files are before index `done`. */
  async writeOut(done: number): Promise<void> {
    let found: Set<string> | undefined;
    while (!this.#stopped && this.#next < this.#order.length) {
      const symbol = this.#order[this.#next]!;
      if (this.lastFiles.get(symbol)! >= done) return;
      // A symbol's order across its files is known once its last file is detected.
      found ??= new Set(this.disordered());
      if (found.has(symbol)) {
        this.#stopped = true;
        this.turn?.stop();
        return;
      }
      // Nothing, if a worker wrote them straight out.
      for (const chunk of this.output.linesOf(symbol)) await writeText(this.stdout, chunk);
      this.#next++;
      this.turn?.reach(this.#next);
    }
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
  progress: DetectProgress | undefined,
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
    progress?.objectDone(object, outcome.bars.report.accepted);
  }
}

/**
 * Writes the episodes with their scores (contract §6) to `path`: JSON lines, or CSV with each factor's points in
 * a column. With more than one thread, scoring workers score them and write their lines (scorePool.ts), and this
 * thread writes those out in order. On one thread, the lines are encoded as they are made (LineBytes, as the
 * workers do) and written a batch at a time: the whole file's text at once, as one string and the lines it was
 * joined from, was the largest thing `detect --episodes` held (on 750,000 bars, on one thread, its peak was 957 MiB
 * with it and is 712 MiB without).
 */
async function writeEpisodes(
  path: string,
  spill: EpisodeSpill,
  scoring: DoneEpisodes,
  threads: number,
  csv: boolean,
): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    if (csv) writeAll(fd, Buffer.from(EPISODE_CSV_HEADER));
    if (threads > 1 && scoreWorkersAvailable()) {
      const market = scoring.sharedMarket();
      await writeScoredLines(spill, { market, csv }, threads, (bytes) => writeAll(fd, bytes));
      return;
    }
    // By symbol (in code-unit order) then start, each scored as it is read back.
    const lines = new LineBytes();
    const score = (figures: EpisodeFigures) => scoring.score(figures);
    for (const symbol of spill.symbols()) {
      for (const numbers of spill.records(symbol)) {
        addRecordLines(lines, symbol, numbers, score, csv);
        if (lines.size >= EPISODE_BYTES_A_WRITE) writeAll(fd, lines.take());
      }
    }
    if (lines.size > 0) writeAll(fd, lines.take());
  } finally {
    closeSync(fd);
  }
}

const EPISODE_BYTES_A_WRITE = 1 << 16;

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
