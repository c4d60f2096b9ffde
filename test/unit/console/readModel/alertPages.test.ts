/**
 * The alerts list read from the episodes held and the alerts of the episodes a page reaches, over hand-made
 * alerts and episodes held in memory (the reads a fake of Firestore's `episode in [...]` and count()): every
 * expected page below is worked out by hand from the tables in the comments. Also what a page costs: the
 * episodes whose alerts it reads, and none for a total without a minimum severity.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { alertsPage, type AlertFieldFilter } from '../../../../console/readModel/alertPages.js';
import { decodeCursor } from '../../../../console/readModel/cursor.js';
import { EpisodeAlerts, type AlertFact } from '../../../../console/readModel/episodeAlerts.js';
import type { ListQuery } from '../../../../console/readModel/listQuery.js';
import { ReadModel } from '../../../../console/readModel/readModel.js';
import { RULE_A1, RULE_A2 } from '../../../../console/readModel/ruleBits.js';

const M0 = Date.UTC(2024, 0, 2, 4, 0) / 60_000;
const MS = (offset: number) => (M0 + offset) * 60_000;
const A1 = RULE_A1;
const A2 = RULE_A2;

/**
 * | id | symbol | minute | rules | severity | episode                          |
 * | a  | ACME   | +0     | A1    | 0.5      | ACME@1 (investigating, score 40) |
 * | b  | ACME   | +1     | A2    | null     | ACME@1                           |
 * | c  | BETA   | +1     | A1 A2 | 0.5      | BETA@1 (dismissed, score 72.5)   |
 * | d  | ACME   | +5     | A2    | 1.2      | ACME@2 (new, not scored)         |
 * | e  | BETA   | +5     | A1    | 0.5      | BETA@2 (new, not scored)         |
 * | f  | CORE   | +3     | A2    | null     | CORE@1 (new, score 40)           |
 * | i  | CORE   | +5     | A1    | 0.5      | CORE@1                           |
 */
const fact = (
  id: string,
  symbol: string,
  minute: number,
  rules: number,
  severity: number | null,
  episode: string,
) => ({
  id,
  symbol,
  minute: M0 + minute,
  rules,
  severity: severity ?? Number.NaN,
  episode,
});
let stored: AlertFact[];
let asked: string[][];
let counted: AlertFieldFilter[];

function seed(model: ReadModel): void {
  stored = [
    fact('a', 'ACME', 0, A1, 0.5, 'ACME@1'),
    fact('b', 'ACME', 1, A2, null, 'ACME@1'),
    fact('c', 'BETA', 1, A1 | A2, 0.5, 'BETA@1'),
    fact('d', 'ACME', 5, A2, 1.2, 'ACME@2'),
    fact('e', 'BETA', 5, A1, 0.5, 'BETA@2'),
    fact('f', 'CORE', 3, A2, null, 'CORE@1'),
    fact('i', 'CORE', 5, A1, 0.5, 'CORE@1'),
  ];
  const episode = (
    id: string,
    [start, end, count, a1, a2]: number[],
    peakSeverity: number | null,
    score: number | null,
    status?: string,
  ) =>
    model.putEpisode(
      id,
      {
        symbol: id.split('@')[0]!,
        start: MS(start!),
        end: MS(end!),
        count: count!,
        a1: a1!,
        a2: a2!,
        peakSeverity,
        score,
        status,
      },
      1,
    );
  episode('ACME@1', [0, 1, 2, 1, 1], 0.5, 40, 'investigating');
  episode('BETA@1', [1, 1, 1, 1, 1], 0.5, 72.5, 'dismissed');
  episode('ACME@2', [5, 5, 1, 0, 1], 1.2, null);
  episode('BETA@2', [5, 5, 1, 1, 0], 0.5, null);
  episode('CORE@1', [3, 5, 2, 1, 1], 0.5, 40);
}

/** The alerts matching the fields a count() filters on, computed plainly. */
const countOf = async (filter: AlertFieldFilter) => {
  counted.push(filter);
  return stored.filter(
    (alert) =>
      alert.severity >= filter.minSeverity &&
      (filter.symbol === undefined || alert.symbol === filter.symbol) &&
      (filter.rule === undefined || (alert.rules & (filter.rule === 'A1' ? A1 : A2)) !== 0) &&
      (filter.from === undefined || alert.minute * 60_000 >= filter.from) &&
      (filter.to === undefined || alert.minute * 60_000 <= filter.to),
  ).length;
};

let model: ReadModel;
let held: EpisodeAlerts;
beforeEach(() => {
  model = new ReadModel();
  seed(model);
  asked = [];
  counted = [];
  held = freshHeld();
});

/** Alerts held for the pages, none yet, read from `stored`. */
function freshHeld(): EpisodeAlerts {
  return new EpisodeAlerts(async (ids) => {
    asked.push([...ids]);
    const found = new Map<string, AlertFact[]>();
    for (const alert of stored) {
      if (!ids.includes(alert.episode)) continue;
      found.set(alert.episode, [...(found.get(alert.episode) ?? []), alert]);
    }
    return found;
  });
}

