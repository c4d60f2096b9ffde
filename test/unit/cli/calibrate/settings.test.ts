/** calibrate's thresholds in percent reach the rules as the exact decimal they stand for. */
import { describe, expect, it } from 'vitest';
import { fractionOfPercent } from '../../../../cli/calibrate/settings.js';

describe('fractionOfPercent', () => {
  it.each([
    ['0.5', '0.005'],
    ['1', '0.01'],
    ['12', '0.12'],
    ['100', '1.00'],
    ['250.5', '2.505'],
    ['0', '0.00'],
    ['0.0001', '0.000001'],
  ])('%s%% is %s', (percent, fraction) => {
    expect(fractionOfPercent(percent)).toBe(fraction);
  });
});
