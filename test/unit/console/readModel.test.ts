/**
 * The read model's list queries over hand-made alerts and episodes: every expected page below is worked out
 * by hand from the table in the comment, not by running the code.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../console/readModel/cursor.js';
import type { ListQuery } from '../../../console/readModel/listQuery.js';
import { compareKeys } from '../../../console/readModel/ranking.js';
import { ReadModel, type AlertEntry } from '../../../console/readModel/readModel.js';

const M0 = Date.UTC(2024, 0, 2, 4, 0) / 60_000;
const MS = (offset: number) => (M0 + offset) * 60_000;

/**
 * | name | symbol | minute | rules | severity | episode            |
 * | a    | ACME   | +0     | A1    | 0.5      | ACME@1 (investigating) |
 * | b    | ACME   | +1     | A2    | null     | ACME@1             |
 * | c    | BETA   | +1     | A1 A2 | 0.5      | BETA@1 (dismissed) |
 * | d    | ACME   | +5     | A2    | 1.2      | ACME@2 (new)       |
 * | e    | BETA   | +5     | A1    | 0.5      | BETA@2 (never read: new) |
 * | f    | CORE   | +3     | A2    | null     | none               |
 * | i    | CORE   | +5     | A1    | 0.5      | none               |
 */
const ALERTS: Record<string, AlertEntry> = {
  a: { symbol: 'ACME', minute: M0, rules: ['A1'], severity: 0.5, episode: 'ACME@1' },
  b: { symbol: 'ACME', minute: M0 + 1, rules: ['A2'], severity: null, episode: 'ACME@1' },
  c: { symbol: 'BETA', minute: M0 + 1, rules: ['A1', 'A2'], severity: 0.5, episode: 'BETA@1' },
  d: { symbol: 'ACME', minute: M0 + 5, rules: ['A2'], severity: 1.2, episode: 'ACME@2' },
  e: { symbol: 'BETA', minute: M0 + 5, rules: ['A1'], severity: 0.5, episode: 'BETA@2' },
  f: { symbol: 'CORE', minute: M0 + 3, rules: ['A2'], severity: null, episode: null },
  i: { symbol: 'CORE', minute: M0 + 5, rules: ['A1'], severity: 0.5, episode: null },
};

/**
 * | id     | symbol | start | end | count | a1 | a2 | peak | score      | status        |
 * | ACME@1 | ACME   | +0    | +1  | 2     | 1  | 1  | 0.5  | 40         | investigating |
 * | BETA@1 | BETA   | +1    | +1  | 1     | 1  | 1  | 0.5  | 72.5       | dismissed     |
 * | ACME@2 | ACME   | +5    | +5  | 1     | 0  | 1  | 1.2  | not scored | (absent: new) |
 * | CORE@1 | CORE   | +3    | +5  | 2     | 1  | 1  | null | 40         | (absent: new) |
 */
function seed(model: ReadModel): void {
  for (const entry of Object.values(ALERTS)) model.putAlert(entry, 1);
  const episode = (symbol: string, start: number, end: number, count: number, a1: number, a2: number) => ({
    symbol,
    start: MS(start),
    end: MS(end),
    count,
    a1,
    a2,
  });
  model.putEpisode(
    'ACME@1',
    { ...episode('ACME', 0, 1, 2, 1, 1), peakSeverity: 0.5, score: 40, status: 'investigating' },
    1,
  );
  model.putEpisode(
    'BETA@1',
    { ...episode('BETA', 1, 1, 1, 1, 1), peakSeverity: 0.5, score: 72.5, status: 'dismissed' },
    1,
  );
  model.putEpisode(
    'ACME@2',
    { ...episode('ACME', 5, 5, 1, 0, 1), peakSeverity: 1.2, score: null, status: undefined },
    1,
  );
  model.putEpisode(
    'CORE@1',
    { ...episode('CORE', 3, 5, 2, 1, 1), peakSeverity: null, score: 40, status: undefined },
    1,
  );
}

const nameOf = (model: ReadModel, row: number) => {
  const { symbol, timestamp } = model.alertIdentity(row);
  const minute = Date.parse(timestamp) / 60_000;
  return (
    Object.entries(ALERTS).find(([, entry]) => entry.symbol === symbol && entry.minute === minute)?.[0] ?? '?'
  );
};

