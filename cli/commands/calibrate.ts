/**
 * `stock-anomalies calibrate FILE...`: what other thresholds would give on the same data, before anyone changes
 * them. For every combination of the lists of A1 thresholds, A2 thresholds and minimum scores it prints the alerts
 * and episodes a day and, given the truth of the data (a truth file, shared/core/truthFile.ts), the recall and the
 * average precision of the episodes' ranking (shared/core/rankingQuality.ts).
 *
 * Each file is read once, and its bars go through one detection per pair of thresholds (calibration.ts): the cost
 * of reading and parsing, most of detect's, is paid once however many settings there are. As in `detect`, a
 * symbol whose bars come out of minute order across the files is detected again from the files that hold it,
 * which are read a second time (once, for every setting).
 */
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import { DEFAULT_PARAMETERS, type DetectionConfig } from '../../shared/core/detectionParameters.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readerClock } from '../../shared/core/readerClock.js';
import type { QualityReport } from '../../shared/core/report.js';
import { parseTruthCsv, TruthFileError, TRUTH_COLUMNS, type Truth } from '../../shared/core/truthFile.js';
import { Calibration, type Thresholds } from '../calibrate/calibration.js';
import {
  calibrationText,
  CALIBRATION_FORMATS,
  isCalibrationFormat,
  type CalibrationFormat,
} from '../calibrate/calibrationOutput.js';
import { decimalList, fractionOfPercent, scoreList } from '../calibrate/settings.js';
import { writeText, type CliContext } from '../context.js';
import {
  compileOptions,
  fromEnv,
  readPeerGroups,
  wholeNumber,
  withDetectionOptions,
} from '../detect/detectionOptions.js';
import { objectReads, readThreads, type ObjectReadsOptions } from '../detect/objectReads.js';
import { UsageError } from '../usageError.js';
import { failureLine } from './detect.js';

interface CalibrateOptions {
  a1: string;
  a2: string;
  minScore: string;
  truth?: string;
  format?: string;
  timezone: string;
  window: string;
  episodeGap: string;
  latenessHorizon: string;
  peerGroups?: string;
  progress: boolean;
  workers: string;
}

/** Work (megabytes read, times the detections that run over them) past which a terminal gets a progress bar. */
const PROGRESS_MB = 32;

const HELP = `
Settings: every combination of --a1, --a2 and --min-score (A1 slowest, then A2). Each file is read once; its bars
go through one detection per pair of thresholds.

Figures per setting, of the episodes that pass the minimum score (score >= it) and the alerts inside them:
  alerts/day, episodes/day  divided by the days with bars: the distinct UTC days on which some file has a bar
  recall                    (with --truth) planted events inside some passing episode, of all planted
  avg precision             (with --truth) of the passing episodes ranked by suspicion score, the highest
                            first (ties by peak severity): the mean over the planted events of the precision at
                            the rank where each is first found (0 when none is); an episode finds an event of
                            its symbol whose minutes overlap its own

Truth file (--truth): CSV with the header ${TRUTH_COLUMNS.join(',')}, one event a line:
  pump-and-dump,ACME,2021-01-04T05:10Z,2021-01-04T05:39Z,true
  market-shock,,2021-01-05T07:00Z,2021-01-05T07:00Z,false
  start and end are the event's first and last minutes (ISO 8601 UTC); planted is true for what the ranking
  should find, false for a legitimate hard case (only these may have an empty symbol: market-wide). bench:ranking
  writes one beside each market (truth.csv); given among FILE too (as *.csv would), it is skipped there.

Output: a table on a terminal, JSON otherwise (--format table|csv|json). Exit 0, 1 when a file was rejected (the
others are still used; stderr names it), 2 for a usage error or a bad truth file.
`;

export function registerCalibrateCommand(program: Command, context: CliContext): void {
  withDetectionOptions(
    program
      .command('calibrate')
      .description('alerts and episodes a day, recall and average precision, for several thresholds at once')
      .argument('<files...>', 'CSV files, as for detect')
      .option('--a1 <list>', 'A1 thresholds to try, in percent (comma-separated)', '0.5')
      .option('--a2 <list>', 'A2 thresholds to try, in percent (comma-separated)', '2')
      .option('--min-score <list>', 'minimum suspicion scores to try, 0 to 100 (comma-separated)', '0')
      .option('--truth <file>', 'the events known to be in the data (CSV, see below)')
      .addOption(
        new Option('--format <format>', 'output (default: table on a terminal, json otherwise)').choices(
          CALIBRATION_FORMATS,
        ),
      )
      .option(
        '--timezone <tz>',
        'exchange time zone for timestamps without an offset',
        DEFAULT_PARAMETERS.timezone,
      ),
  )
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--workers <n>',
      'threads that read files ahead (1: all on the main thread)',
      String(availableParallelism()),
    )
    .addHelpText('after', HELP)
    .action(async (files: string[], options: CalibrateOptions) => {
      await runCalibrate(files, options, context);
    });
}

/** The pairs of thresholds, each compiled; the minimum scores. @throws UsageError */
function settingsOf(options: CalibrateOptions): { pairs: Thresholds[]; minScores: number[] } {
  const a1Pcts = decimalList('--a1', options.a1, 'percent');
  const a2Pcts = decimalList('--a2', options.a2, 'percent');
  const minScores = scoreList(options.minScore);
  const pairs = a1Pcts.flatMap((a1Pct) =>
    a2Pcts.map((a2Pct) => {
      const config: DetectionConfig = compileOptions({
        ...options,
        a1: fractionOfPercent(a1Pct),
        a2: fractionOfPercent(a2Pct),
      });
      return { a1Pct, a2Pct, config };
    }),
  );
  return { pairs, minScores };
}

