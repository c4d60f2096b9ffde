/**
 * The baseline's medians (median.ts `medianOf`) are found by selection rather than by sorting, and its sorts
 * (`sortNumbers`) are its own: they must be the middle of the sorted values, and the sorted values, to the last
 * bit, or the scores would change.
 */
import { describe, expect, it } from 'vitest';
import { medianOf, sortNumbers } from '../../../../shared/core/suspicion/median.js';
import { seededRandom } from '../../../helpers/seededRandom.js';

const median = (values: number[]) => medianOf(Float64Array.from(values), values.length);

describe('medianOf', () => {
  it('gives the middle value, or the mean of the two middle ones', () => {
    expect(median([7])).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 5, 1, 5, 9, 5])).toBe(5);
    expect(median([0, 0, 0, 10])).toBe(0);
    expect(median([0.1, 0.2])).toBe(0.15000000000000002);
  });

  it('places -0 and NaN as a sort does (-0 before 0, NaN last)', () => {
    expect(Object.is(median([0, -0, -0]), -0)).toBe(true);
    expect(Object.is(median([-0, 0, 0]), 0)).toBe(true);
    expect(median([Number.NaN, 1, 2])).toBe(2);
    expect(median([Number.NaN, 1, Number.NaN])).toBeNaN();
  });

  it('is the middle of the sorted values on random samples, with many ties, zeros and signs', () => {
    const random = seededRandom(21);
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(random() * 90);
      const kind = round % 4;
      const values = Array.from({ length }, (_, i) => {
        if (kind === 0) return random();
        if (kind === 1) return Math.floor(random() * 4);
        if (kind === 2) return random() < 0.3 ? 0 : random() < 0.1 ? -0 : random() - 0.5;
        return round % 8 === 3 ? i : length - i;
      });
      const sorted = Float64Array.from(values).sort();
      const middle = length >> 1;
      const expected = length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
      expect(Object.is(median(values), expected), `${values.join(',')}`).toBe(true);
    }
  });
});

describe('sortNumbers', () => {
  it('sorts as a Float64Array sorts, on random samples with ties, zeros, -0, NaN and runs already in order', () => {
    const random = seededRandom(22);
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(random() * 200);
      const kind = round % 5;
      const values = Array.from({ length }, (_, i) => {
        if (kind === 0) return random() * 1e6;
        if (kind === 1) return Math.floor(random() * 4);
        if (kind === 2) return random() < 0.3 ? 0 : random() < 0.1 ? -0 : random() - 0.5;
        if (kind === 3) return random() < 0.05 ? Number.NaN : random() < 0.05 ? Infinity : random();
        return round % 10 === 4 ? i : length - i;
      });
      const expected = Float64Array.from(values).sort();
      // Room past the values is left as it was.
      const sorted = Float64Array.from([...values, -1, -2]);
      sortNumbers(sorted, length);
      const same = expected.every((value, i) => Object.is(value, sorted[i]));
      expect(same && sorted[length] === -1 && sorted[length + 1] === -2, `${values.join(',')}`).toBe(true);
    }
  });
});
