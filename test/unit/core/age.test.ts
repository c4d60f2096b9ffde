import { describe, expect, it } from 'vitest';
import { formatAge } from '../../../shared/core/age.js';
import { formatAge as formatAgeInTheConsole } from '../../../console/web/format.js';

describe('formatAge', () => {
  it.each([
    [-1500, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3 * 3_600_000, '3 h'],
    [3 * 3_600_000 + 20 * 60_000 + 5_000, '3 h 20 min'],
    [8 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '8 d 4 h'],
  ])('%d ms reads %s, in the CLI and in the console alike', (ms, shown) => {
    expect(formatAge(ms)).toBe(shown);
    expect(formatAgeInTheConsole(ms)).toBe(shown);
  });
});
