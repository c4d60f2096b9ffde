/**
 * A symbol's usual behaviour (contract §6 Baselines): what its bars are measured against before they count as
 * unusual. For each quarter hour of the day (UTC), the volatility of its minute returns and its usual volume, from
 * the same quarter hour of its last few trading days, so that the open and the close, naturally heavy, are judged
 * against opens and closes. Pure: bars in, figures out.
 */
import { kthOfOrdered, medianOf, medianOfOrdered, sortNumbers, sortRun } from './median.js';

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

export const NO_BASELINE: BarBaseline = Object.freeze({
  kind: 'none',
  volatility: MIN_VOLATILITY,
  usualVolume: 0,
  volumeFloor: 1,
  volumeSpread: MIN_VOLUME_SPREAD,
  zeroShare: 0,
  closeMinute: null,
});

/**
 * Room for the figures of one sample, reused from sample to sample: a baseline is worked out for each quarter hour
 * of each day of each symbol and at each episode's start (about 5.6 million times at the seed's scale), and arrays
 * made afresh each time, and sorted to find their medians, were most of the work of `detect --episodes`.
 */
class Sample {
  /** The sample's bars, in the order they were taken: their log returns (NaN for none) and volumes. */
  logReturns = new Float64Array(1024);
  volumes = new Float64Array(1024);
  length = 0;
  /** Working room for the medians, which reorder what they are given. */
  readonly #work = [new Float64Array(1024), new Float64Array(1024), new Float64Array(1024)];

  clear(): void {
    this.length = 0;
  }

  push(logReturn: number, volume: number): void {
    if (this.length === this.volumes.length) this.#grow(this.length * 2);
    this.logReturns[this.length] = logReturn;
    this.volumes[this.length] = volume;
    this.length++;
  }

  /** Working array `which` (0 to 2), at least as long as the sample. */
  work(which: number): Float64Array {
    return this.#work[which]!;
  }

  /** Makes the working arrays at least `length` long (for figures worked out without the sample). */
  reserve(length: number): void {
    if (length > this.volumes.length) this.#grow(Math.max(length, this.volumes.length * 2));
  }

  #grow(size: number): void {
    const grown = (from: Float64Array) => {
      const to = new Float64Array(size);
      to.set(from);
      return to;
    };
    this.logReturns = grown(this.logReturns);
    this.volumes = grown(this.volumes);
    for (let i = 0; i < this.#work.length; i++) this.#work[i] = new Float64Array(size);
  }
}

const sample = new Sample();

/** The volatility of the sample's log returns (the part of {@link baselineOf} that {@link SymbolBaseline.recentVolatility} needs). */
function volatilityOf(): number {
  const { logReturns, length } = sample;
  const returns = sample.work(0);
  let count = 0;
  let absSum = 0;
  for (let i = 0; i < length; i++) {
    const logReturn = logReturns[i]!;
    if (!Number.isNaN(logReturn)) {
      returns[count++] = Math.abs(logReturn);
      absSum += Math.abs(logReturn);
    }
  }
  // Absolute values are neither NaN nor -0: their median needs no check for them.
  return count === 0 ? MIN_VOLATILITY : volatilityWith(medianOfOrdered(returns, count), absSum / count);
}

/** The volatility from the median and the mean of the absolute returns (there are some). */
function volatilityWith(median: number, mean: number): number {
  // The median absolute return is robust to the very moves being judged; the mean keeps a series that mostly does
  // not move (many unchanged closes) from a volatility of 0.
  return Math.max(MAD_TO_SIGMA * median, mean, MIN_VOLATILITY);
}

/**
 * {@link volatilityWith} the median of the absolute returns `returns[0..count)` (count > 0) and their `mean`, to the
 * bit, without selecting the median where it cannot decide: where more than half the returns are at most
 * mean / MAD_TO_SIGMA, so is the median, MAD_TO_SIGMA × median is at most the mean (rounding is monotonic), and the
 * volatility is the mean's (about a quarter of episode starts at the seed's scale, flat minutes being common).
 * Otherwise the median is among the returns above that, and is selected from those alone. Reorders `returns`.
 */
