/**
 * The alerts list (docs/console-api.md) without holding the alerts: a page reads the alerts of the episodes it
 * reaches, and a total adds up the episodes' counts.
 *
 * **A page.** Every alert lies in its episode, and no alert comes before its episode's bound in the list's order
 * (readModel.ts `alertBounds`: the episode's score, peak severity, end and symbol). So the episodes are taken in
 * the order of their bounds, a round at a time (the first `limit + 1` of them, then more), their alerts read
 * (episodeAlerts.ts), and the rounds stop once `limit + 1` alerts are found that all come before the next
 * episode's bound: no alert of an episode not read can come before them. An episode's peak alert sits at its
 * bound, so a page reads about as many episodes as it shows alerts, fewer when episodes hold several. After a
 * cursor, the episodes whose bound is before the cursor but that may still hold alerts after it (their start, and
 * in the severity orders an unknown lowest severity, are after it) are read too: usually those the pages before
 * showed, already held.
 *
 * **A total.** Without a minimum severity, an episode wholly inside the time range counts its `count` (or its `a1`
 * or `a2` for a rule); only the episodes the range cuts (at most two a symbol) are read. With a minimum severity,
 * which an episode's fields cannot say, Firestore counts (a count() aggregation over the alerts' own fields, the
 * withdrawn ones taken off), and when the status or the score also filters, the smaller side is read: the
 * episodes that match (their alerts counted) or those the status or score leaves out (their alerts taken off the
 * count).
 */
import { encodeCursor } from './cursor.js';
import type { AlertFact, EpisodeAlerts } from './episodeAlerts.js';
import type { ListFilter, ListQuery } from './listQuery.js';
import { compareKeys, keyOf, rankPage, type RankKey, type Sort } from './ranking.js';
import type { ReadModel } from './readModel.js';
import { RULE_A1, RULE_A2 } from './ruleBits.js';

const MS_PER_MINUTE = 60_000;
/** Episodes whose alerts a total reads at once. */
const TOTAL_CHUNK = 600;
/** Episodes a round reads at most (a filter on an alert's own fields can leave many episodes' alerts out). */
const MAX_ROUND = 2000;

/** The alert fields a Firestore count() can filter on: everything but the status and the score. */
export interface AlertFieldFilter {
  symbol?: string;
  rule?: 'A1' | 'A2';
  from?: number;
  to?: number;
  minSeverity: number;
}

/** Alerts matching the filter, withdrawn ones left out (sources/alertQueries.ts). */
export type CountAlerts = (filter: AlertFieldFilter) => Promise<number>;

export interface AlertsPage {
  facts: AlertFact[];
  total: number;
  next?: string;
}

interface Keyed {
  fact: AlertFact;
  key: RankKey;
}

export function alertKeyOf(model: ReadModel, fact: AlertFact): RankKey {
  return {
    score: model.scoreOfEpisode(fact.episode),
    severity: fact.severity,
    time: fact.minute * MS_PER_MINUTE,
    tie: fact.symbol,
  };
}

/** Whether an alert's own fields (rule, time, severity) match; its episode's fields are checked on the episode. */
export function factMatches(filter: ListFilter): (fact: AlertFact) => boolean {
  const rule = filter.rule === undefined ? 0 : filter.rule === 'A1' ? RULE_A1 : RULE_A2;
  const from = filter.from === undefined ? -Infinity : filter.from / MS_PER_MINUTE;
  const to = filter.to === undefined ? Infinity : filter.to / MS_PER_MINUTE;
  const { minSeverity } = filter;
  return (fact) =>
    (fact.rules & rule) === rule &&
    fact.minute >= from &&
    fact.minute <= to &&
    (minSeverity === undefined || fact.severity >= minSeverity);
}

/** The latest place any alert of the episode row can have: its score, no severity, its start. */
function worstOf(model: ReadModel, row: number): RankKey {
  const { episodes } = model;
  return {
    score: episodes.score[row]!,
    severity: Number.NaN,
    time: episodes.start[row]!,
    tie: model.symbols.value(episodes.symbol[row]!),
  };
}

/**
 * Totals already worked out, by filter, while neither the model nor the alerts held changed: the next pages of a
 * list ask the same total again. A few dozen at most (the filters analysts have open).
 */
const TOTALS_KEPT = 64;
const totals = new WeakMap<ReadModel, Map<string, { at: string; total: number }>>();

async function rememberedTotal(
  model: ReadModel,
  alerts: EpisodeAlerts,
  query: ListQuery,
  count: CountAlerts,
): Promise<number> {
  const { sort: _sort, after: _after, limit: _limit, ...filter } = query;
  const key = JSON.stringify(filter);
  const at = `${model.version}/${alerts.drops}`;
  let kept = totals.get(model);
  if (kept === undefined) totals.set(model, (kept = new Map()));
  const known = kept.get(key);
  if (known !== undefined && known.at === at) return known.total;
  const total = await alertsTotal(model, alerts, filter, count);
  kept.delete(key);
  kept.set(key, { at, total });
  for (const oldest of kept.keys()) {
    if (kept.size <= TOTALS_KEPT) break;
    kept.delete(oldest);
  }
  return total;
}

