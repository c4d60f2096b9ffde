/**
 * The shapes of the console's API (docs/console-api.md), declared once for both sides: the server (console/)
 * builds its answers as these types and the web app (console/web/) reads them as these types. Types only, so
 * that a type-only import erases at compile time: the browser never loads this module, nor any server code.
 */

export type Rule = 'A1' | 'A2';

/** The triage statuses in their order; console/readModel/statuses.ts and console/web/api.ts hold the list. */
export type Statuses = readonly ['new', 'investigating', 'escalated', 'dismissed', 'confirmed'];
export type Status = Statuses[number];

/** A rule's figures, as the alert document holds them (docs/records.md). */
export interface A1Detail {
  prevClose: number;
  prevTimestamp: string;
  changePct: number;
  severity: number | null;
}

export interface A2Detail {
  avgVolume: number;
  windowBars: number;
  volumeRatio: number | null;
  severity: number | null;
}

/**
 * What a late bar did to an alert (contract §2; docs/records.md, `alerts/` fields `revision` and `withdrawn`):
 * `late`, it raised the alert after later minutes were detected; `revised`, it changed the alert's figures;
 * `withdrawn`, the alert no longer fires.
 */
export interface AlertMark {
  kind: 'late' | 'revised' | 'withdrawn';
  /** When detect revised, ISO 8601 UTC. */
  at: string;
  /** The object generation whose late bars did it. */
  object: string;
  generation: string;
}

/** Why an episode is no longer listed (contract §5; docs/records.md, `episodes/` field `withdrawn`). */
export interface EpisodeWithdrawal {
  /** When detect revised, ISO 8601 UTC. */
  at: string;
  /** The episode that now holds its first minute (it merged into it), or null: no episode does. */
  into: string | null;
  /** The object generation whose late bars regrouped it. */
  object: string;
  generation: string;
}

/** The factors of a suspicion score, in the order they are shown and summed (shared/core/suspicion). */
export type ScoreFactorId = 'move' | 'volume' | 'market' | 'shape' | 'close' | 'liquidity';

/**
 * An episode's suspicion score (contract §6; docs/records.md, the `score*` fields of `episodes/`): why it ranks
 * where it does. Absent from a row: the episode is not scored (stored before scores existed).
 */
export interface EpisodeScore {
  /** 0 to 100, one decimal. */
  score: number;
  /** False while the market's minute was incomplete when it was made: provisional. */
  settled: boolean;
  /** What the symbol's figures were measured against: its usual day, its recent bars, or nothing. */
  baseline: 'usual' | 'recent' | 'none';
  /** Each factor's points (one decimal, negative for what explains the episode away) and the figures behind them. */
  factors: Array<{ factor: ScoreFactorId; points: number; detail: string }>;
  /** Each alert's part (its minute, ISO 8601 UTC, and points), in minute order. */
  alerts: Array<{ minute: string; points: number }>;
}

/** What the score was measured against at one minute of the episode: what the alert's chart draws. */
export interface ScoreContextPoint {
  /** Unix seconds, UTC. */
  time: number;
  /** The symbol's usual volume at that time of day, or null without a baseline. */
  usualVolume: number | null;
  /** The market's move that minute, in percent, or null without enough other symbols. */
  marketMovePct: number | null;
}

export interface AlertRow {
  id: string;
  symbol: string;
  /** ISO 8601 UTC, `...:00Z`. */
  timestamp: string;
  rules: Rule[];
  severity: number | null;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  a1?: A1Detail;
  a2?: A2Detail;
  source: { object: string; generation?: string; line: number };
  episode: string;
  /** Its episode's triage status. */
  status: Status;
  /** Its episode's suspicion score (what the alerts list ranks by first); absent: not scored. */
  score?: number;
  /** Set when a late bar raised or changed it (kind `late` or `revised`). */
  revision?: AlertMark;
  /** Set when a late bar made it stop firing: the figures are as they were, and no list shows it. */
  withdrawn?: AlertMark;
}

export interface EpisodeRow {
  id: string;
  symbol: string;
  start: string;
  end: string;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
  /** Absent: not scored. */
  score?: EpisodeScore;
  status: Status;
  assignee?: string;
  notes?: string;
  updatedAt?: string;
  updatedBy?: string;
  /** Set when a late bar regrouped it away: no list shows it, its triage and history are kept. */
  withdrawn?: EpisodeWithdrawal;
}

export interface HistoryEntry {
  at: string;
  by: string;
  from: Status;
  to: Status;
  assignee?: string;
  notes?: string;
  comment?: string;
}

/** GET /api/alerts, GET /api/episodes. */
export interface Page<T> {
  items: T[];
  /** The cursor of the next page, absent on the last. */
  next?: string;
  total: number;
}

/** GET /api/alerts/:id. */
export interface AlertDetail {
  alert: AlertRow;
  episode: EpisodeRow | null;
}

/** GET /api/episodes/:id. */
export interface EpisodeDetail {
  episode: EpisodeRow;
  /** Time order. */
  alerts: AlertRow[];
  /** Newest first. */
  history: HistoryEntry[];
  /**
   * The withdrawn episodes merged into this one (their `withdrawn.into` is its id), in order of start, each
   * with its triage and history: what analysts recorded on them is shown here, where the alerts now are.
   */
  merged: MergedEpisode[];
}

/** A withdrawn episode that merged into another, as the other's detail shows it. */
export interface MergedEpisode {
  episode: EpisodeRow;
  /** Newest first. */
  history: HistoryEntry[];
}

