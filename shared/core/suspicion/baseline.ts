/**
 * A symbol's usual behaviour (contract §6 Baselines): what its bars are measured against before they count as
 * unusual. For each quarter hour of the day (UTC), the volatility of its minute returns and its usual volume, from
 * the same quarter hour of its last few trading days, so that the open and the close, naturally heavy, are judged
 * against opens and closes. Pure: bars in, figures out.
 */

/** Minutes in a bucket of the day: the unit of "that time of day". */
export const BUCKET_MINUTES = 15;
/** How many earlier days (UTC dates with bars) make the usual, at most. */
export const BASELINE_DAYS = 5;
/** How far back those days may lie, in calendar days before the bar's own date. */
export const BASELINE_SPAN_DAYS = 10;
/** Bars of a bucket below which its figures fall back to the whole earlier days'. */
export const MIN_BUCKET_BARS = 20;
/** The recent bars that stand in where the symbol has no earlier day. */
export const RECENT_BARS = 60;
/** The fewest recent bars that still make a baseline; below it the score says there is none. */
export const MIN_RECENT_BARS = 20;
/** The least volatility a minute is measured against (1 basis point), so that a flat series does not divide by 0. */
export const MIN_VOLATILITY = 1e-4;
/** The least spread of log volume (the volume's own noise) a bar is measured against. */
export const MIN_VOLUME_SPREAD = 0.25;

const BUCKETS = 1440 / BUCKET_MINUTES;
/** The normal distribution's ratio of standard deviation to median absolute deviation. */
const MAD_TO_SIGMA = 1.4826;

export type BaselineKind = 'usual' | 'recent' | 'none';

/** What a bar is measured against. */
export interface BarBaseline {
  kind: BaselineKind;
  /** The volatility of a minute's log return. */
  volatility: number;
  /** The usual volume: the median, or the mean where most minutes trade nothing (0 only if none traded). */
  usualVolume: number;
  /** The added volume that keeps a log ratio finite from a zero volume: 5% of the typical traded minute. */
  volumeFloor: number;
  /** The spread of log(volume + floor): how much the volume moves by itself. */
  volumeSpread: number;
  /** The share of the baseline's minutes that traded nothing. */
  zeroShare: number;
  /** The latest minute of the day (UTC) the symbol traded on its earlier days (its session's close), or null. */
  closeMinute: number | null;
}

/** One bar as the baseline keeps it. */
interface KeptBar {
  minute: number;
  /** Its log return from the bar before, or NaN for a first bar. */
  logReturn: number;
  volume: number;
}

export const NO_BASELINE: BarBaseline = Object.freeze({
  kind: 'none',
  volatility: MIN_VOLATILITY,
  usualVolume: 0,
  volumeFloor: 1,
  volumeSpread: MIN_VOLUME_SPREAD,
  zeroShare: 0,
  closeMinute: null,
});

/** The median (of a copy: the values keep their order). A typed array sorts numbers without a comparator call. */
function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Figures of a sample of bars: the baseline it makes. */
function baselineOf(kind: BaselineKind, bars: readonly KeptBar[], closeMinute: number | null): BarBaseline {
  const returns: number[] = [];
  let absSum = 0;
  const volumes: number[] = [];
  const traded: number[] = [];
  for (const bar of bars) {
    if (!Number.isNaN(bar.logReturn)) {
      returns.push(Math.abs(bar.logReturn));
      absSum += Math.abs(bar.logReturn);
    }
    volumes.push(bar.volume);
    if (bar.volume > 0) traded.push(bar.volume);
  }
  // The median absolute return is robust to the very moves being judged; the mean keeps a series that mostly does
  // not move (many unchanged closes) from a volatility of 0.
  const volatility =
    returns.length === 0
      ? MIN_VOLATILITY
      : Math.max(MAD_TO_SIGMA * median(returns), absSum / returns.length, MIN_VOLATILITY);
  const volumeFloor = traded.length === 0 ? 1 : 0.05 * median(traded);
  const logs = volumes.map((volume) => Math.log(volume + volumeFloor));
  const center = median(logs);
  const volumeSpread = Math.max(
    MAD_TO_SIGMA * median(logs.map((value) => Math.abs(value - center))),
    MIN_VOLUME_SPREAD,
  );
  // The median, unless most minutes trade nothing: then the mean, so that one trade is not measured against 0.
  let usualVolume = median(volumes);
  if (usualVolume === 0) usualVolume = volumes.reduce((a, b) => a + b, 0) / volumes.length;
  return {
    kind,
    volatility,
    usualVolume,
    volumeFloor,
    volumeSpread,
    zeroShare: (volumes.length - traded.length) / volumes.length,
    closeMinute,
  };
}

