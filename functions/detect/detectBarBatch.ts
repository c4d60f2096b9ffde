/**
 * Detection of one bar batch against the symbol's stored state. The order makes redelivery safe:
 * alerts are published before the state that records them is committed, so a crash in between repeats the
 * publication (the same alerts at the same version, which notify writes once) and never loses it; a crash after
 * the commit finds the batch itself recorded as done (or its bars repeats) and does nothing. Bars at or before
 * the symbol's latest minute are detected in their place (contract §2, see inPlace).
 */
import { alertOf } from '../../shared/core/alert.js';
import { episodeOf } from '../../shared/core/episodes.js';
import type { BarTable } from '../../shared/core/barTable.js';
import type { AlertSource } from '../../shared/core/finding.js';
import type { EpisodeState, SymbolState } from '../../shared/core/symbolState.js';
import { barHours, HistoryFormatError, type BarHour, type BarHistory } from '../../shared/state/barStore.js';
import type { DetectionConfig } from '../../shared/core/detectionParameters.js';
import { emptyCounts, SymbolDetector, type DetectionCounts } from '../../shared/core/rules.js';
import { reviseHistory, type BarRef, type EpisodeChange } from '../../shared/core/revision.js';
import { batchTable, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { dayOf } from '../../shared/pipeline/barBytes.js';
import type { AlertRevision, RevisionCause } from '../../shared/pipeline/alertMessage.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import type { Timestamp } from '@google-cloud/firestore';
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
  /**
   * Publishes a batch's alerts, each with what became of it, as of the symbol's commit `version`; resolves once
   * Pub/Sub has them all.
   */
  publish: (alerts: AlertRevision[], version: number, cause?: RevisionCause) => Promise<void>;
  /** Faults injected at each step (the local fault tests); none when absent. */
  faults?: FaultInjector;
  /**
   * The writes of the episodes a batch changed and of its processed bars (docs/records.md), which land with its
   * state commit, for a commit requiring the state version `read`; none when absent.
   */
  companions?: (
    episodes: readonly EpisodeChange[],
    bars: readonly BarHour[],
    cause: RevisionCause | undefined,
    read: Timestamp | undefined,
  ) => Promise<Companions>;
  /** The symbols' detected bars, read to detect a late bar in its place (contract §2). */
  history?: BarHistory;
  /** The time, for a revision's cause (tests fix it). */
  now?: () => Date;
}

/** A batch's companion writes, and what to tell their owner once the commit they went with landed. */
export interface Companions {
  writes: CompanionWrite[];
  /** Called with the state's new version once the commit has landed (not when it failed). */
  committed?: (version: Timestamp) => void;
}

/** What a batch did beyond detecting its bars in order: the alerts its late bars revised and withdrew. */
export interface RevisionCounts {
  revised: number;
  withdrawn: number;
}

export type BatchOutcome =
  | { kind: 'redelivered'; batch: string }
  | { kind: 'detected'; batch: string; counts: DetectionCounts; revisions: RevisionCounts };

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
          commits: stored.commits,
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
  const source = { object: batch.object, generation: batch.generation };
  const last = stored.state.lastMinute;
  // The usual case: every bar after the symbol's latest, detected in order from its state.
  const detected =
    last === null || rows.length === 0 || table.minute(rows[0]!) > last
      ? inOrder(batch.symbol, table, rows, source, stored, deps.config)
      : await inPlace(batch, table, rows, last, stored, deps);
  const { counts, alerts, episodes, state, processed, cause } = detected;
  const revisions: RevisionCounts = { revised: 0, withdrawn: 0 };
  for (const { change } of alerts) {
    if (change === 'revised') revisions.revised++;
    if (change === 'withdrawn') revisions.withdrawn++;
  }
  const companions = await deps.companions?.(
    episodes,
    barHours(batch.symbol, table, processed, source),
    cause,
    stored.version,
  );
  const version = stored.commits + 1;
  if (alerts.length > 0) {
    await deps.publish(alerts, version, cause);
    deps.faults?.at('detect.after-publish');
  }
  deps.faults?.at('detect.before-commit');
  const committed = await deps.store.commit(
    batch.symbol,
    stored,
    {
      state,
      alertCount: stored.alertCount + counts.alerts - revisions.withdrawn,
      commits: version,
      lastBatch: key,
      recent: withDone(stored.recent, batch),
    },
    { ingestionId: ingestionId(batch.object, batch.generation), ...counts, ...revisions },
    dequeued,
    companions?.writes,
  );
  companions?.committed?.(committed);
  deps.faults?.at('detect.after-commit');
  return { kind: 'detected', batch: key, counts, revisions };
}

/** What detecting a batch gives, to publish and commit. */
interface Detected {
  counts: DetectionCounts;
  alerts: AlertRevision[];
  episodes: EpisodeChange[];
  state: SymbolState;
  /** The batch's rows detected, in ascending minutes (their bars are stored). */
  processed: number[];
  /** Set when the batch revised alerts detected before. */
  cause?: RevisionCause;
}