let model: ReadModel;
beforeEach(() => {
  model = new ReadModel();
  seed(model);
});

function alerts(query: Partial<ListQuery>) {
  const page = model.listAlerts({ sort: 'newest', limit: 50, ...query });
  return { names: page.rows.map((row) => nameOf(model, row)).join(' '), total: page.total, next: page.next };
}

function episodes(query: Partial<ListQuery>) {
  const page = model.listEpisodes({ sort: 'newest', limit: 50, ...query });
  return { ids: page.rows.map((row) => model.episodes.id(row)), total: page.total, next: page.next };
}

describe('ReadModel.listAlerts', () => {
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
    ['minSeverity: a null severity never matches', { sort: 'severity', minSeverity: 0.5 }, 'd e i c a'],
    ['minSeverity above most', { minSeverity: 0.6 }, 'd'],
    ['status new: an episode absent, never read, or none', { status: 'new' }, 'd e i f'],
    ["status: the episode's", { status: 'investigating' }, 'b a'],
    ['status dismissed', { status: 'dismissed' }, 'c'],
    ['combined: symbol, rule, minSeverity', { symbol: 'ACME', rule: 'A2', minSeverity: 1 }, 'd'],
    ['combined: rule, from, status', { rule: 'A1', from: MS(1), status: 'new' }, 'e i'],
  ])('%s', (_name, query, expected) => {
    const page = alerts(query);
    expect(page.names).toBe(expected);
    expect(page.total).toBe(expected === '' ? 0 : expected.split(' ').length);
    expect(page.next).toBeUndefined();
  });

  it('pages with a cursor, and gives no cursor after the last page', () => {
    const first = alerts({ limit: 3 });
    expect(first).toMatchObject({ names: 'd e i', total: 7 });
    const second = alerts({ limit: 3, after: decodeCursor(first.next!, 'newest') });
    expect(second).toMatchObject({ names: 'f b c', total: 7 });
    const third = alerts({ limit: 3, after: decodeCursor(second.next!, 'newest') });
    expect(third).toEqual({ names: 'a', total: 7, next: undefined });
  });

  it('gives no cursor when the page ends exactly at the last row', () => {
    const first = alerts({ symbol: 'ACME', limit: 2 });
    expect(first.names).toBe('d b');
    const second = alerts({ symbol: 'ACME', limit: 2, after: decodeCursor(first.next!, 'newest') });
    expect(second).toEqual({ names: 'a', total: 3, next: undefined });
    expect(alerts({ symbol: 'ACME', limit: 3 }).next).toBeUndefined();
  });

  it('pages by severity through the ties and the nulls', () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = alerts({
        sort: 'severity',
        limit: 2,
        ...(after && { after: decodeCursor(after, 'severity') }),
      });
      seen.push(page.names);
      after = page.next;
    } while (after !== undefined);
    expect(seen).toEqual(['d e', 'i c', 'a f', 'b']);
  });

  it('keeps its place when alerts arrive between pages: nothing repeats, nothing is skipped', () => {
    const first = alerts({ limit: 2 });
    expect(first.names).toBe('d e');
    // g is newer than the page already shown (it belongs to a fresh first page); h falls after the cursor.
    model.putAlert({ symbol: 'ACME', minute: M0 + 9, rules: ['A1'], severity: 2, episode: null }, 2);
    model.putAlert({ symbol: 'BETA', minute: M0 + 4, rules: ['A2'], severity: null, episode: null }, 2);
    const rest: number[] = [];
    let after = first.next;
    while (after !== undefined) {
      const page = model.listAlerts({ sort: 'newest', limit: 2, after: decodeCursor(after, 'newest') });
      expect(page.total).toBe(9);
      rest.push(...page.rows);
      after = page.next;
    }
    const names = rest
      .map((row) => model.alertIdentity(row))
      .map(({ symbol, timestamp }) => `${symbol} ${timestamp}`);
    expect(names).toEqual([
      'CORE 2024-01-02T04:05:00Z',
      'BETA 2024-01-02T04:04:00Z',
      'CORE 2024-01-02T04:03:00Z',
      'ACME 2024-01-02T04:01:00Z',
      'BETA 2024-01-02T04:01:00Z',
      'ACME 2024-01-02T04:00:00Z',
    ]);
  });

  it('follows triage: the status the console writes counts at once', () => {
    model.setEpisodeStatus('ACME@2', 'escalated');
    expect(alerts({ status: 'escalated' }).names).toBe('d');
    expect(alerts({ status: 'new' }).names).toBe('e i f');
  });

  it('keeps the newest version of a document, whatever order versions come in, and drops deleted ones', () => {
    expect(model.putAlert({ ...ALERTS.d!, severity: 0.1 }, 0)).toBe(false);
    expect(alerts({ minSeverity: 1 }).names).toBe('d');
    expect(model.putAlert({ ...ALERTS.d!, severity: 0.1 }, 3)).toBe(true);
    expect(alerts({ minSeverity: 1 }).names).toBe('');
    expect(model.removeAlert('ACME', M0 + 5, 2)).toBe(false);
    expect(model.removeAlert('ACME', M0 + 5, 4)).toBe(true);
    expect(alerts({}).names).toBe('e i f b c a');
    expect(model.alerts.count).toBe(6);
    expect(model.putAlert(ALERTS.d!, 5)).toBe(true);
    expect(alerts({}).total).toBe(7);
  });

  it('knows the newest minute, also after the newest alert is deleted', () => {
    expect(model.newestMinute()).toBe(M0 + 5);
    model.removeAlert('ACME', M0 + 5, 2);
    model.removeAlert('BETA', M0 + 5, 2);
    model.removeAlert('CORE', M0 + 5, 2);
    expect(model.newestMinute()).toBe(M0 + 3);
  });

  it("lists a symbol's alerts of one UTC day in time order", () => {
    model.putAlert({ symbol: 'ACME', minute: M0 + 1440, rules: ['A1'], severity: 1, episode: null }, 1);
    expect(model.sameDayAlerts('ACME', M0 + 3).map((row) => nameOf(model, row))).toEqual(['a', 'b', 'd']);
    expect(model.listedSymbols()).toEqual(['ACME', 'BETA', 'CORE']);
  });
});

