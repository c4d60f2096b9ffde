/**
 * The console API's client: the shapes of /work/console-spec/API.md (the contract the server keeps), and one
 * function per endpoint. Every failure becomes an ApiError carrying the HTTP status and the server's own
 * `error` text, so a page can show exactly what the server said (a 400 names the bad parameter).
 */

export type Rule = 'A1' | 'A2';
export const STATUSES = ['new', 'investigating', 'escalated', 'dismissed', 'confirmed'] as const;
export type Status = (typeof STATUSES)[number];
/** Closing statuses need a comment (the server refuses them without one, with a 400). */
export const CLOSING_STATUSES: readonly Status[] = ['dismissed', 'confirmed'];

export interface A1Detail {
  prevClose: number;
  prevTimestamp: string;
  changePct: number;
  severity?: number | null;
}

export interface A2Detail {
  avgVolume: number;
  windowBars: number;
  volumeRatio: number | null;
  severity?: number | null;
}

export interface AlertRow {
  id: string;
  symbol: string;
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
  status: Status;
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
  status: Status;
  assignee?: string;
  notes?: string;
  updatedAt?: string;
  updatedBy?: string;
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

export interface Page<T> {
  items: T[];
  next?: string;
  total: number;
}

export interface ChartBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SessionAlert {
  id: string;
  timestamp: string;
  rules: Rule[];
  severity: number | null;
}

export interface ChartResponse {
  alert: AlertRow;
  timeZone: string;
  thresholds: { a1: number; a2: number; windowMinutes: number };
  bars: ChartBar[];
  sessionAlerts: SessionAlert[];
  prevClose: number | null;
  prevTime: number | null;
  window: { from: number; to: number; mean: number | null; limit: number | null };
}

export interface IngestionReport {
  accepted?: number;
  bad?: { count: number; byReason: Record<string, number> };
  duplicates?: { count: number; conflicting: number };
  outOfOrder?: number;
  gaps?: { count: number; missingMinutes: number; largest: number };
  [field: string]: unknown;
}

export interface IngestionRow {
  id: string;
  object: string;
  generation: string;
  status: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  report?: IngestionReport;
  late?: number;
  processed?: number;
  alerts?: number;
  setAside?: string;
}

export interface KafkaHealth {
  topic: string;
  group: string;
  partitions: { partition: number; committed: number | string | null; end: number | string; lag: number }[];
  totalLag: number;
}

export interface DeadLetter {
  partition: number;
  offset: number | string;
  symbol?: string;
  error?: string;
  reason?: string;
  at?: string;
}

export interface Health {
  kafka: KafkaHealth | { error: string };
  deadLetters: DeadLetter[] | { error: string };
  symbols: { symbol: string; lastMinute: string | null; held: boolean; alerts: number }[];
  ingestions: { running: IngestionRow[]; failed: IngestionRow[] };
}

export interface Meta {
  symbols: string[];
  statuses: string[];
  user: string;
  version: string;
  /** The exchange zone of the server's detection settings: every time is shown in it. */
  timeZone: string;
}

/** The filters both lists take (API.md, "Query filters"). */
export interface ListQuery {
  sort?: 'newest' | 'severity';
  symbol?: string;
  rule?: Rule;
  from?: string;
  to?: string;
  status?: Status;
  minSeverity?: string;
  after?: string;
  limit?: number;
}

export interface TriageRequest {
  status: Status;
  assignee?: string;
  notes?: string;
  comment?: string;
}

/** A non-2xx answer (or no answer): `status` 0 means the request never got one. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * Whether trying again in a moment can help: the server is loading its read model or a backing service is
 * down (503), or there was no answer at all.
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 503 || error.status === 0);
}

/** How long the pages wait before asking again after a retriable error. */
export const RETRY_MS = 1500;

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, ...init });
  } catch (error) {
    throw new ApiError(0, `the console server did not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
        ? (body as { error: string }).error
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, `${path}: the answer is not JSON`);
  return body as T;
}

/** The query string of a list request: only the filters that are set, in a stable order. */
export function listSearch(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const key of ['sort', 'symbol', 'rule', 'from', 'to', 'status', 'minSeverity', 'after'] as const) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const enc = encodeURIComponent;

export const api = {
  alerts: (query: ListQuery) => request<Page<AlertRow>>(`/api/alerts${listSearch(query)}`),
  episodes: (query: ListQuery) => request<Page<EpisodeRow>>(`/api/episodes${listSearch(query)}`),
  alert: (id: string) => request<{ alert: AlertRow; episode: EpisodeRow | null }>(`/api/alerts/${enc(id)}`),
  chart: (id: string) => request<ChartResponse>(`/api/alerts/${enc(id)}/chart`),
  episode: (id: string) =>
    request<{ episode: EpisodeRow; alerts: AlertRow[]; history: HistoryEntry[] }>(`/api/episodes/${enc(id)}`),
  triage: (id: string, body: TriageRequest) =>
    request<{ episode: EpisodeRow; history: HistoryEntry[] }>(`/api/episodes/${enc(id)}/triage`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  ingestions: (status?: string) =>
    request<{ items: IngestionRow[] }>(`/api/ingestions${status ? `?status=${enc(status)}` : ''}`),
  setAsideUrl: (id: string) => `/api/ingestions/${enc(id)}/set-aside`,
  health: () => request<Health>('/api/health'),
  meta: () => request<Meta>('/api/meta'),
};