/** A finished day's bars by bucket of the day, worked out once (a day serves as an earlier day five times). */
const dayBuckets = new WeakMap<KeptBar[], KeptBar[][]>();

function bucketsOf(day: KeptBar[]): KeptBar[][] {
  let buckets = dayBuckets.get(day);
  if (buckets === undefined) {
    buckets = [];
    for (const bar of day) (buckets[Math.floor((bar.minute % 1440) / BUCKET_MINUTES)] ??= []).push(bar);
    dayBuckets.set(day, buckets);
  }
  return buckets;
}

/**
 * Follows one symbol's bars in minute order and gives each its baseline: from the same quarter hour of the
 * symbol's earlier days where they have enough bars, else from those whole days, else from its recent bars.
 * A bar's baseline depends only on the symbol's bars of the {@link BASELINE_SPAN_DAYS} days before its date and
 * the {@link RECENT_BARS} bars before it, never on anything older: the pipeline, which reads that much of the
 * stored history, gets the figures the batch CLI gets.
 */
export class SymbolBaseline {
  /** Earlier days' bars, oldest day first, each day in minute order. */
  readonly #days: KeptBar[][] = [];
  /** The current date's bars so far. */
  #today: KeptBar[] = [];
  #date = Number.NaN;
  /** Per bucket of the current date, its baseline once asked for (earlier days only: fixed for the day). */
  #buckets: Array<BarBaseline | undefined> = [];
  #wholeDays: BarBaseline | undefined;
  #closeMinute: number | null = null;
  /** The recent bars, a ring of RECENT_BARS. */
  readonly #recent: KeptBar[] = [];
  #recentNext = 0;

  /**
   * The baseline for a bar at `minute`, from the bars added before it (call before {@link add}ing it).
   */
  baselineAt(minute: number): BarBaseline {
    this.#toDate(Math.floor(minute / 1440));
    if (this.#days.length > 0) {
      const bucket = Math.floor((minute % 1440) / BUCKET_MINUTES);
      let baseline = this.#buckets[bucket];
      if (baseline === undefined) {
        const sample = this.#days.flatMap((day) => bucketsOf(day)[bucket] ?? []);
        baseline =
          sample.length >= MIN_BUCKET_BARS
            ? baselineOf('usual', sample, this.#closeMinute)
            : (this.#wholeDays ??= baselineOf('usual', this.#days.flat(), this.#closeMinute));
        this.#buckets[bucket] = baseline;
      }
      return baseline;
    }
    const recent = this.#recent.filter((bar) => bar.minute >= minute - BASELINE_SPAN_DAYS * 1440);
    return recent.length >= MIN_RECENT_BARS ? baselineOf('recent', recent, null) : NO_BASELINE;
  }

  /**
   * The volatility of the recent bars before `minute` (call before adding the bar at `minute`): the symbol's
   * regime today, which may be calmer or wilder than its usual. NaN with too few.
   */
  recentVolatility(minute: number): number {
    const recent = this.#recent.filter((bar) => bar.minute >= minute - BASELINE_SPAN_DAYS * 1440);
    return recent.length >= MIN_RECENT_BARS ? baselineOf('recent', recent, null).volatility : Number.NaN;
  }

  /** Adds a bar (after its baseline was asked for), in minute order. */
  add(minute: number, logReturn: number, volume: number): void {
    this.#toDate(Math.floor(minute / 1440));
    const bar = { minute, logReturn, volume };
    this.#today.push(bar);
    if (this.#recent.length < RECENT_BARS) this.#recent.push(bar);
    else this.#recent[this.#recentNext] = bar;
    this.#recentNext = (this.#recentNext + 1) % RECENT_BARS;
  }

  #toDate(date: number): void {
    if (date === this.#date) return;
    if (this.#today.length > 0) this.#days.push(this.#today);
    this.#today = [];
    this.#date = date;
    // Only dates within the span, and at most BASELINE_DAYS of them, make the usual.
    const from = date - BASELINE_SPAN_DAYS;
    while (
      this.#days.length > 0 &&
      (this.#days.length > BASELINE_DAYS || Math.floor(this.#days[0]![0]!.minute / 1440) < from)
    ) {
      this.#days.shift();
    }
    this.#buckets = new Array<BarBaseline | undefined>(BUCKETS);
    this.#wholeDays = undefined;
    let close: number | null = null;
    for (const day of this.#days) {
      const last = day[day.length - 1]!.minute % 1440;
      if (close === null || last > close) close = last;
    }
    this.#closeMinute = close;
  }
}
