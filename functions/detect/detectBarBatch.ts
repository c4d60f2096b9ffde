/**
 * Detection of one bar batch against the symbol's stored state. The order makes redelivery safe:
 * alerts are published before the state that records them is committed, so a crash in between repeats the
 * publication (notify overwrites by id) and never loses it; a crash after the commit finds the batch's bars
 * late, or the batch itself recorded as the last one, and does nothing.
 */
import { alertOf, type Alert } from '../../shared/core/alert.js';
import { episodeOf, type Episode } from '../../shared/core/episodes.js';
import type { EpisodeState } from '../../shared/core/symbolState.js';
import { barDays, type BarDay } from '../../shared/state/barStore.js';
import type { DetectionConfig } from '../../shared/core/detectionParameters.js';
import { emptyCounts, SymbolDetector, type DetectionCounts } from '../../shared/core/rules.js';
import { batchTable, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import type { FaultInjector } from '../../shared/faultInjection.js';
import type {
  CompanionWrite,
  RecentBatch,
  StoredSymbolState,
  SymbolStateStore,
} from '../../shared/state/symbolStateStore.js';

export interface DetectDependencies {
  config: DetectionConfig;
  store: SymbolStateStore;
  /** Publishes a batch's alerts; resolves once Pub/Sub has them all. */
  publish: (alerts: Alert[]) => Promise<void>;
  /** Faults injected at each step (the local fault tests); none when absent. */
  faults?: FaultInjector;
  /**
   * The writes of the episodes a batch touched and of its processed bars (docs/records.md), which land with its
   * state commit; none when absent.
   */
  companions?: (episodes: readonly Episode[], bars: readonly BarDay[]) => Promise<CompanionWrite[]>;
}

export type BatchOutcome =
  { kind: 'redelivered'; batch: string } | { kind: 'detected'; batch: string; counts: DetectionCounts };

export function batchKey(batch: Pick<BarBatch, 'object' | 'generation' | 'seq'>): string {
  return `${batch.object}@${batch.generation}#${batch.seq}`;
}

/** How many object generations a symbol remembers its furthest batch of. */
export const RECENT_OBJECTS = 16;

/**
 * The key a batch's progress is remembered under: its object generation and how many batches it was split
 * into, since another split of the same object (BATCH_MINUTES changed between attempts) numbers other minutes.
 */
const progressKey = (batch: Pick<BarBatch, 'object' | 'generation' | 'of'>) =>
  `${batch.object}@${batch.generation}/${batch.of}`;

/**
 * Whether the batch was committed before: ingest produces an object's batches of a symbol in order, to one
 * partition, so any batch at or before the furthest one committed of its object generation is a repeat.
 */
export function isDone(
  recent: readonly RecentBatch[],
  batch: Pick<BarBatch, 'object' | 'generation' | 'seq' | 'of'>,
) {
  const object = progressKey(batch);
  const entry = recent.find((done) => done.object === object);
  return entry !== undefined && entry.seq >= batch.seq;
}

/** `recent` once the batch is committed: its object generation moved to the newest place. */
export function withDone(
  recent: readonly RecentBatch[],
  batch: Pick<BarBatch, 'object' | 'generation' | 'seq' | 'of'>,
) {
  const object = progressKey(batch);
  return [...recent.filter((done) => done.object !== object), { object, seq: batch.seq }].slice(
    -RECENT_OBJECTS,
  );
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
  if (isDone(stored.recent, batch)) {
    // Committed before; a held copy of it only leaves the queue.
    if (dequeued !== undefined) {
      await deps.store.commit(
        batch.symbol,
        stored,
        {
          state: stored.state,
          alertCount: stored.alertCount,
          lastBatch: stored.lastBatch ?? key,
          recent: stored.recent,
        },
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
  // Each episode the batch touched, as it stands after the batch (the detector changes it in place).
  const episodes = new Set<EpisodeState>();
  detector.run(table, rows, { object: batch.object, generation: batch.generation }, counts, (finding) => {
    alerts.push(alertOf(finding));
    episodes.add(finding.episode);
  });
  // A batch's minutes ascend, so the bars after the state's last minute are exactly those processed.
  const after = stored.state.lastMinute ?? -Infinity;
  const processed = Array.from(rows).filter((row) => table.minute(row) > after);
  const companions =
    (await deps.companions?.(
      [...episodes].map((episode) => episodeOf(batch.symbol, episode)),
      barDays(batch.symbol, table, processed),
    )) ?? [];
  if (alerts.length > 0) {
    await deps.publish(alerts);
    deps.faults?.at('detect.after-publish');
  }
  deps.faults?.at('detect.before-commit');
  await deps.store.commit(
    batch.symbol,
    stored,
    {
      state: detector.toState(),
      alertCount: stored.alertCount + counts.alerts,
      lastBatch: key,
      recent: withDone(stored.recent, batch),
    },
    { ingestionId: ingestionId(batch.object, batch.generation), ...counts },
    dequeued,
    companions,
  );
  deps.faults?.at('detect.after-commit');
  return { kind: 'detected', batch: key, counts };
}