function volatilityOfReturns(returns: Float64Array, count: number, mean: number): number {
  const limit = mean / MAD_TO_SIGMA;
  if (!(MAD_TO_SIGMA * limit <= mean)) return volatilityWith(medianOfOrdered(returns, count), mean);
  const above = sample.work(1);
  let aboveCount = 0;
  let largestBelow = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const value = returns[i]!;
    if (value > limit) above[aboveCount++] = value;
    else if (value > largestBelow) largestBelow = value;
  }
  const middle = count >> 1;
  const belowCount = count - aboveCount;
  if (belowCount > middle) return Math.max(mean, MIN_VOLATILITY);
  // The median's upper value, the middle-th smallest of all, is the (middle − belowCount)-th of those above.
  const rank = middle - belowCount;
  const upper = kthOfOrdered(above, aboveCount, rank);
  if (count % 2 === 1) return volatilityWith(upper, mean);
  // Its lower value: the largest below the limit when it is the one just before, else the largest of those the
  // selection left before the upper one.
  let lower = largestBelow;
  if (rank > 0) {
    lower = above[0]!;
    for (let i = 1; i < rank; i++) if (above[i]! > lower) lower = above[i]!;
  }
  return volatilityWith((lower + upper) / 2, mean);
}

/** Figures of the sample: the baseline it makes. */
function baselineOf(kind: BaselineKind, closeMinute: number | null): BarBaseline {
  const volatility = volatilityOf();
  const { volumes, length } = sample;
  let volumeSum = 0;
  for (let i = 0; i < length; i++) volumeSum += volumes[i]!;
  const sorted = sample.work(2).subarray(0, length);
  sorted.set(volumes.subarray(0, length));
  sortNumbers(sorted, length);
  return baselineFrom(kind, closeMinute, volatility, sorted, volumeSum);
}

/**
 * The baseline of a sample with the given volatility, from its volumes sorted (as a Float64Array sorts them) and
 * their sum taken in the sample's order.
 */
function baselineFrom(
  kind: BaselineKind,
  closeMinute: number | null,
  volatility: number,
  sorted: Float64Array,
  volumeSum: number,
): BarBaseline {
  const length = sorted.length;
  // The volumes sorted give both medians that are volumes: of them all, and of those that traded (the positive
  // ones, a run of the sorted volumes, NaN sorted last); four selections cost more than one sort.
  let firstTraded = 0;
  while (firstTraded < length && !(sorted[firstTraded]! > 0)) firstTraded++;
  let endTraded = firstTraded;
  while (endTraded < length && sorted[endTraded]! > 0) endTraded++;
  const tradedCount = endTraded - firstTraded;
  const volumeFloor = tradedCount === 0 ? 1 : 0.05 * middleOf(sorted, firstTraded, endTraded);
  const volumeSpread = Math.max(MAD_TO_SIGMA * logVolumeSpread(sorted, volumeFloor), MIN_VOLUME_SPREAD);
  // The median, unless most minutes trade nothing: then the mean, so that one trade is not measured against 0.
  let usualVolume = middleOf(sorted, 0, length);
  if (usualVolume === 0) usualVolume = volumeSum / length;
  return {
    kind,
    volatility,
    usualVolume,
    volumeFloor,
    volumeSpread,
    zeroShare: (length - tradedCount) / length,
    closeMinute,
  };
}

/** The median of `sorted[from, to)` (to > from), sorted as a Float64Array sorts: the middle, or the middle two's mean. */
function middleOf(sorted: Float64Array, from: number, to: number): number {
  const middle = from + ((to - from) >> 1);
  return (to - from) % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median absolute deviation of log(volume + floor) over the sample, from its volumes sorted: the median of
 * |log − center|, where center is the logs' median. Where the logs are known to come out sorted (nearly always:
 * {@link logsInOrder}), the center is their middle, and the deviations below and above it are two sorted runs,
 * merged from the center outwards as far as the median ({@link spreadOfOrderedLogs}). Otherwise (volumes a few ulps
 * apart, or a log that is not a finite number, which no volume the rules accept gives) both medians are found by
 * selection, as in any order: the same order statistics.
 */
