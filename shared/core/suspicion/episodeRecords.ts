/**
 * An episode and the figures its score needs (contract §5, §6) as plain numbers, so that `detect --episodes` can
 * set them aside (in a temporary file) until the market's minutes are complete, instead of holding every episode
 * bar's figures as objects (about 600 bytes a bar). Each number is kept as the double it was, bit for bit (NaN,
 * -0 and all), so the score made from a record is the score made from the figures.
 *
 * A record: {@link HEADER} numbers, then {@link BAR} numbers for each of its bars, then its table of
 * {@link BASELINE} numbers for each baseline its bars are measured against. The bars of a quarter hour share one
 * baseline, and a bar's return part follows from its log return: kept once, or not at all, they are not written
 * and read back for every bar (2.1 GB at the seed's scale before, 1.4 GB now; this machine's kernel takes 2 to 9 s
 * of CPU to write a GB, by the hour).
 */
import type { EpisodeState } from '../symbolState.js';
import type { BaselineKind } from './baseline.js';
import { returnUnitsOf } from './marketMinutes.js';
import type { EpisodeBar, EpisodeFigures } from './symbolScoring.js';

/** An episode's own figures (contract §5) beside its bars': as the rules keep it. */
export type EpisodeCounts = EpisodeState;

export const HEADER = 11;
export const BAR = 6;
/** A baseline in the table: the volatility, the usual volume and the volume's spread a bar is measured against. */
export const BASELINE = 3;

const KINDS: readonly BaselineKind[] = ['usual', 'recent', 'none'];
/** Bits of a bar's flags; its baseline's place in the table is the flags' number divided by {@link IN_TABLE}. */
const ALERT = 1;
const NO_USUAL_VOLUME = 2;
const IN_TABLE = 4;
/** The latest baselines of the table a bar's is looked for among: a bar's is nearly always its predecessor's. */
const LOOK_BACK = 4;

/** The most numbers a record of `bars` bars takes (each bar with a baseline of its own). */
export const maxRecordLength = (bars: number) => HEADER + (BAR + BASELINE) * bars;

/**
 * Writes the record of an episode into `into` at `at` (which must have {@link maxRecordLength} room).
 * @returns the numbers written
 */
export function writeRecord(
  into: Float64Array,
  at: number,
  counts: EpisodeCounts,
  figures: EpisodeFigures,
): number {
  const bars = figures.bars;
  into[at] = bars.length;
  into[at + 1] = counts.start;
  into[at + 2] = counts.end;
  into[at + 3] = counts.count;
  into[at + 4] = counts.a1;
  into[at + 5] = counts.a2;
  into[at + 6] = counts.peakSeverity ?? Number.NaN;
  into[at + 7] = KINDS.indexOf(figures.baseline);
  into[at + 8] = figures.zeroShare;
  into[at + 9] = figures.closeMinute ?? Number.NaN;
  const table = at + HEADER + BAR * bars.length;
  let baselines = 0;
  let i = at + HEADER;
  for (const bar of bars) {
    const usualVolume = bar.usualVolume ?? 0;
    let index = -1;
    for (let k = baselines - 1; k >= 0 && k >= baselines - LOOK_BACK; k--) {
      const t = table + BASELINE * k;
      if (
        Object.is(into[t], bar.volatility) &&
        Object.is(into[t + 1], usualVolume) &&
        Object.is(into[t + 2], bar.volumeSpread)
      ) {
        index = k;
        break;
      }
    }
    if (index < 0) {
      const t = table + BASELINE * baselines;
      into[t] = bar.volatility;
      into[t + 1] = usualVolume;
      into[t + 2] = bar.volumeSpread;
      index = baselines++;
    }
    into[i] = bar.minute;
    into[i + 1] =
      (bar.alert ? ALERT : 0) + (bar.usualVolume === null ? NO_USUAL_VOLUME : 0) + IN_TABLE * index;
    into[i + 2] = bar.logReturn;
    into[i + 3] = bar.volume;
    into[i + 4] = bar.surprise;
    into[i + 5] = bar.part.surpriseUnits;
    i += BAR;
  }
  into[at + 10] = baselines;
  return HEADER + BAR * bars.length + BASELINE * baselines;
}

/** The records in `numbers` (whole records, one after another), each as the episode and its figures. */
export function* readRecords(
  symbol: string,
  numbers: Float64Array,
): Generator<{ counts: EpisodeCounts; figures: EpisodeFigures }> {
  let at = 0;
  while (at < numbers.length) {
    const length = numbers[at]!;
    const baselines = numbers[at + 10]!;
    const table = at + HEADER + BAR * length;
    if (
      !(Number.isInteger(length) && length >= 0 && Number.isInteger(baselines) && baselines >= 0) ||
      table + BASELINE * baselines > numbers.length
    ) {
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
      const t = table + BASELINE * Math.floor(flags / IN_TABLE);
      const logReturn = numbers[i + 2]!;
      bars.push({
        minute: numbers[i]!,
        alert: (flags & ALERT) !== 0,
        logReturn,
        volatility: numbers[t]!,
        volume: numbers[i + 3]!,
        surprise: numbers[i + 4]!,
        usualVolume: (flags & NO_USUAL_VOLUME) !== 0 ? null : numbers[t + 1]!,
        volumeSpread: numbers[t + 2]!,
        part: { returnUnits: returnUnitsOf(logReturn), surpriseUnits: numbers[i + 5]! },
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
    at = table + BASELINE * baselines;
  }
}
