/**
 * What the pipeline accepted, or was sent, and will never detect, from the ingestions' reports and tallies: bars
 * too late (past the lateness horizon, contract §2) and rows set aside as from the future or with a symbol outside
 * the grammar (contract §1), which could silence a symbol if they went unseen. Late bars are detected in their
 * place and are told as information. `wait` ends non-zero while there are any of the others: reading is settled,
 * but not everything sent became detection.
 */
import type { IngestionView } from './commands/reports.js';

export interface Undetected {
  tooLate: number;
  future: number;
  symbol: number;
  /** Detected in their place, after a later minute of their symbol. */
  late: number;
  /** Per object (generation), what of the above it holds. */
  objects: Array<{ object: string; generation: string } & Omit<Undetected, 'objects'>>;
}

export function undetectedOf(views: readonly IngestionView[]): Undetected {
  const total: Undetected = { tooLate: 0, future: 0, symbol: 0, late: 0, objects: [] };
  for (const view of views) {
    const byReason = view.report?.bad.byReason ?? {};
    const entry = {
      object: view.object,
      generation: view.generation,
      tooLate: view.detection.tooLate,
      future: byReason.future ?? 0,
      symbol: byReason.symbol ?? 0,
      late: view.detection.late,
    };
    if (entry.tooLate + entry.future + entry.symbol + entry.late === 0) continue;
    total.objects.push(entry);
    total.tooLate += entry.tooLate;
    total.future += entry.future;
    total.symbol += entry.symbol;
    total.late += entry.late;
  }
  return total;
}

/** Whether anything sent will not be detected (late bars are). */
export const hasUndetected = (undetected: Undetected) =>
  undetected.tooLate + undetected.future + undetected.symbol > 0;

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