describe('ReadModel.listAlerts by suspicion score', () => {
  // Each alert's score is its episode's (tables above): c 72.5; a, b 40; d (ACME@2 not scored), e (BETA@2
  // never read), f and i (no episode) not scored. Ties go by the alert's own severity, then newest, then symbol.
  it.each<[string, Partial<ListQuery>, string]>([
    [
      "score: the episode's, descending; not scored last; ties by severity",
      { sort: 'score' },
      'c a b d e i f',
    ],
    ['minScore: at least; not scored never matches', { sort: 'score', minScore: 40 }, 'c a b'],
    ['minScore above the tie', { sort: 'score', minScore: 40.1 }, 'c'],
    ['minScore 0 still leaves out the not scored', { sort: 'newest', minScore: 0 }, 'b c a'],
    ['combined with a symbol', { sort: 'score', symbol: 'ACME' }, 'a b d'],
    ['combined with minSeverity', { sort: 'score', minScore: 30, minSeverity: 0.5 }, 'c a'],
  ])('%s', (_name, query, expected) => {
    const page = alerts(query);
    expect(page.names).toBe(expected);
    expect(page.total).toBe(expected === '' ? 0 : expected.split(' ').length);
  });

  it('pages by score through the ties and the not scored', () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = alerts({ sort: 'score', limit: 2, ...(after && { after: decodeCursor(after, 'score') }) });
      seen.push(page.names);
      after = page.next;
    } while (after !== undefined);
    expect(seen).toEqual(['c a', 'b d', 'e i', 'f']);
  });

  it("follows its episode: a newer version's score ranks its alerts at once, a removed episode's none", () => {
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
    expect(alerts({ sort: 'score' }).names).toBe('d c a b e i f');
    expect(model.removeEpisode('BETA@1', 3)).toBe(true);
    // c is not scored now: among them by severity (d 1.2; then e, i, c at 0.5, newest first; f null).
    expect(alerts({ sort: 'score' }).names).toBe('d a b e i c f');
  });
});

