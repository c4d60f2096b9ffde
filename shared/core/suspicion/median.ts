/**
 * The medians and the sort of a baseline's sample (baseline.ts), in place, on reused arrays: a baseline is worked
 * out millions of times in a run, and each takes a median of its returns and a sort of its volumes.
 */

/**
 * The median of `values[0..n)` (n > 0), reordering them: the middle of the values as a Float64Array sorts them
 * (ascending, -0 before 0, NaN last), bit for bit. Selection (Hoare's) puts the same values in the middle without
 * sorting the rest, since every double but NaN and ±0 is ordered by `<` alone; with a NaN or a -0 among them the
 * values are sorted instead, to place those as a sort does.
 */
export function medianOf(values: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (Number.isNaN(value) || Object.is(value, -0)) {
      const sorted = values.subarray(0, n).sort();
      const middle = n >> 1;
      return n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    }
  }
  return medianOfOrdered(values, n);
}

/**
 * {@link medianOf} for values that `<` orders, neither NaN nor -0 (absolute returns, say), which need no check.
 */
export function medianOfOrdered(values: Float64Array, n: number): number {
  const middle = n >> 1;
  select(values, n, middle);
  if (n % 2 === 1) return values[middle]!;
  // Every value before the middle one is at most it: the largest of them is the one a sort puts just before.
  let below = values[0]!;
  for (let i = 1; i < middle; i++) if (values[i]! > below) below = values[i]!;
  return (below + values[middle]!) / 2;
}

/**
 * The k-th smallest of `values[0..n)` (from 0), values that `<` orders (neither NaN nor -0), reordering them: those
 * before index k are then at most it, those after at least.
 */
export function kthOfOrdered(values: Float64Array, n: number, k: number): number {
  select(values, n, k);
  return values[k]!;
}

/** Reorders `values[0..n)` so that the one at `k` is the k-th smallest, those before it at most it, after it at least. */
function select(values: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    partition(values, lo, hi);
    const { i, j } = split;
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Where {@link partition} left its two sides: reused rather than made for each call. */
const split = { i: 0, j: 0 };

/**
 * Hoare's partition of `values[lo..hi]` around its middle value: after it, [lo, split.j] are at most that value,
 * [split.i, hi] at least, and anything between them is that value.
 */
function partition(values: Float64Array, lo: number, hi: number): void {
  const pivot = values[(lo + hi) >> 1]!;
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (values[i]! < pivot) i++;
    while (values[j]! > pivot) j--;
    if (i <= j) {
      const swap = values[i]!;
      values[i] = values[j]!;
      values[j] = swap;
      i++;
      j--;
    }
  }
  split.i = i;
  split.j = j;
}

/**
 * Sorts `values[0..n)` ascending, in place, as a Float64Array sorts them. A sample is a few dozen values and the
 * built-in sort costs far more than the comparisons for so few (it was half of a baseline's time): quicksort down
 * to runs of {@link SHORT_RUN}, then insertion sort, for every double but NaN and -0; with a NaN or a -0 among them,
 * the built-in sort, to place those as it does.
 */
export function sortNumbers(values: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (Number.isNaN(value) || Object.is(value, -0)) {
      values.subarray(0, n).sort();
      return;
    }
  }
  quicksort(values, 0, n - 1);
  sortRun(values, 0, n);
}

/** Runs this short are left to the insertion sort that ends {@link sortNumbers}. */
const SHORT_RUN = 12;

/** Puts `values[lo..hi]` in runs of at most {@link SHORT_RUN}, each run's values between those of its neighbours. */
function quicksort(values: Float64Array, lo: number, hi: number): void {
  while (hi - lo >= SHORT_RUN) {
    partition(values, lo, hi);
    const { i, j } = split;
    // The shorter side recursively, the longer one in the loop: the stack stays shallow.
    if (j - lo < hi - i) {
      quicksort(values, lo, j);
      lo = i;
    } else {
      quicksort(values, i, hi);
      hi = j;
    }
  }
}

/**
 * Sorts `values[from..to)` ascending by insertion: for short runs, of doubles that `<` orders (neither NaN nor -0:
 * their place is not a sort's).
 */
export function sortRun(values: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const value = values[i]!;
    let j = i - 1;
    while (j >= from && values[j]! > value) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = value;
  }
}