async function alerts(query: Partial<ListQuery>) {
  const page = await alertsPage(model, held, { sort: 'newest', limit: 50, ...query }, countOf);
  return { names: page.facts.map((row) => row.id).join(' '), total: page.total, next: page.next };
}

async function allPages(query: Partial<ListQuery>) {
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const sort = query.sort ?? 'newest';
    const page = await alerts({ ...query, ...(after && { after: decodeCursor(after, sort) }) });
    seen.push(page.names);
    after = page.next;
  } while (after !== undefined);
  return seen;
}

describe('the alerts list, from the episodes', () => {
  it.each<[string, Partial<ListQuery>, string]>([
    ['newest: time descending, ties by symbol', {}, 'd e i f b c a'],
    [
      'severity: descending, nulls last, ties newest first then by symbol',
      { sort: 'severity' },
      'd e i c a f b',
    ],
    ['one symbol', { symbol: 'ACME' }, 'd b a'],
    ['a symbol never seen', { symbol: 'ZZZ' }, ''],
    ['rule A1', { rule: 'A1' }, 'e i c a'],
    ['rule A2', { rule: 'A2' }, 'd f b c'],
    ['a time range, both ends inclusive', { from: MS(1), to: MS(3) }, 'f b c'],
    ['a time range cutting episodes', { from: MS(1), to: MS(4) }, 'f b c'],
    ['minSeverity: a null severity never matches', { sort: 'severity', minSeverity: 0.5 }, 'd e i c a'],
    ['minSeverity above most', { minSeverity: 0.6 }, 'd'],
    ['status new: triage absent', { status: 'new' }, 'd e i f'],
    ["status: the episode's", { status: 'investigating' }, 'b a'],
    ['status dismissed', { status: 'dismissed' }, 'c'],
    ['combined: symbol, rule, minSeverity', { symbol: 'ACME', rule: 'A2', minSeverity: 1 }, 'd'],
    ['combined: rule, from, status', { rule: 'A1', from: MS(1), status: 'new' }, 'e i'],
    ['combined: status and minSeverity', { status: 'new', minSeverity: 0.5 }, 'd e i'],
    [
      'combined: status and minSeverity, the status leaving out most',
      { status: 'investigating', minSeverity: 0.5 },
      'a',
    ],
    // Each alert's score is its episode's: c 72.5; a, b, f, i 40; d, e not scored. Ties by severity, newest, symbol.
    [
      "score: the episode's, descending; not scored last; ties by severity",
      { sort: 'score' },
      'c i a f b d e',
    ],
    ['minScore: at least; not scored never matches', { sort: 'score', minScore: 40 }, 'c i a f b'],
    ['minScore above the tie', { sort: 'score', minScore: 40.1 }, 'c'],
    ['minScore 0 still leaves out the not scored', { minScore: 0 }, 'i f b c a'],
    ['score, one symbol', { sort: 'score', symbol: 'ACME' }, 'a b d'],
    ['score, minScore and minSeverity', { sort: 'score', minScore: 30, minSeverity: 0.5 }, 'c i a'],
  ])('%s', async (_name, query, expected) => {
    const page = await alerts(query);
    expect(page.names).toBe(expected);
    expect(page.total).toBe(expected === '' ? 0 : expected.split(' ').length);
    expect(page.next).toBeUndefined();
  });

  it.each<[Partial<ListQuery>, string[]]>([
    [{ limit: 3 }, ['d e i', 'f b c', 'a']],
    [{ sort: 'severity', limit: 2 }, ['d e', 'i c', 'a f', 'b']],
    [{ sort: 'score', limit: 2 }, ['c i', 'a f', 'b d', 'e']],
    [{ sort: 'score', limit: 1 }, ['c', 'i', 'a', 'f', 'b', 'd', 'e']],
    [{ symbol: 'ACME', limit: 2 }, ['d b', 'a']],
  ])('pages with a cursor through ties and nulls (%j)', async (query, pages) => {
    expect(await allPages(query)).toEqual(pages);
  });

  it('keeps its place when alerts arrive between pages: nothing repeats, nothing is skipped', async () => {
    const first = await alerts({ limit: 2 });
    expect(first.names).toBe('d e');
    // g is newer than the page shown (a fresh first page holds it); h falls after the cursor, in CORE@1.
    stored.push(fact('g', 'ACME', 9, A1, 2, 'ACME@3'), fact('h', 'CORE', 4, A2, null, 'CORE@1'));
    model.putEpisode(
      'ACME@3',
      {
        symbol: 'ACME',
        start: MS(9),
        end: MS(9),
        count: 1,
        a1: 1,
        a2: 0,
        peakSeverity: 2,
        score: null,
        status: undefined,
      },
      2,
    );
    model.putEpisode(
      'CORE@1',
      {
        symbol: 'CORE',
        start: MS(3),
        end: MS(5),
        count: 3,
        a1: 1,
        a2: 2,
        peakSeverity: 0.5,
        score: 40,
        status: undefined,
      },
      2,
    );
    const rest: string[] = [];
    let after = first.next;
    while (after !== undefined) {
      const page = await alerts({ limit: 2, after: decodeCursor(after, 'newest') });
      expect(page.total).toBe(9);
      rest.push(page.names);
      after = page.next;
    }
    expect(rest.join(' ')).toBe('i h f b c a');
  });

  it('follows its episode: a newer score ranks its alerts at once; a removed episode lists its alerts no more', async () => {
    model.putEpisode(
      'ACME@2',
      {
        symbol: 'ACME',
        start: MS(5),
        end: MS(5),
        count: 1,
        a1: 0,
        a2: 1,
        peakSeverity: 1.2,
        score: 90,
        status: undefined,
      },
      2,
    );
    expect((await alerts({ sort: 'score' })).names).toBe('d c i a f b e');
    model.setEpisodeStatus('ACME@2', 'escalated');
    expect((await alerts({ status: 'escalated' })).names).toBe('d');
    expect(model.removeEpisode('BETA@1', 3)).toBe(true);
    expect(await alerts({ sort: 'score' })).toMatchObject({ names: 'd i a f b e', total: 6 });
  });
});