describe('ReadModel.episodeAlerts', () => {
  it("gives the rows of an episode's alerts in time order, whatever order they came in", () => {
    model.putAlert({ symbol: 'ACME', minute: M0 - 3, rules: ['A1'], severity: 2, episode: 'ACME@1' }, 1);
    expect(model.episodeAlerts('ACME@1').map((row) => nameOf(model, row))).toEqual(['?', 'a', 'b']);
    expect(model.alertIdentity(model.episodeAlerts('ACME@1')[0]!).timestamp).toBe(
      new Date(MS(-3)).toISOString().replace('.000Z', 'Z'),
    );
    expect(model.episodeAlerts('BETA@2').map((row) => nameOf(model, row))).toEqual(['e']);
  });

  it('gives none for an episode no alert names, and leaves out deleted alerts', () => {
    expect(model.episodeAlerts('CORE@1')).toEqual([]);
    expect(model.episodeAlerts('nope')).toEqual([]);
    model.removeAlert('ACME', M0, 2);
    expect(model.episodeAlerts('ACME@1').map((row) => nameOf(model, row))).toEqual(['b']);
  });
});

describe('ReadModel.listEpisodes', () => {
  it.each<[string, Partial<ListQuery>, string[]]>([
    ['newest: end descending, ties by id', {}, ['ACME@2', 'CORE@1', 'ACME@1', 'BETA@1']],
    [
      'severity: peak descending, nulls last, ties newest then by id',
      { sort: 'severity' },
      ['ACME@2', 'ACME@1', 'BETA@1', 'CORE@1'],
    ],
    ['rule A1: a1 > 0', { rule: 'A1' }, ['CORE@1', 'ACME@1', 'BETA@1']],
    ['rule A2', { rule: 'A2' }, ['ACME@2', 'CORE@1', 'ACME@1', 'BETA@1']],
    ['status new: triage absent', { status: 'new' }, ['ACME@2', 'CORE@1']],
    ['status dismissed', { status: 'dismissed' }, ['BETA@1']],
    ['symbol', { symbol: 'ACME' }, ['ACME@2', 'ACME@1']],
    ['end within a range', { from: MS(2), to: MS(5) }, ['ACME@2', 'CORE@1']],
    ['minSeverity: null never matches', { minSeverity: 0 }, ['ACME@2', 'ACME@1', 'BETA@1']],
    ['combined', { symbol: 'ACME', rule: 'A1', status: 'investigating' }, ['ACME@1']],
    [
      'score: descending, not scored last, ties by peak severity (null last)',
      { sort: 'score' },
      ['BETA@1', 'ACME@1', 'CORE@1', 'ACME@2'],
    ],
    ['minScore: at least, not scored never matches', { minScore: 40 }, ['CORE@1', 'ACME@1', 'BETA@1']],
    ['minScore above the tie', { sort: 'score', minScore: 40.05 }, ['BETA@1']],
    ['minScore with a status', { sort: 'score', minScore: 0, status: 'new' }, ['CORE@1']],
  ])('%s', (_name, query, expected) => {
    expect(episodes(query)).toEqual({ ids: expected, total: expected.length, next: undefined });
  });

  it('lists only episodes whose document was read, not ids an alert merely names', () => {
    expect(episodes({}).total).toBe(4);
    expect(model.episodes.rowOf('BETA@2')).toBeGreaterThanOrEqual(0);
  });

  it('pages by score', () => {
    const first = episodes({ sort: 'score', limit: 2 });
    expect(first.ids).toEqual(['BETA@1', 'ACME@1']);
    expect(episodes({ sort: 'score', limit: 2, after: decodeCursor(first.next!, 'score') })).toEqual({
      ids: ['CORE@1', 'ACME@2'],
      total: 4,
      next: undefined,
    });
  });

  it('takes a new score, and a score withdrawn (a document without one), as a change', () => {
    const entry = {
      symbol: 'CORE',
      start: MS(3),
      end: MS(5),
      count: 2,
      a1: 1,
      a2: 1,
      peakSeverity: null,
      status: undefined,
    };
    expect(model.putEpisode('CORE@1', { ...entry, score: 40 }, 2)).toBe(false);
    expect(model.putEpisode('CORE@1', { ...entry, score: 99.9 }, 3)).toBe(true);
    expect(episodes({ sort: 'score' }).ids).toEqual(['CORE@1', 'BETA@1', 'ACME@1', 'ACME@2']);
    expect(model.putEpisode('CORE@1', { ...entry, score: null }, 4)).toBe(true);
    expect(episodes({ sort: 'score' }).ids).toEqual(['BETA@1', 'ACME@1', 'ACME@2', 'CORE@1']);
  });

  it('pages by severity', () => {
    const first = episodes({ sort: 'severity', limit: 3 });
    expect(first.ids).toEqual(['ACME@2', 'ACME@1', 'BETA@1']);
    expect(episodes({ sort: 'severity', limit: 3, after: decodeCursor(first.next!, 'severity') })).toEqual({
      ids: ['CORE@1'],
      total: 4,
      next: undefined,
    });
  });
});