/** Every row after the symbol's latest minute: the rules run on from its state. */
function inOrder(
  symbol: string,
  table: BarTable,
  rows: ArrayLike<number>,
  source: AlertSource,
  stored: StoredSymbolState,
  config: DetectionConfig,
  counts = emptyCounts(),
): Detected {
  const detector = new SymbolDetector(symbol, config, stored.state);
  const alerts: AlertRevision[] = [];
  // Each episode the batch touched, as it stands after the batch (the detector changes it in place).
  const episodes = new Set<EpisodeState>();
  detector.run(table, rows, source, counts, (finding) => {
    alerts.push({ alert: alertOf(finding), change: 'new' });
    episodes.add(finding.episode);
  });
  return {
    counts,
    alerts,
    episodes: [...episodes].map((episode) => ({ kind: 'updated', episode: episodeOf(symbol, episode) })),
    state: detector.toState(),
    processed: Array.from(rows),
  };
}

/**
 * A batch with bars at or before the symbol's latest minute (contract §2): those beyond the lateness horizon are
 * too late, those at a minute already detected are repeats, and the rest are detected in their place, with the
 * alerts and episodes they change revised.
 */
async function inPlace(
  batch: BarBatch,
  table: BarTable,
  rows: Uint32Array,
  last: number,
  stored: StoredSymbolState,
  deps: DetectDependencies,
): Promise<Detected> {
  const { config } = deps;
  const counts = emptyCounts();
  const horizon = last - config.latenessHorizonMinutes;
  const older: number[] = [];
  const following: number[] = [];
  for (const row of rows) {
    const minute = table.minute(row);
    if (minute > last) following.push(row);
    else if (minute < horizon) counts.tooLate++;
    else older.push(row);
  }
  const source = { object: batch.object, generation: batch.generation };
  if (older.length === 0) return inOrder(batch.symbol, table, following, source, stored, config, counts);
  if (deps.history === undefined) throw new TypeError('detect was given no bar history to revise from');

  // The stored days from a few before the first older bar's (its previous bar and window, usually) to the latest;
  // further back only if the revision asks (see reviseHistory).
  const first = await deps.history.firstDay(batch.symbol);
  const earliest = first ?? dayOf(last);
  let fromDay = maxDay(earliest, dayOf(table.minute(older[0]!) - LOOK_BACK_DAYS * MINUTES_PER_DAY));
  let history = await deps.history.read(batch.symbol, fromDay, dayOf(last));
  let complete = fromDay <= earliest;
  if (history.length === 0) {
    // Every detected bar is stored with its state (bars/): none there means they were lost or never kept.
    throw new HistoryFormatError(`${batch.symbol}: no stored bars to detect late bars against`);
  }
  const seen = new Set(history.map((bar) => bar.table.minute(bar.row)));
  const inserted: BarRef[] = [];
  const insertedRows: number[] = [];
  for (const row of older) {
    if (seen.has(table.minute(row))) counts.repeats++;
    else {
      inserted.push({ table, row, source });
      insertedRows.push(row);
    }
  }
  if (inserted.length === 0) return inOrder(batch.symbol, table, following, source, stored, config, counts);

  const followingRefs = following.map((row): BarRef => ({ table, row, source }));
  for (;;) {
    const outcome = reviseHistory({
      symbol: batch.symbol,
      config,
      history,
      complete,
      inserted,
      following: followingRefs,
    });
    if (outcome.kind === 'revised') {
      counts.processed = inserted.length + following.length;
      counts.late = inserted.length;
      const alerts = outcome.alerts.map(({ kind, alert }): AlertRevision => ({ alert, change: kind }));
      for (const { alert, change } of alerts) {
        if (change !== 'new' && change !== 'late') continue;
        counts.alerts++;
        if (alert.rules.includes('A1')) counts.a1++;
        if (alert.rules.includes('A2')) counts.a2++;
      }
      // No alert since the revision's start: the latest episode is still the stored one, if it ended before.
      const kept = stored.state.episode;
      const episode =
        outcome.state.episode ??
        (kept !== null && kept.end < outcome.from - config.episodeGapMinutes ? kept : null);
      return {
        counts,
        alerts,
        episodes: outcome.episodes,
        state: { ...outcome.state, episode },
        processed: [...insertedRows, ...following].sort((a, b) => table.minute(a) - table.minute(b)),
        cause: { ...source, at: (deps.now?.() ?? new Date()).toISOString() },
      };
    }
    // The history does not yet show where the episode the late bars may join began: read further back.
    const before = dayOf(minuteOfDay(fromDay) - 1);
    const earlier = maxDay(earliest, dayOf(minuteOfDay(fromDay) - LOOK_BACK_DAYS * MINUTES_PER_DAY));
    history = [...(await deps.history.read(batch.symbol, earlier, before)), ...history];
    fromDay = earlier;
    complete = fromDay <= earliest;
  }
}

/** Days read before a late bar's, and at each step further back: a weekend and a holiday or two. */
const LOOK_BACK_DAYS = 4;
const MINUTES_PER_DAY = 1440;
const minuteOfDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / 60_000;
const maxDay = (a: string, b: string) => (a > b ? a : b);