/** POST /api/episodes/:id/triage: the body. */
export interface TriageRequest {
  status: Status;
  /** Omitted: unchanged; empty: cleared. */
  assignee?: string;
  notes?: string;
  /** Why; required (non-empty) to close as dismissed or confirmed. */
  comment?: string;
  /**
   * The triage's `updatedAt` (ISO) the caller saw, or null for an episode it saw untriaged: when the episode
   * was changed since, the request is refused (409) rather than overwrite a colleague's decision unseen.
   * Omitted: no check.
   */
  seen?: string | null;
}

/** POST /api/episodes/:id/triage: the answer. */
export interface TriageAnswer {
  episode: EpisodeRow;
  history: HistoryEntry[];
}

/** The detection settings the chart draws (the server's own). */
export interface Thresholds {
  a1: number;
  a2: number;
  windowMinutes: number;
}

export interface ChartBar {
  /** Unix seconds, UTC. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Another alert of the same symbol and UTC day. */
export interface SessionAlert {
  id: string;
  timestamp: string;
  rules: Rule[];
  severity: number | null;
}

/** GET /api/alerts/:id/chart. */
export interface ChartResponse {
  alert: AlertRow;
  /** The exchange zone of the detection settings. */
  timeZone: string;
  thresholds: Thresholds;
  bars: ChartBar[];
  sessionAlerts: SessionAlert[];
  prevClose: number | null;
  prevTime: number | null;
  window: { from: number; to: number; mean: number | null; limit: number | null };
  /**
   * What the episode's score was measured against, at each of its minutes on this chart's UTC day, in time
   * order; empty when the episode is not scored or kept no context.
   */
  scoreContext: ScoreContextPoint[];
}

/** An ingestion's quality report, as stored (shared/core/report.ts); a rejected object's may lack figures. */
export interface IngestionReport {
  object?: string;
  status?: 'accepted' | 'rejected';
  error?: string;
  missingColumns?: string[];
  dataRows?: number;
  accepted?: number;
  bad?: { count: number; byReason: Record<string, number> };
  duplicates?: { count: number; conflicting: number };
  outOfOrder?: number;
  gaps?: { count: number; missingMinutes: number; largest: number };
  symbols?: string[];
  firstMinute?: string | null;
  lastMinute?: string | null;
}

/** GET /api/ingestions: one item. */
export interface IngestionRow {
  id: string;
  object: string;
  generation: string;
  status: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  report?: IngestionReport;
  /** Bars detected in their place after a later minute of their symbol (contract §2). */
  late: number;
  /** Bars not detected: a minute already detected, or past the lateness horizon. */
  repeats: number;
  tooLate: number;
  processed: number;
  alerts: number;
  /** Alerts detected before that this object's late bars changed or withdrew. */
  revised: number;
  withdrawn: number;
  /** The quarantine object's name, when rows were set aside. */
  setAside?: string;
}

export interface PartitionLag {
  partition: number;
  /** The group's committed offset, or null when it has committed none. */
  committed: number | null;
  /** The first offset the topic still keeps. */
  logStart: number;
  end: number;
  lag: number;
  /** Records retention removed before the group handled them (committed < logStart): never detected. An alarm. */
  expired: number;
  /**
   * When the oldest record not yet handled was written to Kafka (its timestamp), ISO 8601 UTC; null when nothing
   * waits, or when it is not known yet (the partition moved on since it was last read).
   */
  waitingSince: string | null;
}

export interface KafkaHealth {
  topic: string;
  group: string;
  partitions: PartitionLag[];
  totalLag: number;
  totalExpired: number;
  /** Why the waiting records' times could not be read (the lag itself was). */
  waitingSinceError?: string;
}

/** The alert messages Pub/Sub gave up delivering to notify, on the anomalies dead-letter subscription. */
export interface NotifyDeadLetters {
  subscription: string;
  count: number;
  /** When the oldest was dead-lettered, ISO 8601 UTC; Pub/Sub drops it 7 days after. */
  oldest: string | null;
}

export interface DeadLetterRow {
  partition: number;
  offset: string;
  symbol?: string;
  reason?: string;
  at?: string;
}

export interface SymbolHealth {
  symbol: string;
  lastMinute: string | null;
  held: boolean;
  alerts: number;
}

/** GET /api/health: each Kafka part, and Pub/Sub's, fails on its own, as `{ error }`. */
export interface Health {
  kafka: KafkaHealth | { error: string };
  deadLetters: DeadLetterRow[] | { error: string };
  notifyDeadLetters: NotifyDeadLetters | { error: string };
  symbols: SymbolHealth[];
  ingestions: { running: IngestionRow[]; failed: IngestionRow[] };
  /** What was sent and will never be detected, and the late bars detected in their place. */
  undetected: UndetectedHealth;
}

export interface UndetectedCounts {
  /** Bars past the lateness horizon against their symbol's latest minute (contract §2): never detected. */
  tooLate: number;
  /** Rows set aside as later than the reader's clock, or with a symbol outside the grammar (contract §1). */
  future: number;
  symbol: number;
  /** Bars detected in their place after a later minute of their symbol. */
  late: number;
}

export interface UndetectedHealth extends UndetectedCounts {
  /** Per object generation with any of the above. */
  objects: Array<{ object: string; generation: string } & UndetectedCounts>;
}

/** GET /api/meta. */
export interface Meta {
  symbols: string[];
  statuses: Status[];
  user: string;
  version: string;
  /** The exchange zone of the server's detection settings (EXCHANGE_TIMEZONE): every time is shown in it. */
  timeZone: string;
}

/** GET /api/events: the data of a `change` event. */
export interface ChangeEvent {
  alerts: number;
  episodes: number;
  /** The newest alert's time, ISO 8601 UTC. */
  newest: string | null;
}

/** The body of any answer other than 200. */
export interface ErrorBody {
  error: string;
}
