/** What a list request asks for, once its parameters are checked (server/listParameters.ts reads them). */
import type { RankKey, Sort } from './ranking.js';
import type { Status } from '../api/contract.js';

export interface ListFilter {
  symbol?: string;
  rule?: 'A1' | 'A2';
  /** Inclusive bounds, ms since the epoch: an alert's timestamp, an episode's end. */
  from?: number;
  to?: number;
  status?: Status;
  /** Severity at least this; a row without a severity never matches. */
  minSeverity?: number;
  /** Suspicion score at least this (an alert's is its episode's); a row not scored never matches. */
  minScore?: number;
}

export interface ListQuery extends ListFilter {
  sort: Sort;
  after?: RankKey;
  limit: number;
}

/** A page of a list: row numbers of the table, in order. */
export interface ListPage {
  rows: number[];
  total: number;
  next?: string;
}
