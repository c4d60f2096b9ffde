/** The list endpoints' query parameters (docs/console-api.md "Query filters"), checked into a ListQuery; 400 names the one at fault. */
import { badParameter } from './http/httpError.js';
import { decodeCursor } from '../readModel/cursor.js';
import type { ListQuery } from '../readModel/listQuery.js';
import { DEFAULT_SORT, SORTS, type Sort } from '../readModel/ranking.js';
import { isStatus, STATUSES } from '../readModel/statuses.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const KNOWN = new Set([
  'sort',
  'symbol',
  'rule',
  'from',
  'to',
  'status',
  'minSeverity',
  'minScore',
  'after',
  'limit',
]);

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw badParameter(name, 'given more than once');
  return values[0];
}

function instant(params: URLSearchParams, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  // ISO 8601 with a date: Date.parse alone also takes forms like 'March 7'.
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw badParameter(name, `not an ISO 8601 time: '${text}'`);
  return at;
}

function minimum(params: URLSearchParams, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw badParameter(name, `not a number: '${text}'`);
  return value;
}

export function listQueryOf(params: URLSearchParams): ListQuery {
  for (const name of params.keys()) if (!KNOWN.has(name)) throw badParameter(name, 'unknown parameter');
  const sortText = single(params, 'sort') ?? DEFAULT_SORT;
  if (!(SORTS as readonly string[]).includes(sortText))
    throw badParameter('sort', `must be one of ${SORTS.join(', ')}`);
  const sort = sortText as Sort;
  const query: ListQuery = { sort, limit: DEFAULT_LIMIT };

  const symbol = single(params, 'symbol');
  if (symbol !== undefined) {
    if (symbol === '') throw badParameter('symbol', 'empty');
    query.symbol = symbol;
  }
  const rule = single(params, 'rule');
  if (rule !== undefined) {
    if (rule !== 'A1' && rule !== 'A2') throw badParameter('rule', 'must be A1 or A2');
    query.rule = rule;
  }
  const from = instant(params, 'from');
  if (from !== undefined) query.from = from;
  const to = instant(params, 'to');
  if (to !== undefined) query.to = to;
  const status = single(params, 'status');
  if (status !== undefined) {
    if (!isStatus(status)) throw badParameter('status', `must be one of ${STATUSES.join(', ')}`);
    query.status = status;
  }
  const minSeverity = minimum(params, 'minSeverity');
  if (minSeverity !== undefined) query.minSeverity = minSeverity;
  const minScore = minimum(params, 'minScore');
  if (minScore !== undefined) query.minScore = minScore;
  const limit = single(params, 'limit');
  if (limit !== undefined) {
    const value = Number(limit);
    if (!/^\d+$/.test(limit) || value < 1 || value > MAX_LIMIT) {
      throw badParameter('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    query.limit = value;
  }
  const after = single(params, 'after');
  if (after !== undefined) {
    const key = decodeCursor(after, sort);
    if (key === undefined) throw badParameter('after', `not a cursor of this list sorted by ${sort}`);
    query.after = key;
  }
  return query;
}
