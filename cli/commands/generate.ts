/**
 * `stock-anomalies generate`: a synthetic minute-bar data set in the real data set's layout, with planted
 * faults at known rates and a manifest.json of what was planted and what a correct reader must report.
 */
import { Command, InvalidArgumentError } from 'commander';
import { parseDate } from '../generate/calendar.js';
import type { Manifest } from '../generate/manifest.js';
import { generateDataset, type GenerateOptions } from '../generate/writeDataset.js';

export { generateDataset, GenerateOptionsError, type GenerateOptions } from '../generate/writeDataset.js';
export type { FileManifest, Manifest, PlantedItem } from '../generate/manifest.js';

function wholeNumber(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    }
    return value;
  };
}

function nonNegative(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number ≥ 0');
  }
  return value;
}

function isoDate(text: string): string {
  try {
    parseDate(text);
  } catch {
    throw new InvalidArgumentError('expected a calendar date, YYYY-MM-DD');
  }
  return text;
}

/** The one-line summary printed on stderr. */
export function summaryLine(manifest: Manifest, out: string, seconds: number): string {
  const { totals, options } = manifest;
  const { expected } = totals;
  const figures = [
    `${expected.bad.count} bad`,
    `${expected.duplicates.count} duplicates`,
    `${expected.gaps.count} gaps`,
    `${expected.outOfOrder} out of order`,
  ].join(', ');
  return (
    `generated ${totals.files} files (${options.symbols} symbols × ${options.days} days from ${options.start}, ` +
    `seed ${options.seed}, fault rate ${options.faultRate}): ${totals.bars} bars, ${expected.dataRows} data rows ` +
    `(${figures}) in ${out} in ${seconds.toFixed(2)} s`
  );
}

interface GenerateFlags {
  out: string;
  symbols: number;
  days: number;
  seed: number;
  start: string;
  faultRate: number;
  gzip: boolean;
}

export function registerGenerateCommand(program: Command): Command {
  return program
    .command('generate')
    .description(
      'write a synthetic NSE minute-bar data set (one CSV per stock) with planted faults and a manifest.json ' +
        'of the quality figures a correct reader must report',
    )
    .option('--out <dir>', 'output directory', 'data/generated')
    .option('--symbols <n>', 'number of stocks', wholeNumber(1), 10)
    .option('--days <n>', 'trading days (weekdays) per stock', wholeNumber(1), 5)
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', wholeNumber(0), 1)
    .option('--start <date>', 'first trading day, YYYY-MM-DD', isoDate, '2017-01-02')
    .option('--fault-rate <r>', 'scales every fault rate (0 = clean data)', nonNegative, 1)
    .option('--gzip', 'write .csv.gz files', false)
    .action(async (flags: GenerateFlags) => {
      const started = performance.now();
      const options: GenerateOptions = { ...flags };
      const manifest = await generateDataset(options);
      process.stderr.write(`${summaryLine(manifest, flags.out, (performance.now() - started) / 1000)}\n`);
    });
}
