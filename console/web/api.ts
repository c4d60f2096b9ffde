/**
 * The console API's client: one function per endpoint, answering the shapes of ../api/contract.ts (the types
 * the server builds its answers as; imported as types only, so the browser loads no server module). Every
 * failure becomes an ApiError carrying the HTTP status and the server's own `error` text, so a page can show
 * exactly what the server said (a 400 names the bad parameter).
 */
import type {
  AlertDetail,
  AlertRow,
  ChartResponse,
  EpisodeDetail,
  EpisodeRow,
  ErrorBody,
  Health,
  IngestionRow,
  Meta,
  Page,
  Rule,
  Status,
  Statuses,
  TriageAnswer,
  TriageRequest,
} from '../api/contract.js';

/** The contract's statuses as a value (the compiler holds it to the contract's list, in its order). */
export const STATUSES: Statuses = ['new', 'investigating', 'escalated', 'dismissed', 'confirmed'];
/** Closing statuses need a comment (the server refuses them without one, with a 400). */
export const CLOSING_STATUSES: readonly Status[] = ['dismissed', 'confirmed'];

/** The filters both lists take (docs/console-api.md, "Query filters"). */
export interface ListQuery {
  sort?: 'score' | 'newest' | 'severity';
  symbol?: string;
  rule?: Rule;
  from?: string;
  to?: string;
  status?: Status;
  minSeverity?: string;
  minScore?: string;
  after?: string;
  limit?: number;
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

/** How long the pages wait before asking again after a retriable error the first time (retry.ts doubles it). */
export const RETRY_MS = 1500;

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, ...init });
  } catch (error) {
    // A page that went cancelled its request: that is no failure of the server (retry.ts isAbort).
    if (init?.signal?.aborted) throw error;
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
      typeof body === 'object' && body !== null && typeof (body as Partial<ErrorBody>).error === 'string'
        ? (body as ErrorBody).error
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, `${path}: the answer is not JSON`);
  return body as T;
}

/** The query string of a list request: only the filters that are set, in a stable order. */
export function listSearch(query: ListQuery): string {
  const params = new URLSearchParams();
  const keys = [
    'sort',
    'symbol',
    'rule',
    'from',
    'to',
    'status',
    'minSeverity',
    'minScore',
    'after',
  ] as const;
  for (const key of keys) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const enc = encodeURIComponent;

/** Each takes the page's signal: a page that goes cancels what it asked (page.ts). */
export const api = {
  alerts: (query: ListQuery, signal?: AbortSignal) =>
    request<Page<AlertRow>>(`/api/alerts${listSearch(query)}`, { signal }),
  episodes: (query: ListQuery, signal?: AbortSignal) =>
    request<Page<EpisodeRow>>(`/api/episodes${listSearch(query)}`, { signal }),
  alert: (id: string, signal?: AbortSignal) => request<AlertDetail>(`/api/alerts/${enc(id)}`, { signal }),
  chart: (id: string, signal?: AbortSignal) =>
    request<ChartResponse>(`/api/alerts/${enc(id)}/chart`, { signal }),
  episode: (id: string, signal?: AbortSignal) =>
    request<EpisodeDetail>(`/api/episodes/${enc(id)}`, { signal }),
  triage: (id: string, body: TriageRequest, signal?: AbortSignal) =>
    request<TriageAnswer>(`/api/episodes/${enc(id)}/triage`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    }),
  // The newest 200 (the API's largest page): the page refreshes them every few seconds while one runs.
  ingestions: (status?: string, signal?: AbortSignal) =>
    request<{ items: IngestionRow[] }>(`/api/ingestions?limit=200${status ? `&status=${enc(status)}` : ''}`, {
      signal,
    }),
  setAsideUrl: (id: string) => `/api/ingestions/${enc(id)}/set-aside`,
  /** The episode's case report: a page of its own, to print or save as PDF. */
  reportUrl: (id: string) => `/api/episodes/${enc(id)}/report`,
  health: (signal?: AbortSignal) => request<Health>('/api/health', { signal }),
  meta: () => request<Meta>('/api/meta'),
};
