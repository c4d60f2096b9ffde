/**
 * What was sent and will never be detected, from the ingestions' reports and tallies: bars too late (past the
 * lateness horizon, contract §2) and rows set aside as from the future or with a symbol outside the grammar
 * (contract §1), which could silence a symbol if they went unseen; and, as information, the late bars detected
 * in their place. `wait` and the console's health page both tell it.
 */
import type { QualityReport } from './report.js';

/** An ingestion as far as this needs it (the stores' summaries and the CLI's views are such). */
export interface IngestionFigures {
  object: string;
  generation: string;
  report?: Pick<QualityReport, 'bad'>;
  detection: { tooLate: number; late: number };
}

export interface UndetectedCounts {
  tooLate: number;
  future: number;
  symbol: number;
  /** Detected in their place, after a later minute of their symbol. */
  late: number;
}

export interface Undetected extends UndetectedCounts {
  /** Per object (generation) with any of the above, its counts. */
  objects: Array<{ object: string; generation: string } & UndetectedCounts>;
}

export function undetectedOf(ingestions: readonly IngestionFigures[]): Undetected {
  const total: Undetected = { tooLate: 0, future: 0, symbol: 0, late: 0, objects: [] };
  for (const ingestion of ingestions) {
    const byReason = ingestion.report?.bad.byReason ?? {};
    const entry = {
      object: ingestion.object,
      generation: ingestion.generation,
      tooLate: ingestion.detection.tooLate,
      future: byReason.future ?? 0,
      symbol: byReason.symbol ?? 0,
      late: ingestion.detection.late,
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
export const hasUndetected = (undetected: UndetectedCounts) =>
  undetected.tooLate + undetected.future + undetected.symbol > 0;
