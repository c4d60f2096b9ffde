/**
 * What `wait` says about what was sent and will never be detected (shared/core/undetected.ts): it ends non-zero
 * while there is any, since reading is settled but not everything sent became detection.
 */
import { hasUndetected, type Undetected } from '../shared/core/undetected.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Lines a person can act on, one per object; empty when there is nothing to say. */
export function describeUndetected(undetected: Undetected): string[] {
  const lines: string[] = [];
  if (hasUndetected(undetected)) {
    lines.push(
      `not detected: ${plural(undetected.tooLate, 'bar')} too late (past LATENESS_HORIZON_DAYS), ` +
        `${plural(undetected.future, 'row')} from the future, ${plural(undetected.symbol, 'row')} with a symbol ` +
        "outside the grammar (see each object's report and set-aside rows):",
    );
  } else if (undetected.late > 0) {
    lines.push(`${plural(undetected.late, 'late bar')} detected in their place (contract §2), in:`);
  }
  for (const entry of undetected.objects) {
    const parts = [
      entry.tooLate > 0 ? `${entry.tooLate} too late` : '',
      entry.future > 0 ? `${entry.future} future` : '',
      entry.symbol > 0 ? `${entry.symbol} symbol` : '',
      entry.late > 0 ? `${entry.late} late` : '',
    ].filter(Boolean);
    lines.push(`  ${entry.object} (generation ${entry.generation}): ${parts.join(', ')}`);
  }
  return lines;
}