describe('cursors and keys', () => {
  it('refuses a cursor made for another order, or not made here', () => {
    const cursor = encodeCursor('newest', { score: Number.NaN, severity: Number.NaN, time: 5, tie: 'ACME' });
    expect(decodeCursor(cursor, 'newest')).toEqual({
      score: Number.NaN,
      severity: Number.NaN,
      time: 5,
      tie: 'ACME',
    });
    expect(decodeCursor(cursor, 'severity')).toBeUndefined();
    expect(decodeCursor(cursor, 'score')).toBeUndefined();
    expect(decodeCursor('not-a-cursor', 'newest')).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('["newest",null,"5","A"]').toString('base64url'), 'newest'),
    ).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('["score","high",1,5,"A"]').toString('base64url'), 'score'),
    ).toBeUndefined();
  });

  it('keeps a score cursor, and reads one made before scores for the orders it was made for', () => {
    const key = { score: 40, severity: 0.5, time: 5, tie: 'ACME' };
    expect(decodeCursor(encodeCursor('score', key), 'score')).toEqual(key);
    const before = Buffer.from('["severity",0.5,5,"ACME"]').toString('base64url');
    expect(decodeCursor(before, 'severity')).toEqual({ ...key, score: Number.NaN });
    expect(
      decodeCursor(Buffer.from('["score",0.5,5,"ACME"]').toString('base64url'), 'score'),
    ).toBeUndefined();
  });

  it('orders keys by score when asked, none last, then severity, then newest', () => {
    const key = (score: number, severity: number, time: number) => ({ score, severity, time, tie: 'A' });
    expect(compareKeys('score', key(40, 0, 0), key(39.9, 9, 9))).toBeLessThan(0);
    expect(compareKeys('score', key(0, 0, 0), key(Number.NaN, 9, 9))).toBeLessThan(0);
    expect(compareKeys('score', key(40, 1, 0), key(40, 0.5, 9))).toBeLessThan(0);
    expect(compareKeys('score', key(40, Number.NaN, 9), key(40, 0.5, 0))).toBeGreaterThan(0);
    expect(compareKeys('score', key(Number.NaN, 1, 0), key(Number.NaN, 1, 9))).toBeGreaterThan(0);
    expect(compareKeys('severity', key(0, 1, 0), key(99, 1, 9))).toBeGreaterThan(0);
    expect(compareKeys('newest', key(99, 9, 0), key(0, 0, 9))).toBeGreaterThan(0);
  });

  it('orders keys: severity first when asked, none last, then newest, then the tie text', () => {
    const key = (severity: number, time: number, tie: string) => ({ score: Number.NaN, severity, time, tie });
    expect(compareKeys('severity', key(1, 0, 'A'), key(Number.NaN, 9, 'A'))).toBeLessThan(0);
    expect(compareKeys('severity', key(1, 0, 'A'), key(1, 9, 'A'))).toBeGreaterThan(0);
    expect(compareKeys('newest', key(1, 0, 'A'), key(2, 9, 'A'))).toBeGreaterThan(0);
    expect(compareKeys('newest', key(1, 9, 'A'), key(2, 9, 'B'))).toBeLessThan(0);
    expect(compareKeys('newest', key(1, 9, 'A'), key(2, 9, 'A'))).toBe(0);
  });
});
