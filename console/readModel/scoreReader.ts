/**
 * The episodes whose suspicion score was settled since the last read. Settle (functions/detect/settleScores.ts)
 * updates an episode's score fields with `scoredAt` (server time) and writes no feed entry, so the alert and
 * triage feeds never name a score settled after an episode's alerts: follow.ts reads these every few seconds.
 *
 * Each read asks for the episodes after the last one it returned, in (scoredAt, id) order, a page at a time and at
 * most `maxPages` pages a read (the rest at the next read), so a read returns only what changed and its cost does
 * not grow with the alerts or the episodes. The id breaks ties of scoredAt (one commit time for many writes). A
 * read sees every commit before its read time, so no settled score can land behind the cursor.
 */
import type { Timestamp } from '@google-cloud/firestore';

/** Where the last read ended: the latest scoredAt returned and its episode's id (null before any). */
export interface ScoreCursor {
  at: Timestamp;
  id: string | null;
}

/** An episode as a read of scores returns it. */
export interface Scored {
  id: string;
  scoredAt: Timestamp;
}

/**
 * One page: up to `limit` episodes after `after` in (scoredAt, id) order (with `id` null: scoredAt after
 * `after.at`).
 */
export type ReadScoredPage<D extends Scored> = (after: ScoreCursor, limit: number) => Promise<D[]>;

export interface ScoreReaderOptions {
  /** Episodes a page holds. */
  pageSize: number;
  /** Pages one read takes at most. */
  maxPages: number;
}

export class ScoreReader<D extends Scored> {
  #cursor: ScoreCursor;

  /** @param since the scoredAt after which episodes are read (the first read's lower bound) */
  constructor(
    private readonly readPage: ReadScoredPage<D>,
    since: Timestamp,
    private readonly options: ScoreReaderOptions,
  ) {
    this.#cursor = { at: since, id: null };
  }

  get cursor(): ScoreCursor {
    return this.#cursor;
  }

  /**
   * Reads the episodes scored since the last read and hands each page to `apply` before the next is read; the
   * cursor moves past a page once it is applied, so a failed read (thrown) loses nothing: the next call reads
   * again from there.
   * @returns how many episodes were applied
   */
  async next(apply: (page: readonly D[]) => void): Promise<number> {
    const { pageSize, maxPages } = this.options;
    let applied = 0;
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await this.readPage(this.#cursor, pageSize);
      if (page.length === 0) break;
      apply(page);
      applied += page.length;
      const last = page[page.length - 1]!;
      this.#cursor = { at: last.scoredAt, id: last.id };
      if (page.length < pageSize) break;
    }
    return applied;
  }
}
