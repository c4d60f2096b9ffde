/**
 * The read model's episodes list and what it keeps for the alerts list (alertPages.test.ts has the alerts') over
 * hand-made episodes: every expected page below is worked out by hand from the table in the comment, not by running
 * the code.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../console/readModel/cursor.js';
import type { ListQuery } from '../../../console/readModel/listQuery.js';
import { compareKeys } from '../../../console/readModel/ranking.js';
import { ReadModel } from '../../../console/readModel/readModel.js';

const M0 = Date.UTC(2024, 0, 2, 4, 0) / 60_000;
const MS = (offset: number) => (M0 + offset) * 60_000;

/**
 * | id     | symbol | start | end | count | a1 | a2 | peak | score      | status        |
 * | ACME@1 | ACME   | +0    | +1  | 2     | 1  | 1  | 0.5  | 40         | investigating |
 * | BETA@1 | BETA   | +1    | +1  | 1     | 1  | 1  | 0.5  | 72.5       | dismissed     |
 * | ACME@2 | ACME   | +5    | +5  | 1     | 0  | 1  | 1.2  | not scored | (absent: new) |
 * | CORE@1 | CORE   | +3    | +5  | 2     | 1  | 1  | null | 40         | (absent: new) |
 */
function seed(model: ReadModel): void {
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

let model: ReadModel;
beforeEach(() => {
  model = new ReadModel();
  seed(model);
});

function episodes(query: Partial<ListQuery>) {
  const page = model.listEpisodes({ sort: 'newest', limit: 50, ...query });
  return { ids: page.rows.map((row) => model.episodes.id(row)), total: page.total, next: page.next };
}

describe('ReadModel: what the alerts list and the event stream take from the episodes', () => {
  it('counts the alerts of the episodes present, and follows a new count and a removal', () => {
    // 2 + 1 + 1 + 2 (table above).
    expect(model.alertCount).toBe(6);
    model.putEpisode(
      'ACME@2',
      {
        symbol: 'ACME',
        start: MS(5),
        end: MS(6),
        count: 2,
        a1: 0,
        a2: 2,
        peakSeverity: 1.2,
        score: null,
        status: undefined,
      },
      2,
    );
    expect(model.alertCount).toBe(7);
    expect(model.removeEpisode('BETA@1', 3)).toBe(true);
    expect(model.alertCount).toBe(6);
  });

  it('knows the newest minute (the latest end), also after the episode that had it is removed', () => {
    expect(model.newestMinute()).toBe(M0 + 5);
    model.removeEpisode('ACME@2', 2);
    expect(model.newestMinute()).toBe(M0 + 5);
    model.removeEpisode('CORE@1', 2);
    expect(model.newestMinute()).toBe(M0 + 1);
  });

  it("lists the symbols, and a symbol's episodes over a time", () => {
    expect(model.listedSymbols()).toEqual(['ACME', 'BETA', 'CORE']);
    expect(model.episodesOver('ACME', MS(1), MS(5))).toEqual(['ACME@1', 'ACME@2']);
    expect(model.episodesOver('ACME', MS(2), MS(4))).toEqual([]);
    expect(model.episodesOver('CORE', MS(4), MS(4))).toEqual(['CORE@1']);
    expect(model.episodesOver('ZZZ', MS(0), MS(9))).toEqual([]);
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