export async function alertsPage(
  model: ReadModel,
  alerts: EpisodeAlerts,
  query: ListQuery,
  count: CountAlerts,
): Promise<AlertsPage> {
  const [rows, total] = await Promise.all([
    pageFacts(model, alerts, query),
    rememberedTotal(model, alerts, query, count),
  ]);
  const shown = rows.slice(0, query.limit);
  const last = shown.at(-1);
  return rows.length > query.limit && last !== undefined
    ? { facts: shown.map((row) => row.fact), total, next: encodeCursor(query.sort, last.key) }
    : { facts: shown.map((row) => row.fact), total };
}

/** The first `limit + 1` alerts after the cursor, in order (one more than the page: whether more follow). */
async function pageFacts(model: ReadModel, alerts: EpisodeAlerts, query: ListQuery): Promise<Keyed[]> {
  const { sort, after, limit } = query;
  const mayHold = model.episodeMayHoldAlerts(query);
  const matches = factMatches(query);
  const bounds = { ...model.alertBounds, size: model.episodes.size };
  const expected = (id: string) => model.countOf(id);
  const collected: Keyed[] = [];
  const take = (found: Map<string, AlertFact[]>) => {
    for (const facts of found.values()) {
      for (const fact of facts) {
        if (!matches(fact)) continue;
        const key = alertKeyOf(model, fact);
        if (after === undefined || compareKeys(sort, key, after) > 0) collected.push({ fact, key });
      }
    }
  };
  if (after !== undefined) take(await alerts.of(straddling(model, mayHold, sort, after), expected));
  let round = limit + 1;
  let from = after;
  for (;;) {
    const page = rankPage(bounds, sort, mayHold, from, round);
    take(
      await alerts.of(
        page.rows.map((row) => model.episodes.id(row)),
        expected,
      ),
    );
    collected.sort((a, b) => compareKeys(sort, a.key, b.key));
    const last = page.rows.at(-1);
    if (!page.more || last === undefined) break;
    const lastBound = keyOf(bounds, last);
    if (collected.length > limit && compareKeys(sort, collected[limit]!.key, lastBound) <= 0) break;
    from = lastBound;
    round = Math.min(round * 4, MAX_ROUND);
  }
  return collected.slice(0, limit + 1);
}

/** The episodes whose bound is not after the cursor but which may hold alerts after it. */
function straddling(
  model: ReadModel,
  mayHold: (row: number) => boolean,
  sort: Sort,
  after: RankKey,
): string[] {
  const bounds = model.alertBounds;
  const ids: string[] = [];
  for (let row = 0; row < model.episodes.size; row++) {
    if (!mayHold(row)) continue;
    if (sort === 'score') {
      // Another score decides alone: the episode is wholly before or after the cursor.
      const score = model.episodes.score[row]!;
      if (!(Number.isNaN(score) && Number.isNaN(after.score)) && score !== after.score) continue;
    }
    if (compareKeys(sort, keyOf(bounds, row), after) > 0) continue;
    if (compareKeys(sort, worstOf(model, row), after) <= 0) continue;
    ids.push(model.episodes.id(row));
  }
  return ids;
}

async function alertsTotal(
  model: ReadModel,
  alerts: EpisodeAlerts,
  filter: ListFilter,
  count: CountAlerts,
): Promise<number> {
  const { episodes } = model;
  const expected = (id: string) => model.countOf(id);
  const matches = factMatches(filter);
  // A chunk at a time, what is held used but what is read not kept: a total may read many episodes once.
  const countRead = async (ids: string[]) => {
    let found = 0;
    for (let at = 0; at < ids.length; at += TOTAL_CHUNK) {
      const chunk = await alerts.of(ids.slice(at, at + TOTAL_CHUNK), expected, false);
      for (const facts of chunk.values()) for (const fact of facts) if (matches(fact)) found++;
    }
    return found;
  };
  const mayHold = model.episodeMayHoldAlerts(filter);
  const { minSeverity, from, to, rule } = filter;
  if (minSeverity !== undefined) {
    const fields: AlertFieldFilter = {
      minSeverity,
      ...(filter.symbol !== undefined && { symbol: filter.symbol }),
      ...(rule !== undefined && { rule }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    };
    if (filter.status === undefined && filter.minScore === undefined) return count(fields);
    const mayHoldByFields = model.episodeMayHoldAlerts(fields);
    const included: string[] = [];
    const excluded: string[] = [];
    for (let row = 0; row < episodes.size; row++) {
      if (!mayHoldByFields(row)) continue;
      (mayHold(row) ? included : excluded).push(episodes.id(row));
    }
    if (included.length <= excluded.length) return countRead(included);
    const [all, left] = await Promise.all([count(fields), countRead(excluded)]);
    return all - left;
  }
  let total = 0;
  const cut: string[] = [];
  for (let row = 0; row < episodes.size; row++) {
    if (!mayHold(row)) continue;
    const inside =
      (from === undefined || episodes.start[row]! >= from) && (to === undefined || episodes.end[row]! <= to);
    if (!inside) cut.push(episodes.id(row));
    else
      total += rule === undefined ? episodes.alerts[row]! : (rule === 'A1' ? episodes.a1 : episodes.a2)[row]!;
  }
  return total + (cut.length === 0 ? 0 : await countRead(cut));
}
