/**
 * A list's filters as they sit in the URL (#/alerts?symbol=X&from=2017-01-02) and as the API takes them
 * (from/to as ISO instants). Dates in the URL are exchange-zone days: `from` is the start of its day, `to` the
 * end of its day, so "from 2 Jan to 2 Jan" means that whole exchange day. Pure: unit-tested.
 */
import type { Rule, Status } from '../api/contract.js';
import { STATUSES, type ListQuery } from './api.js';
import { zonedToUtcMs } from './format.js';

/** The URL parameters a list keeps, in the order the filter bar shows them. */
export const FILTER_KEYS = [
  'sort',
  'symbol',
  'rule',
  'from',
  'to',
  'status',
  'minSeverity',
  'minScore',
  'limit',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An exchange-zone day `YYYY-MM-DD` as the ISO instant of its start (or, with `end`, its last millisecond). */
export function dayToIso(day: string, timeZone: string, end = false): string | undefined {
  const match = DAY.exec(day);
  if (match === null) return Number.isNaN(Date.parse(day)) ? undefined : new Date(day).toISOString();
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = zonedToUtcMs({ year, month, day: date, hour: 0, minute: 0, second: 0 }, timeZone);
  if (!end) return new Date(start).toISOString();
  const next = new Date(Date.UTC(year, month - 1, date + 1));
  const nextStart = zonedToUtcMs(
    {
      year: next.getUTCFullYear(),
      month: next.getUTCMonth() + 1,
      day: next.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    timeZone,
  );
  return new Date(nextStart - 1).toISOString();
}

/** The API query of a list's URL parameters (unknown values are passed on for the server to refuse). */
export function queryFromParams(params: URLSearchParams, timeZone: string): ListQuery {
  const query: ListQuery = {};
  const sort = params.get('sort');
  if (sort === 'score' || sort === 'newest' || sort === 'severity') query.sort = sort;
  const symbol = params.get('symbol');
  if (symbol) query.symbol = symbol;
  const rule = params.get('rule');
  if (rule) query.rule = rule as Rule;
  const from = params.get('from');
  if (from) query.from = dayToIso(from, timeZone) ?? from;
  const to = params.get('to');
  if (to) query.to = dayToIso(to, timeZone, true) ?? to;
  const status = params.get('status');
  if (status) query.status = status as Status;
  const minSeverity = params.get('minSeverity');
  if (minSeverity) query.minSeverity = minSeverity;
  const minScore = params.get('minScore');
  if (minScore) query.minScore = minScore;
  const limit = Number(params.get('limit'));
  if (Number.isInteger(limit) && limit > 0) query.limit = limit;
  return query;
}

/** Parameters with one filter changed (an empty value removes it), keeping the others as they are. */
export function withFilter(params: URLSearchParams, key: FilterKey, value: string): URLSearchParams {
  const next = new URLSearchParams();
  for (const name of FILTER_KEYS) {
    const current = name === key ? value : (params.get(name) ?? '');
    if (current !== '') next.set(name, current);
  }
  return next;
}

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}
