/**
 * Detection of one bar batch against the symbol's stored state. The order makes redelivery safe:
 * alerts are published before the state that records them is committed, so a crash in between repeats the
 * publication (notify overwrites by id) and never loses it; a crash after the commit finds the batch's bars
 * late, or the batch itself recorded as the last one, and does nothing.
 */
import { alertOf, type Alert } from '../../shared/core/alert.js';
import type { DetectionConfig } from '../../shared/core/detectionSettings.js';
import { emptyCounts, SymbolDetector, type DetectionCounts } from '../../shared/core/rules.js';
import { batchTable, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import { StateConflictError, type SymbolStateStore } from '../../shared/state/symbolStateStore.js';

/** Optimistic-concurrency retries before giving up (the delivery is then retried as a whole). */
const MAX_CONFLICTS = 3;

export interface DetectDependencies {
  config: DetectionConfig;
  store: Pick<SymbolStateStore, 'load' | 'commit'>;
  publish: (alerts: Alert[]) => Promise<void>;
}

export type DetectOutcome =
  | { kind: 'redelivered'; batch: string }
  | { kind: 'detected'; batch: string; counts: DetectionCounts; attempts: number };

export function batchKey(batch: BarBatch): string {
  return `${batch.object}@${batch.generation}#${batch.seq}`;
}

export async function detectBarBatch(batch: BarBatch, deps: DetectDependencies): Promise<DetectOutcome> {
  const key = batchKey(batch);
  const { table, rows } = batchTable(batch);
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.load(batch.symbol);
    if (stored.lastBatch === key) return { kind: 'redelivered', batch: key };

    const detector = new SymbolDetector(batch.symbol, deps.config, stored.state);
    const counts = emptyCounts();
    const alerts: Alert[] = [];
    detector.run(table, rows, { object: batch.object, generation: batch.generation }, counts, (finding) =>
      alerts.push(alertOf(finding)),
    );
    if (alerts.length > 0) await deps.publish(alerts);
    try {
      await deps.store.commit(
        batch.symbol,
        stored,
        { state: detector.toState(), alertCount: stored.alertCount + counts.alerts, lastBatch: key },
        { ingestionId: ingestionId(batch.object, batch.generation), ...counts },
      );
      return { kind: 'detected', batch: key, counts, attempts: attempt };
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= MAX_CONFLICTS) throw error;
    }
  }
}