describe('what the alerts list reads', () => {
  /** `n` episodes of five alerts each, one symbol per episode, severities falling. */
  function many(n: number): void {
    model = new ReadModel();
    stored = [];
    for (let k = 0; k < n; k++) {
      const symbol = `S${String(k).padStart(4, '0')}`;
      const id = `${symbol}@1`;
      for (let j = 0; j < 5; j++)
        stored.push(fact(`${symbol}-${j}`, symbol, j, j % 2 ? A2 : A1, 1 + (n - k) / n + j / 10, id));
      model.putEpisode(
        id,
        {
          symbol,
          start: MS(0),
          end: MS(4),
          count: 5,
          a1: 3,
          a2: 2,
          peakSeverity: 1 + (n - k) / n + 0.4,
          score: k % 7,
          status: undefined,
        },
        1,
      );
    }
  }

  it('a first page reads the alerts of about as many episodes as it shows alerts, a total none', async () => {
    many(2000);
    for (const sort of ['score', 'newest', 'severity'] as const) {
      asked = [];
      held = freshHeld();
      const page = await alerts({ sort, limit: 50 });
      expect(page.total).toBe(10_000);
      expect(page.names.split(' ')).toHaveLength(50);
      const episodesRead = asked.flat().length;
      expect(episodesRead).toBeGreaterThanOrEqual(10);
      expect(episodesRead).toBeLessThanOrEqual(51);
    }
    asked = [];
    expect((await alerts({ rule: 'A2', from: MS(0), to: MS(4), status: 'new' })).total).toBe(4000);
    expect(counted).toEqual([]);
  });

  it('a next page reads what it did not hold, and the alerts held are read once', async () => {
    many(2000);
    const first = await alerts({ sort: 'severity', limit: 50 });
    const read = asked.flat().length;
    asked = [];
    const second = await alerts({
      sort: 'severity',
      limit: 50,
      after: decodeCursor(first.next!, 'severity'),
    });
    expect(second.names.split(' ')).toHaveLength(50);
    expect(asked.flat().length).toBeLessThanOrEqual(read + 1);
    expect(held.read).toBeLessThanOrEqual(5 * 2 * 51);
  });

  it('a total is worked out once while neither the episodes nor the alerts held change', async () => {
    many(200);
    model.setEpisodeStatus('S0001@1', 'escalated');
    const query = { minSeverity: 1.9, status: 'new' as const, limit: 1 };
    const first = (await alerts(query)).total;
    expect(counted).toHaveLength(1);
    expect((await alerts({ ...query, sort: 'severity' })).total).toBe(first);
    expect(counted).toHaveLength(1);
    model.setEpisodeStatus('S0002@1', 'escalated');
    expect((await alerts(query)).total).toBe(
      stored.filter((a) => a.severity >= 1.9 && a.episode !== 'S0001@1' && a.episode !== 'S0002@1').length,
    );
    expect(counted).toHaveLength(2);
    held.dropSymbol('S0150');
    await alerts(query);
    expect(counted).toHaveLength(3);
  });

  it('a total with a minimum severity is Firestore’s count, less the episodes a status leaves out', async () => {
    many(200);
    expect((await alerts({ minSeverity: 1.9 })).total).toBe(stored.filter((a) => a.severity >= 1.9).length);
    expect(counted).toHaveLength(1);
    model.setEpisodeStatus('S0001@1', 'escalated');
    asked = [];
    held = freshHeld();
    const total = (await alerts({ minSeverity: 1.9, status: 'new', limit: 1 })).total;
    expect(total).toBe(stored.filter((a) => a.severity >= 1.9 && a.episode !== 'S0001@1').length);
    // Read: the one episode left out (for the total) and the page's (for the page).
    expect(asked.flat()).toContain('S0001@1');
    expect(asked.flat().length).toBeLessThanOrEqual(3);
  });
});
