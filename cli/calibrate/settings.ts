/**
 * The settings `calibrate` compares: every combination of its lists of A1 thresholds, A2 thresholds (both in
 * percent, as an analyst says them: `--a1 0.5,1` is 0.5% and 1%) and minimum scores. A threshold reaches the rules
 * as the exact decimal the percent stands for (0.5 → 0.005), never through a double, so that `--a1 0.5` fires
 * exactly where `detect --a1 0.005` does (contract §2 Exact comparison).
 */
import { UsageError } from '../usageError.js';

/** One combination, as given: thresholds in percent (their text), the minimum score a number. */
export interface Setting {
  a1Pct: string;
  a2Pct: string;
  minScore: number;
}

/** The highest a suspicion score goes (shared/core/suspicion/suspicionScore.ts: 0 to 100). */
const MAX_SCORE = 100;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * The items of a comma-separated list, each a non-negative decimal number, none twice.
 * @param option the option's name, for the message
 * @throws UsageError naming the option and the item at fault
 */
export function decimalList(option: string, text: string, unit: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  const seen = new Set<number>();
  for (const item of items) {
    if (!DECIMAL.test(item)) {
      const what = item === '' ? 'an empty item' : `'${item}'`;
      throw new UsageError(
        `${option} takes a comma-separated list of non-negative decimal numbers (${unit}), got ${what} in '${text}'`,
      );
    }
    if (seen.has(Number(item))) throw new UsageError(`${option} lists ${item} twice in '${text}'`);
    seen.add(Number(item));
  }
  return items;
}

/** The minimum scores of `--min-score`: each from 0 to 100. @throws UsageError */
export function scoreList(text: string): number[] {
  const scores = decimalList('--min-score', text, 'a score from 0 to 100').map(Number);
  const over = scores.find((score) => score > MAX_SCORE);
  if (over !== undefined)
    throw new UsageError(`--min-score: a score goes from 0 to ${MAX_SCORE}, got ${over}`);
  return scores;
}

/** The exact decimal text of `percent` % as a fraction: `0.5` → `0.005`, `12` → `0.12`. */
export function fractionOfPercent(percent: string): string {
  const [whole, fraction = ''] = percent.split('.');
  const digits = `${whole}${fraction}`;
  const scale = fraction.length + 2;
  const padded = digits.padStart(scale + 1, '0');
  return `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}
