/**
 * How many faults of each kind go into each file and on which day: rates per bar, scaled by `--fault-rate`,
 * rounded at random so that the planted counts match the rates on average.
 */
import { BAD_REASONS } from './badRows.js';
import type { Random } from './random.js';

export const FAULT_KINDS = [
  ...BAD_REASONS,
  'exact-duplicate',
  'conflicting-duplicate',
  'shuffled-block',
  'gap',
  'blank-line',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Expected number of each fault per generated bar (before `faultRate` scales them all). */
export type FaultRates = Record<FaultKind, number>;
export type FaultCounts = Record<FaultKind, number>;

/**
 * About 0.1 % bad rows (0.02 % per reason), 0.1 % duplicates (a third of them conflicting), a shuffled block of
 * 2–12 rows per 5,000 bars, a gap of 1–30 minutes per 5,000 bars and a blank line per 10,000 bars.
 */
export const DEFAULT_FAULT_RATES: Readonly<FaultRates> = {
  'field-count': 0.0002,
  timestamp: 0.0002,
  number: 0.0002,
  'price-not-positive': 0.0002,
  'volume-negative': 0.0002,
  'exact-duplicate': 0.0007,
  'conflicting-duplicate': 0.0003,
  'shuffled-block': 0.0002,
  gap: 0.0002,
  'blank-line': 0.0001,
};

export function zeroCounts(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as FaultCounts;
}

/**
 * The number of faults of each kind per file. When `faultRate` > 0, every kind with a positive rate is
 * planted at least once in the data set, so that even a small sample exercises every reason code.
 */
export function planFileCounts(
  barsPerFile: readonly number[],
  rates: Readonly<FaultRates>,
  faultRate: number,
  random: Random,
): FaultCounts[] {
  const plans = barsPerFile.map(() => zeroCounts());
  if (faultRate <= 0 || plans.length === 0) return plans;
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind] * faultRate;
    if (rate <= 0) continue;
    let total = 0;
    barsPerFile.forEach((bars, file) => {
      const count = random.roundStochastic(rate * bars);
      (plans[file] as FaultCounts)[kind] = count;
      total += count;
    });
    if (total === 0) (random.pick(plans) as FaultCounts)[kind] = 1;
  }
  return plans;
}

/** Spreads one file's counts over its days, each fault landing on a day with probability ∝ the day's bars. */
export function spreadOverDays(
  counts: FaultCounts,
  barsPerDay: readonly number[],
  random: Random,
): FaultCounts[] {
  const days = barsPerDay.map(() => zeroCounts());
  const total = barsPerDay.reduce((sum, bars) => sum + bars, 0);
  for (const kind of FAULT_KINDS) {
    for (let n = 0; n < counts[kind]; n++) {
      let target = random.next() * total;
      let day = 0;
      while (day < barsPerDay.length - 1 && target >= (barsPerDay[day] ?? 0))
        target -= barsPerDay[day++] ?? 0;
      (days[day] as FaultCounts)[kind]++;
    }
  }
  return days;
}
