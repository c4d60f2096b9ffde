/**
 * An episode and the figures its score needs (contract §5, §6) as plain numbers, so that `detect --episodes` can
 * set them aside (in a temporary file) until the market's minutes are complete, instead of holding every episode
 * bar's figures as objects (about 600 bytes a bar). Each number is kept as the double it was, bit for bit (NaN,
 * -0 and all), so the score made from a record is the score made from the figures.
 *
 * A record: {@link HEADER} numbers, then {@link BAR} numbers for each of its bars.
 */
import type { EpisodeState } from '../symbolState.js';
import type { BaselineKind } from './baseline.js';
import type { EpisodeBar, EpisodeFigures } from './symbolScoring.js';

/** An episode's own figures (contract §5) beside its bars': as the rules keep it. */
export type EpisodeCounts = EpisodeState;

export const HEADER = 10;
export const BAR = 10;

const KINDS: readonly BaselineKind[] = ['usual', 'recent', 'none'];
/** Bits of a bar's flags. */
const ALERT = 1;
const NO_USUAL_VOLUME = 2;

/** The numbers a record of `bars` bars takes. */
export const recordLength = (bars: number) => HEADER + BAR * bars;

/** Writes the record of an episode into `into` at `at` (which must have {@link recordLength} room). */
export function writeRecord(
  into: Float64Array,
  at: number,
  counts: EpisodeCounts,
  figures: EpisodeFigures,
): void {
  into[at] = figures.bars.length;
  into[at + 1] = counts.start;
  into[at + 2] = counts.end;
  into[at + 3] = counts.count;
  into[at + 4] = counts.a1;
  into[at + 5] = counts.a2;
  into[at + 6] = counts.peakSeverity ?? Number.NaN;
  into[at + 7] = KINDS.indexOf(figures.baseline);
  into[at + 8] = figures.zeroShare;
  into[at + 9] = figures.closeMinute ?? Number.NaN;
  let i = at + HEADER;
  for (const bar of figures.bars) {
    into[i] = bar.minute;
    into[i + 1] = (bar.alert ? ALERT : 0) | (bar.usualVolume === null ? NO_USUAL_VOLUME : 0);
    into[i + 2] = bar.logReturn;
    into[i + 3] = bar.volatility;
    into[i + 4] = bar.volume;
    into[i + 5] = bar.surprise;
    into[i + 6] = bar.usualVolume ?? 0;
    into[i + 7] = bar.volumeSpread;
    into[i + 8] = bar.part.returnUnits;
    into[i + 9] = bar.part.surpriseUnits;
    i += BAR;
  }
}

/** The records in `numbers` (whole records, one after another), each as the episode and its figures. */
export function* readRecords(
  symbol: string,
  numbers: Float64Array,
): Generator<{ counts: EpisodeCounts; figures: EpisodeFigures }> {
  let at = 0;
  while (at < numbers.length) {
    const length = numbers[at]!;
    if (!(Number.isInteger(length) && length >= 0 && at + recordLength(length) <= numbers.length)) {
      throw new RangeError(`${symbol}: a record of episode figures is cut short at ${at} (a bug)`);
    }
    const peak = numbers[at + 6]!;
    const close = numbers[at + 9]!;
    const counts: EpisodeCounts = {
      start: numbers[at + 1]!,
      end: numbers[at + 2]!,
      count: numbers[at + 3]!,
      a1: numbers[at + 4]!,
      a2: numbers[at + 5]!,
      peakSeverity: Number.isNaN(peak) ? null : peak,
    };
    const bars: EpisodeBar[] = [];
    let i = at + HEADER;
    for (let b = 0; b < length; b++) {
      const flags = numbers[i + 1]!;
      bars.push({
        minute: numbers[i]!,
        alert: (flags & ALERT) !== 0,
        logReturn: numbers[i + 2]!,
        volatility: numbers[i + 3]!,
        volume: numbers[i + 4]!,
        surprise: numbers[i + 5]!,
        usualVolume: (flags & NO_USUAL_VOLUME) !== 0 ? null : numbers[i + 6]!,
        volumeSpread: numbers[i + 7]!,
        part: { returnUnits: numbers[i + 8]!, surpriseUnits: numbers[i + 9]! },
      });
      i += BAR;
    }
    const figures: EpisodeFigures = {
      symbol,
      start: counts.start,
      end: counts.end,
      baseline: KINDS[numbers[at + 7]!]!,
      zeroShare: numbers[at + 8]!,
      closeMinute: Number.isNaN(close) ? null : close,
      bars,
    };
    yield { counts, figures };
    at = i;
  }
}
