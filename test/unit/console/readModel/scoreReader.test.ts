/**
 * The reader of settled scores over an in-memory episodes collection that answers the scores' query as Firestore
 * does (scoredAt after the cursor, ties by id, in that order, up to the limit): every expected read below is
 * worked out by hand from the table in the comment.
 */
import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { ReadModel } from '../../../../console/readModel/readModel.js';
import {
  ScoreReader,
  type ReadScoredPage,
  type ScoreCursor,
  type Scored,
} from '../../../../console/readModel/scoreReader.js';

interface Episode extends Scored {
  score: number;
}

/**
 * | id | scoredAt (ms) | score |
 * | A  | 10            | 12.5  |
 * | B  | 20            | 40    |
 * | C  | 20            | 63.4  |
 * | D  | 30            | 88.1  |
 */
function collection() {
  const episodes = new Map<string, { at: number; score: number }>([
    ['A', { at: 10, score: 12.5 }],
    ['B', { at: 20, score: 40 }],
    ['C', { at: 20, score: 63.4 }],
    ['D', { at: 30, score: 88.1 }],
  ]);
  const after = (cursor: ScoreCursor, id: string, at: number) => {
    const from = cursor.at.toMillis();
    return at > from || (at === from && cursor.id !== null && id > cursor.id);
  };
  const reads: string[] = [];
  const readPage: ReadScoredPage<Episode> = async (cursor, limit) => {
    reads.push(`${cursor.at.toMillis()}/${cursor.id ?? '-'}`);
    return [...episodes]
      .filter(([id, { at }]) => after(cursor, id, at))
      .sort(([a, x], [b, y]) => x.at - y.at || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([id, { at, score }]) => ({ id, scoredAt: Timestamp.fromMillis(at), score }));
  };
  /** Settle writing a score: scoredAt is the commit's time. */
  const settle = (id: string, at: number, score: number) => episodes.set(id, { at, score });
  return { readPage, reads, settle };
}

/** Every page a read hands over, as the ids of its episodes. */
async function read(reader: ScoreReader<Episode>): Promise<string[]> {
  const pages: string[] = [];
  await reader.next((page) => pages.push(page.map((episode) => episode.id).join('')));
  return pages;
}

describe('ScoreReader', () => {
  it('reads every episode scored after its start in pages, then only what is scored later', async () => {
    const { readPage, reads, settle } = collection();
    const reader = new ScoreReader(readPage, Timestamp.fromMillis(5), { pageSize: 2, maxPages: 10 });
    // Two full pages, then an empty one that says there is no more.
    expect(await read(reader)).toEqual(['AB', 'CD']);
    expect(reads).toEqual(['5/-', '20/B', '30/D']);
    expect(reader.cursor).toEqual({ at: Timestamp.fromMillis(30), id: 'D' });
    expect(await read(reader)).toEqual([]);
    // A re-settled score comes back once, with its new time.
    settle('A', 40, 70);
    expect(await read(reader)).toEqual(['A']);
    expect(reads.slice(-2)).toEqual(['30/D', '30/D']);
    expect(await read(reader)).toEqual([]);
  });

  it('reads nothing scored at or before its start', async () => {
    const { readPage } = collection();
    const reader = new ScoreReader(readPage, Timestamp.fromMillis(20), { pageSize: 10, maxPages: 1 });
    expect(await read(reader)).toEqual(['D']);
  });

  it('takes at most its pages a read, and goes through ties of scoredAt without a repeat or a gap', async () => {
    const { readPage, settle } = collection();
    const reader = new ScoreReader(readPage, Timestamp.fromMillis(5), { pageSize: 1, maxPages: 2 });
    expect(await read(reader)).toEqual(['A', 'B']);
    // C has B's scoredAt: after B by its id.
    expect(await read(reader)).toEqual(['C', 'D']);
    // E committed at D's time (the same commit time), after the read that returned D: after D by its id.
    settle('E', 30, 5);
    expect(await read(reader)).toEqual(['E']);
    expect(await read(reader)).toEqual([]);
  });

  it('keeps the pages applied when a later page fails, and reads on from there next time', async () => {
    const { readPage } = collection();
    let calls = 0;
    const failingSecond: ReadScoredPage<Episode> = async (cursor, limit) => {
      if (++calls === 2) throw new Error('UNAVAILABLE');
      return readPage(cursor, limit);
    };
    const reader = new ScoreReader(failingSecond, Timestamp.fromMillis(5), { pageSize: 2, maxPages: 10 });
    const pages: string[] = [];
    await expect(
      reader.next((page) => pages.push(page.map((episode) => episode.id).join(''))),
    ).rejects.toThrow('UNAVAILABLE');
    expect(pages).toEqual(['AB']);
    expect(await read(reader)).toEqual(['CD']);
  });

  it('gives the read model the new scores: the episodes re-rank and the model says it changed', async () => {
    const { readPage, settle } = collection();
    const model = new ReadModel();
    let changes = 0;
    model.onChange(() => changes++);
    const put = (page: readonly Episode[]) => {
      for (const { id, score, scoredAt } of page) {
        model.putEpisode(
          id,
          {
            symbol: id,
            start: 0,
            end: 60_000,
            count: 1,
            a1: 1,
            a2: 0,
            peakSeverity: 1,
            score,
            status: undefined,
          },
          scoredAt.toMillis(),
        );
      }
    };
    const reader = new ScoreReader(readPage, Timestamp.fromMillis(5), { pageSize: 10, maxPages: 1 });
    await reader.next(put);
    expect(
      model.listEpisodes({ sort: 'score', limit: 10 }).rows.map((row) => model.episodes.id(row)),
    ).toEqual(['D', 'C', 'B', 'A']);
    expect(changes).toBe(4);
    // B settled again above D: first; nothing else changes.
    settle('B', 50, 90);
    expect(await reader.next(put)).toBe(1);
    expect(
      model.listEpisodes({ sort: 'score', limit: 10 }).rows.map((row) => model.episodes.id(row)),
    ).toEqual(['B', 'D', 'C', 'A']);
    expect(changes).toBe(5);
  });
});