function logVolumeSpread(sorted: Float64Array, volumeFloor: number): number {
  if (logsInOrder(sorted, volumeFloor)) return spreadOfOrderedLogs(sorted, volumeFloor);
  const length = sorted.length;
  const logs = sample.work(1);
  for (let i = 0; i < length; i++) logs[i] = Math.log(sorted[i]! + volumeFloor);
  const center = medianOf(logs, length);
  for (let i = 0; i < length; i++) logs[i] = Math.abs(logs[i]! - center);
  return medianOf(logs, length);
}

/**
 * How much above the value before it a value must be for its log never to come out below that one's: V8's log
 * (fdlibm's) is within an ulp, and an ulp of any finite log is below 2^-43, where the logs of two values this far
 * apart differ by about 2^-30.
 */
const LOG_ORDER_GAP = 1 + 2 ** -30;

/**
 * Whether the logs of `sorted[i] + floor` (ascending) are finite and come out in order, known without working them
 * out: each value equal to the one before (then so is its log) or at least {@link LOG_ORDER_GAP} times it. Volumes
 * apart by less are possible only as decimals with many places, and go to {@link logVolumeSpread}'s selection.
 */
function logsInOrder(sorted: Float64Array, floor: number): boolean {
  let previous = sorted[0]! + floor;
  if (!(previous > 0)) return false;
  for (let i = 1; i < sorted.length; i++) {
    const value = sorted[i]! + floor;
    if (value !== previous && !(value > previous * LOG_ORDER_GAP)) return false;
    previous = value;
  }
  return previous < Number.POSITIVE_INFINITY;
}

/**
 * The median absolute deviation of logs known to be in order ({@link logsInOrder}). The deviations below the
 * center, read from it downwards, and those above it, read upwards, are two ascending sequences; their median is
 * found by a binary search over how many of the smallest come from each (the k-th smallest of two sorted
 * sequences), each log worked out only where the search looks: about 15 of them, where merging the two from the
 * center outwards as far as the median took one for each value passed (a log was the costliest step of a baseline,
 * worked out for each quarter hour of each day of each symbol). Order statistics are values: the same doubles as
 * the merge's.
 */
function spreadOfOrderedLogs(sorted: Float64Array, floor: number): number {
  const length = sorted.length;
  const middle = length >> 1;
  const center =
    length % 2 === 1
      ? Math.log(sorted[middle]! + floor)
      : (Math.log(sorted[middle - 1]! + floor) + Math.log(sorted[middle]! + floor)) / 2;
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.log(sorted[mid]! + floor) < center) lo = mid + 1;
    else hi = mid;
  }
  // Below: the t-th deviation is that of sorted[lo - 1 - t], t < lo; above: of sorted[lo + t], t < length - lo.
  const belowCount = lo;
  const aboveCount = length - lo;
  const below = (t: number) => Math.abs(Math.log(sorted[lo - 1 - t]! + floor) - center);
  const above = (t: number) => Math.abs(Math.log(sorted[lo + t]! + floor) - center);
  // The smallest `middle + 1` deviations: `taken` of those below and the rest of those above.
  const wanted = middle + 1;
  let least = Math.max(0, wanted - aboveCount);
  let most = Math.min(belowCount, wanted);
  let taken = least;
  while (least <= most) {
    taken = (least + most) >> 1;
    const rest = wanted - taken;
    if (taken > 0 && rest < aboveCount && below(taken - 1) > above(rest)) most = taken - 1;
    else if (rest > 0 && taken < belowCount && above(rest - 1) > below(taken)) least = taken + 1;
    else break;
  }
  const rest = wanted - taken;
  // The median's upper value is the largest of those taken; its lower value (for an even length) the next.
  const lastBelow = taken > 0 ? below(taken - 1) : Number.NEGATIVE_INFINITY;
  const lastAbove = rest > 0 ? above(rest - 1) : Number.NEGATIVE_INFINITY;
  const deviation = Math.max(lastBelow, lastAbove);
  if (length % 2 === 1) return deviation;
  const previous =
    lastBelow >= lastAbove
      ? Math.max(taken > 1 ? below(taken - 2) : Number.NEGATIVE_INFINITY, lastAbove)
      : Math.max(lastBelow, rest > 1 ? above(rest - 2) : Number.NEGATIVE_INFINITY);
  return (previous + deviation) / 2;
}

