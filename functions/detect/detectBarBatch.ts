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
import type { StoredSymbolState, SymbolStateStore } from '../../shared/state/symbolStateStore.js';

export interface DetectDependencies {
  config: DetectionConfig;
  store: SymbolStateStore;
  /** Publishes a batch's alerts; resolves once Pub/Sub has them all. */
  publish: (alerts: Alert[]) => Promise<void>;
}

export type BatchOutcome =
  { kind: 'redelivered'; batch: string } | { kind: 'detected'; batch: string; counts: DetectionCounts };

export function batchKey(batch: Pick<BarBatch, 'object' | 'generation' | 'seq'>): string {
  return `${batch.object}@${batch.generation}#${batch.seq}`;
}

/**
 * Runs the rules over the batch from the state read and commits the result; `dequeued` is the position of the
 * held record this batch is, taken off the queue in the same commit.
 * @throws StateConflictError when another delivery committed first (re-read and run again)
 */
export async function detectBarBatch(
  batch: BarBatch,
  stored: StoredSymbolState,
  deps: DetectDependencies,
  dequeued?: number,
): Promise<BatchOutcome> {
  const key = batchKey(batch);
  if (stored.lastBatch === key) {
    // Committed before; a held copy of it only leaves the queue.
    if (dequeued !== undefined) {
      await deps.store.commit(
        batch.symbol,
        stored,
        { state: stored.state, alertCount: stored.alertCount, lastBatch: key },
        undefined,
        dequeued,
      );
    }
    return { kind: 'redelivered', batch: key };
  }
  const { table, rows } = batchTable(batch);
  const detector = new SymbolDetector(batch.symbol, deps.config, stored.state);
  const counts = emptyCounts();
  const alerts: Alert[] = [];
  detector.run(table, rows, { object: batch.object, generation: batch.generation }, counts, (finding) =>
    alerts.push(alertOf(finding)),
  );
  if (alerts.length > 0) await deps.publish(alerts);
  await deps.store.commit(
    batch.symbol,
    stored,
    { state: detector.toState(), alertCount: stored.alertCount + counts.alerts, lastBatch: key },
    { ingestionId: ingestionId(batch.object, batch.generation), ...counts },
    dequeued,
  );
  return { kind: 'detected', batch: key, counts };
}
