import { describe, expect, it } from 'vitest';
import { forkRandom, Random } from '../../../cli/generate/random.js';

const draw = (random: Random, n: number): number[] => Array.from({ length: n }, () => random.uint32());

describe('Class: Random', () => {
  it('gives the same sequence for the same key and different ones for different keys', () => {
    expect(draw(forkRandom(1, 'market', 'TCS'), 20)).toEqual(draw(forkRandom(1, 'market', 'TCS'), 20));
    expect(draw(forkRandom(1, 'market', 'TCS'), 20)).not.toEqual(draw(forkRandom(2, 'market', 'TCS'), 20));
    expect(draw(forkRandom(1, 'market', 'TCS'), 20)).not.toEqual(draw(forkRandom(1, 'market', 'INFY'), 20));
  });

  it('keeps int() within its bounds and reaches both ends', () => {
    const random = new Random('bounds');
    const seen = new Set(Array.from({ length: 2000 }, () => random.int(3, 7)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws standard normals with mean near 0 and variance near 1', () => {
    const random = new Random('normal');
    const values = Array.from({ length: 50_000 }, () => random.normal());
    const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
    const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('rounds stochastically to the right expectation', () => {
    const random = new Random('round');
    const total = Array.from({ length: 10_000 }, () => random.roundStochastic(2.3)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(total / 10_000).toBeCloseTo(2.3, 1);
  });
});