/**
 * A bucket's sample as runs of an earlier day's bars, oldest day first: [runFrom[d], runTo[d]) for d below the
 * count of runs. Reused from sample to sample.
 */
const runFrom = new Int32Array(BASELINE_DAYS);
const runTo = new Int32Array(BASELINE_DAYS);

/**
 * The `limit` smallest values of `runs` runs of `values`, each run sorted ascending, into `into` in ascending
 * order: what a sort of the runs' values together would put first (for doubles ordered by `<`, which NaN and -0
 * are not). Merged two at a time, the first run with the second, that with the third and so on, between `into`
 * and `spare`, so that the last merge lands in `into`: simpler loops than taking the least of every run's head
 * for each value, and about twice as fast.
 */
function mergeRuns(
  values: Float64Array,
  runs: number,
  into: Float64Array,
  spare: Float64Array,
  limit: number,
): void {
  if (runs === 1) {
    into.set(values.subarray(runFrom[0]!, runFrom[0]! + limit));
    return;
  }
  let merged = values;
  let from = runFrom[0]!;
  let to = runTo[0]!;
  for (let d = 1; d < runs; d++) {
    const out = (runs - 1 - d) % 2 === 0 ? into : spare;
    to = mergeTwo(merged, from, to, values, runFrom[d]!, runTo[d]!, out, limit);
    merged = out;
    from = 0;
  }
}

/** How many values of `runs` runs of `values` ({@link runFrom}, {@link runTo}), each sorted ascending, are at most `limit`. */
function atMostInRuns(values: Float64Array, runs: number, limit: number): number {
  let atMost = 0;
  for (let d = 0; d < runs; d++) {
    let lo = runFrom[d]!;
    let hi = runTo[d]!;
    const from = lo;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    atMost += lo - from;
  }
  return atMost;
}

/** Merges a[aFrom, aTo) and b[bFrom, bTo), both ascending, into out[0, n), n at most `limit`; returns n. */
function mergeTwo(
  a: Float64Array,
  aFrom: number,
  aTo: number,
  b: Float64Array,
  bFrom: number,
  bTo: number,
  out: Float64Array,
  limit: number,
): number {
  const n = Math.min(limit, aTo - aFrom + bTo - bFrom);
  let i = aFrom;
  let j = bFrom;
  let k = 0;
  // Each run's head kept in hand: one read a value instead of three (a tenth faster).
  let x = a[i]!;
  let y = b[j]!;
  while (k < n && i < aTo && j < bTo) {
    if (x <= y) {
      out[k++] = x;
      x = a[++i]!;
    } else {
      out[k++] = y;
      y = b[++j]!;
    }
  }
  while (k < n && i < aTo) out[k++] = a[i++]!;
  while (k < n && j < bTo) out[k++] = b[j++]!;
  return n;
}

/**
 * Follows one symbol's bars in minute order and gives each its baseline: from the same quarter hour of the
 * symbol's earlier days where they have enough bars, else from those whole days, else from its recent bars.
 * A bar's baseline depends only on the symbol's bars of the {@link BASELINE_SPAN_DAYS} days before its date and
 * the {@link RECENT_BARS} bars before it, never on anything older: the pipeline, which reads that much of the
 * stored history, gets the figures the batch CLI gets.
 *
 * The bars are kept as numbers in typed arrays, not an object each: every processed bar of every symbol passes
 * through here (42 million at the seed's scale).
 */