/** @throws UsageError naming the file, and the line and what is wrong */
async function readTruth(file: string): Promise<Truth> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--truth ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return parseTruthCsv(text);
  } catch (error) {
    if (error instanceof TruthFileError) throw new UsageError(`--truth ${file}: ${error.message}`);
    throw error;
  }
}

/** A file the detections took, by its index among the objects added, to read again if need be. */
interface AddedFile {
  file: string;
  size: number;
  report: QualityReport;
  index: number;
}

async function runCalibrate(given: string[], options: CalibrateOptions, context: CliContext): Promise<void> {
  const { pairs, minScores } = settingsOf(options);
  const truth = options.truth === undefined ? undefined : await readTruth(options.truth);
  const peerGroups = await readPeerGroups(options.peerGroups);
  const format: CalibrationFormat =
    options.format !== undefined && isCalibrationFormat(options.format)
      ? options.format
      : context.stdout.isTTY
        ? 'table'
        : 'json';
  // `--truth DIR/truth.csv DIR/*.csv` names the truth among the data: it is not data.
  const truthPath = options.truth === undefined ? undefined : resolve(options.truth);
  const files = given.filter((file) => resolve(file) !== truthPath);
  if (files.length < given.length)
    context.stderr.write(`${options.truth}: the truth file, not read as data\n`);
  if (files.length === 0) throw new UsageError('no data files given (only the truth file)');
  const workers = readThreads(wholeNumber('workers', options.workers), files.length);
  const limits: IngestLimits = fromEnv(ingestLimitsFromEnv, context.env);
  const clock = readerClock(Date.now(), fromEnv(futureSkewMinutesFromEnv, context.env));

  const sizes = await Promise.all(
    files.map((file) =>
      stat(file).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const totalMb = sizes.reduce((a, b) => a + b, 0) / 1e6;
  // The work: reading each megabyte, then running each pair's rules over it.
  const perMb = 1 + pairs.length;
  const progress =
    options.progress && context.stderr.isTTY && totalMb * pairs.length > PROGRESS_MB
      ? new (await import('cli-progress')).SingleBar({
          stream: context.stderr,
          format: `calibrating ${pairs.length} pairs of thresholds {bar} {percentage}% | {file}`,
          hideCursor: true,
        })
      : undefined;
  progress?.start(Math.ceil(totalMb * perMb), 0, { file: '' });
  let done = 0;
  const advance = (mb: number) => {
    done += mb;
    progress?.update(Math.floor(done));
  };

  const calibration = new Calibration(pairs, peerGroups);
  const added: AddedFile[] = [];
  const readOptions: ObjectReadsOptions = {
    workers,
    timezone: options.timezone,
    zone: pairs[0]!.config.zone,
    limits,
    clock,
    onBytes: (bytes) => advance(bytes / 1e6),
  };
  const failures: string[] = [];
  let bars = 0;
  let fileIndex = 0;
  for await (const { object, outcome } of objectReads(files, readOptions)) {
    const file = files[fileIndex]!;
    const size = sizes[fileIndex++]!;
    if (!outcome.ok) {
      context.exitCode = 1;
      failures.push(failureLine(object, outcome.error));
      continue;
    }
    progress?.update(Math.floor(done), { file: object });
    calibration.addObject(outcome.bars, () => advance(size / 1e6));
    added.push({ file, size, report: outcome.bars.report, index: added.length });
    bars += outcome.bars.report.accepted;
  }

  const disordered = new Set(calibration.disorderedSymbols());
  if (disordered.size > 0) {
    const again = added.filter((entry) => entry.report.symbols.some((symbol) => disordered.has(symbol)));
    progress?.setTotal(Math.ceil((totalMb + again.reduce((sum, e) => sum + e.size, 0) / 1e6) * perMb));
    await replayFiles(calibration, again, readOptions, (mb) => advance(mb * pairs.length));
  }
  calibration.finish();
  progress?.update(progress.getTotal());
  progress?.stop();

  const settings = calibration.figures(minScores, truth);
  const result = { days: calibration.days, planted: truth?.planted.length ?? null, settings };
  await writeText(context.stdout, calibrationText(result, format));
  for (const line of failures) context.stderr.write(`${line}\n`);
  const read = disordered.size > 0 ? 'read once (those with out-of-order symbols twice)' : 'read once';
  context.stderr.write(
    `${added.length} of ${files.length} files ${read}: ${bars.toLocaleString('en-US')} bars on ${calibration.days} days, ` +
      `${settings.length} settings\n`,
  );
}

/**
 * The second pass: the files that hold a disordered symbol, read again in the order given, for every detection
 * to replay.
 * @throws Error when a file no longer reads as it did
 */
async function replayFiles(
  calibration: Calibration,
  again: readonly AddedFile[],
  options: ObjectReadsOptions,
  onDetected: (mb: number) => void,
): Promise<void> {
  let next = 0;
  for await (const { object, outcome } of objectReads(
    again.map((entry) => entry.file),
    options,
  )) {
    const { report, index, size } = again[next++]!;
    if (!outcome.ok || JSON.stringify(outcome.bars.report) !== JSON.stringify(report)) {
      throw new Error(`${object} changed while calibrate was reading it; run it again`);
    }
    calibration.replayObject(index, outcome.bars);
    onDetected(size / 1e6);
  }
}