export class SymbolBaseline {
  /** The bars from the oldest earlier day kept to the latest, in minute order, at [#first, #end). */
  #minutes = new Float64Array(1024);
  #logReturns = new Float64Array(1024);
  #volumes = new Float64Array(1024);
  /**
   * The earlier days' volumes, and their absolute log returns (NaN as +∞, after every return), each sorted within
   * its day's buckets: a bucket's sample is then a sorted run of each earlier day, merged. Each run is sorted once,
   * when its day is over, where the sample was sorted again for each of the five days it is in (sorting a bucket's
   * volumes and selecting its median return were most of a baseline's time).
   */
  #sortedVolumes = new Float64Array(1024);
  #sortedAbsReturns = new Float64Array(1024);
  #first = 0;
  #end = 0;
  /** Where each earlier day kept starts, oldest first; the last one ends where today starts. */
  readonly #days: number[] = [];
  /**
   * Per earlier day kept (as {@link #days}), where each bucket's bars start, from the day's start: bucket b's are
   * at [offsets[b], offsets[b + 1]). Found when the day is sorted, where a bucket's runs were found by two binary
   * searches in each of its days for each baseline (a fortieth of the main thread at the seed's scale).
   */
  readonly #dayBuckets: Int32Array[] = [];
  /** Those of days dropped, to use again. */
  readonly #spareDayBuckets: Int32Array[] = [];
  /** Where the current date's bars start. */
  #today = 0;
  #date = Number.NaN;
  /** Per bucket of the current date, its baseline once asked for (earlier days only: fixed for the day). */
  #buckets: Array<BarBaseline | undefined> = [];
  #wholeDays: BarBaseline | undefined;
  #closeMinute: number | null = null;
  /** The recent bars, a ring of RECENT_BARS: the n-th bar added is in slot n modulo RECENT_BARS. */
  readonly #recentMinutes = new Float64Array(RECENT_BARS);
  readonly #recentLogReturns = new Float64Array(RECENT_BARS);
  readonly #recentVolumes = new Float64Array(RECENT_BARS);
  #recentCount = 0;
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
        const runs = this.#bucketRuns(bucket);
        let length = 0;
        for (let d = 0; d < runs; d++) length += runTo[d]! - runFrom[d]!;
        if (length >= MIN_BUCKET_BARS) {
          baseline = this.#bucketBaseline(runs, length);
          if (baseline === undefined) {
            this.#takeRuns(runs);
            baseline = baselineOf('usual', this.#closeMinute);
          }
        } else {
          if (this.#wholeDays === undefined) {
            this.#take(this.#first, this.#today);
            this.#wholeDays = baselineOf('usual', this.#closeMinute);
          }
          baseline = this.#wholeDays;
        }
        this.#buckets[bucket] = baseline;
      }
      return baseline;
    }
    this.#takeRecent(minute);
    return sample.length >= MIN_RECENT_BARS ? baselineOf('recent', null) : NO_BASELINE;
  }

  /**
   * The volatility of the recent bars before `minute` (call before adding the bar at `minute`): the symbol's
   * regime today, which may be calmer or wilder than its usual. NaN with too few.
   */
  recentVolatility(minute: number): number {
    // volatilityOf over #takeRecent's sample, to the bit, without the sample: only the returns are needed, and
    // this is asked at every episode's start (2 million times at the seed's scale).
    const since = minute - BASELINE_SPAN_DAYS * 1440;
    const minutes = this.#recentMinutes;
    const logReturns = this.#recentLogReturns;
    const returns = sample.work(0);
    let taken = 0;
    let count = 0;
    let absSum = 0;
    // Oldest first, so that the sum is taken in the sample's order.
    let slot = this.#recentCount < RECENT_BARS ? 0 : this.#recentNext;
    for (let k = 0; k < this.#recentCount; k++) {
      if (minutes[slot]! >= since) {
        taken++;
        const logReturn = logReturns[slot]!;
        if (!Number.isNaN(logReturn)) {
          returns[count++] = Math.abs(logReturn);
          absSum += Math.abs(logReturn);
        }
      }
      slot = slot + 1 === RECENT_BARS ? 0 : slot + 1;
    }
    if (taken < MIN_RECENT_BARS) return Number.NaN;
    return count === 0 ? MIN_VOLATILITY : volatilityOfReturns(returns, count, absSum / count);
  }

  /** Adds a bar (after its baseline was asked for), in minute order. */
  add(minute: number, logReturn: number, volume: number): void {
    this.#toDate(Math.floor(minute / 1440));
    if (this.#end === this.#minutes.length) this.#makeRoom();
    this.#minutes[this.#end] = minute;
    this.#logReturns[this.#end] = logReturn;
    this.#volumes[this.#end] = volume;
    this.#end++;
    const slot = this.#recentNext;
    this.#recentMinutes[slot] = minute;
    this.#recentLogReturns[slot] = logReturn;
    this.#recentVolumes[slot] = volume;
    if (this.#recentCount < RECENT_BARS) this.#recentCount++;
    this.#recentNext = (slot + 1) % RECENT_BARS;
  }

  /** Puts the bars at [from, to) in the sample, after those already in it. */
  #put(from: number, to: number): void {
    for (let i = from; i < to; i++) sample.push(this.#logReturns[i]!, this.#volumes[i]!);
  }

  #take(from: number, to: number): void {
    sample.clear();
    this.#put(from, to);
  }

  /** The runs of a bucket ({@link runFrom}, {@link runTo}): its bars on each earlier day, oldest day first. */
  #bucketRuns(bucket: number): number {
    const days = this.#days;
    for (let d = 0; d < days.length; d++) {
      const start = days[d]!;
      const offsets = this.#dayBuckets[d]!;
      runFrom[d] = start + offsets[bucket]!;
      runTo[d] = start + offsets[bucket + 1]!;
    }
    return days.length;
  }

  /** Puts the bars of the runs in the sample, in order. */
  #takeRuns(runs: number): void {
    sample.clear();
    for (let d = 0; d < runs; d++) this.#put(runFrom[d]!, runTo[d]!);
  }

  /**
   * The baseline of a bucket's runs ({@link baselineOf}'s figures, to the last bit) from their sorted copies:
   * undefined should a volume be NaN or -0, which `<` does not order as a sort does (no volume the rules accept is).
   */
  #bucketBaseline(runs: number, length: number): BarBaseline | undefined {
    const volumes = this.#volumes;
    const logReturns = this.#logReturns;
    // The sums in the sample's order, as baselineOf takes them.
    let volumeSum = 0;
    let absSum = 0;
    let count = 0;
    for (let d = 0; d < runs; d++) {
      for (let i = runFrom[d]!, to = runTo[d]!; i < to; i++) {
        const volume = volumes[i]!;
        if (Number.isNaN(volume) || (volume === 0 && 1 / volume < 0)) return undefined;
        volumeSum += volume;
        const logReturn = logReturns[i]!;
        if (!Number.isNaN(logReturn)) {
          absSum += Math.abs(logReturn);
          count++;
        }
      }
    }
    sample.reserve(length);
    let volatility = MIN_VOLATILITY;
    if (count > 0) {
      const mean = absSum / count;
      // As volatilityOfReturns: where more than half the returns are at most mean / MAD_TO_SIGMA, the mean decides,
      // and the runs, sorted, say how many are in a few steps each.
      const limit = mean / MAD_TO_SIGMA;
      if (MAD_TO_SIGMA * limit <= mean && atMostInRuns(this.#sortedAbsReturns, runs, limit) > count >> 1) {
        volatility = Math.max(mean, MIN_VOLATILITY);
      } else {
        // The returns' median, from the smallest half of them merged (the NaN, as +∞, come after them all).
        const returns = sample.work(0);
        mergeRuns(this.#sortedAbsReturns, runs, returns, sample.work(1), (count >> 1) + 1);
        volatility = volatilityWith(middleOf(returns, 0, count), mean);
      }
    }
    const sorted = sample.work(2).subarray(0, length);
    mergeRuns(this.#sortedVolumes, runs, sorted, sample.work(1), length);
    return baselineFrom('usual', this.#closeMinute, volatility, sorted, volumeSum);
  }

  /**
   * Sorts the copies of a day's bars at [from, to), bucket by bucket, now that it is an earlier day.
   * @returns where each bucket's bars start, from `from` (see {@link #dayBuckets})
   */
  #sortBuckets(from: number, to: number): Int32Array {
    const offsets = this.#spareDayBuckets.pop() ?? new Int32Array(BUCKETS + 1);
    let bucket = 0;
    const minutes = this.#minutes;
    const sortedVolumes = this.#sortedVolumes;
    const sortedAbsReturns = this.#sortedAbsReturns;
    sortedVolumes.set(this.#volumes.subarray(from, to), from);
    for (let i = from; i < to; i++) {
      const logReturn = this.#logReturns[i]!;
      sortedAbsReturns[i] = Number.isNaN(logReturn) ? Number.POSITIVE_INFINITY : Math.abs(logReturn);
    }
    for (let start = from; start < to;) {
      // A day is within one UTC date, whose minutes start at a multiple of BUCKET_MINUTES.
      const next = (Math.floor(minutes[start]! / BUCKET_MINUTES) + 1) * BUCKET_MINUTES;
      // Buckets up to this one (those before it had no bars) start here.
      const startBucket = Math.floor((minutes[start]! % 1440) / BUCKET_MINUTES);
      while (bucket <= startBucket) offsets[bucket++] = start - from;
      let end = start + 1;
      while (end < to && minutes[end]! < next) end++;
      sortRun(sortedVolumes, start, end);
      sortRun(sortedAbsReturns, start, end);
      start = end;
    }
    while (bucket <= BUCKETS) offsets[bucket++] = to - from;
    return offsets;
  }

  /**
   * The sample of the recent bars within the span before `minute`, oldest first: its sums are taken in the
   * contract's order (in the ring's, once it had come round, a mean could differ from the contract's in its last bit).
   */
  #takeRecent(minute: number): void {
    sample.clear();
    const since = minute - BASELINE_SPAN_DAYS * 1440;
    const oldest = this.#recentCount < RECENT_BARS ? 0 : this.#recentNext;
    for (let k = 0; k < this.#recentCount; k++) {
      const slot = (oldest + k) % RECENT_BARS;
      if (this.#recentMinutes[slot]! >= since) {
        sample.push(this.#recentLogReturns[slot]!, this.#recentVolumes[slot]!);
      }
    }
  }

  #makeRoom(): void {
    const kept = this.#end - this.#first;
    // Moved to the front when the days dropped free half the room, else twice the room.
    const size = kept * 2 <= this.#minutes.length ? this.#minutes.length : this.#minutes.length * 2;
    const moved = (from: Float64Array<ArrayBuffer>) => {
      if (size === from.length) return from.copyWithin(0, this.#first, this.#end);
      const to = new Float64Array(size);
      to.set(from.subarray(this.#first, this.#end));
      return to;
    };
    this.#minutes = moved(this.#minutes);
    this.#logReturns = moved(this.#logReturns);
    this.#volumes = moved(this.#volumes);
    this.#sortedVolumes = moved(this.#sortedVolumes);
    this.#sortedAbsReturns = moved(this.#sortedAbsReturns);
    const shift = this.#first;
    for (let d = 0; d < this.#days.length; d++) this.#days[d] = this.#days[d]! - shift;
    this.#today -= shift;
    this.#end -= shift;
    this.#first = 0;
  }

  #toDate(date: number): void {
    if (date === this.#date) return;
    if (this.#end > this.#today) {
      this.#days.push(this.#today);
      this.#dayBuckets.push(this.#sortBuckets(this.#today, this.#end));
    }
    this.#today = this.#end;
    this.#date = date;
    // Only dates within the span, and at most BASELINE_DAYS of them, make the usual.
    const from = date - BASELINE_SPAN_DAYS;
    while (
      this.#days.length > 0 &&
      (this.#days.length > BASELINE_DAYS || Math.floor(this.#minutes[this.#days[0]!]! / 1440) < from)
    ) {
      this.#days.shift();
      this.#spareDayBuckets.push(this.#dayBuckets.shift()!);
    }
    this.#first = this.#days[0] ?? this.#today;
    this.#buckets = new Array<BarBaseline | undefined>(BUCKETS);
    this.#wholeDays = undefined;
    let close: number | null = null;
    for (let d = 0; d < this.#days.length; d++) {
      const end = d + 1 < this.#days.length ? this.#days[d + 1]! : this.#today;
      const last = this.#minutes[end - 1]! % 1440;
      if (close === null || last > close) close = last;
    }
    this.#closeMinute = close;
  }
}
