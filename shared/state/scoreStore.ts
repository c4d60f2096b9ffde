/**
 * The reads and writes of settling scores (contract §6): which stored days changed since the scores were last
 * settled (`unsettledFrom` on `bars/` documents, set by detect's commits), the episodes those changes reach, the
 * bars the scores are worked out from, and the score fields of `episodes/` (settle owns them; detect owns the
 * rest and marks them unsettled). Every write has a precondition on what was read: a commit of detect in between
 * makes it fail, and leaves the work to the next settle.
 */
import { FieldValue, Timestamp, type Firestore, type Query } from '@google-cloud/firestore';
import type { BarRef } from '../core/revision.js';
import type { ScoredEpisode } from '../core/suspicion/episodeScore.js';
import { decodeExactDay, type ExactDay } from '../pipeline/barDayBytes.js';
import { serviceError } from '../errors.js';
import { historyRefs } from './barStore.js';

/** A stored day whose bars changed from `from` on since the scores were settled. */
export interface ChangedDay {
  id: string;
  symbol: string;
  /** `YYYY-MM-DD` */
  day: string;
  from: number;
  updateTime: Timestamp;
}

/** An episode as settle reads it. */
export interface EpisodeToScore {
  id: string;
  symbol: string;
  start: number;
  end: number;
  withdrawn: boolean;
  updateTime: Timestamp;
}

const minuteOf = (timestamp: Timestamp) => Math.round(timestamp.toMillis() / 60_000);
const timestampOfMinute = (minute: number) => Timestamp.fromMillis(minute * 60_000);

async function run<T>(what: Promise<T>): Promise<T> {
  return what.catch((error: unknown) => {
    throw serviceError('Firestore', error);
  });
}

export class ScoreStore {
  constructor(
    private readonly db: Firestore,
    private readonly barsCollection: string,
    private readonly episodesCollection: string,
  ) {}

  /** Days changed since the scores were settled, the earliest changes first. */
  async changedDays(limit: number): Promise<ChangedDay[]> {
    const snapshot = await run(
      this.db
        .collection(this.barsCollection)
        .where('unsettledFrom', '>=', 0)
        .orderBy('unsettledFrom')
        .limit(limit)
        .select('symbol', 'day', 'unsettledFrom')
        .get(),
    );
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      symbol: doc.get('symbol') as string,
      day: doc.get('day') as string,
      from: doc.get('unsettledFrom') as number,
      updateTime: doc.updateTime,
    }));
  }

  /** How many days wait to be settled, up to `limit` (for `wait`). */
  async unsettledDays(limit: number): Promise<number> {
    return (await this.changedDays(limit)).length;
  }

  /**
   * Marks days settled, each unless detect changed it since it was read (then the next settle takes it).
   * @returns how many were marked
   */
  async markSettled(days: readonly ChangedDay[]): Promise<number> {
    let marked = 0;
    const writer = this.db.bulkWriter();
    writer.onWriteError(() => false);
    for (const day of days) {
      writer
        .update(
          this.db.collection(this.barsCollection).doc(day.id),
          { unsettledFrom: FieldValue.delete() },
          { lastUpdateTime: day.updateTime },
        )
        .then(
          () => marked++,
          () => {},
        );
    }
    await run(writer.close());
    return marked;
  }

  /** The episodes (of every symbol, or of one) whose last alert is in [from, to]. */
  async episodesEnding(from: number, to: number, symbol?: string): Promise<EpisodeToScore[]> {
    let query: Query = this.db.collection(this.episodesCollection);
    if (symbol !== undefined) query = query.where('symbol', '==', symbol);
    const snapshot = await run(
      query
        .where('end', '>=', timestampOfMinute(from))
        .where('end', '<=', timestampOfMinute(to))
        .select('symbol', 'start', 'end', 'withdrawn')
        .get(),
    );
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      symbol: doc.get('symbol') as string,
      start: minuteOf(doc.get('start') as Timestamp),
      end: minuteOf(doc.get('end') as Timestamp),
      withdrawn: doc.get('withdrawn') != null,
      updateTime: doc.updateTime,
    }));
  }

  /** Every symbol's stored bars of the days from `fromDay` through `toDay`, each symbol's ascending. */
  async daysOfEverySymbol(fromDay: string, toDay: string): Promise<Map<string, BarRef[]>> {
    const snapshot = await run(
      this.db.collection(this.barsCollection).where('day', '>=', fromDay).where('day', '<=', toDay).get(),
    );
    const bySymbol = new Map<string, Array<{ day: string; exact: ExactDay }>>();
    for (const doc of snapshot.docs) {
      const symbol = doc.get('symbol') as string;
      const days = bySymbol.get(symbol) ?? [];
      days.push({ day: doc.get('day') as string, exact: decodeExactDay(doc.data()) });
      bySymbol.set(symbol, days);
    }
    const histories = new Map<string, BarRef[]>();
    for (const [symbol, days] of bySymbol) {
      days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      histories.set(symbol, historyRefs(days.map((entry) => entry.exact)));
    }
    return histories;
  }

  /**
   * Writes the settled scores, each unless its episode changed since it was read (a later commit of detect: its
   * days are then unsettled again).
   * @returns how many were written
   */
  async writeScores(
    scores: ReadonlyArray<{ episode: EpisodeToScore; scored: ScoredEpisode }>,
  ): Promise<number> {
    let written = 0;
    const writer = this.db.bulkWriter();
    writer.onWriteError(() => false);
    for (const { episode, scored } of scores) {
      writer
        .update(
          this.db.collection(this.episodesCollection).doc(episode.id),
          {
            score: scored.score.score,
            scoreFactors: scored.score.factors,
            scoreBaseline: scored.score.baseline,
            scoreAlerts: scored.score.alerts,
            scoreContext: scored.context,
            scoreSettled: true,
            scoredAt: FieldValue.serverTimestamp(),
          },
          { lastUpdateTime: episode.updateTime },
        )
        .then(
          () => written++,
          () => {},
        );
    }
    await run(writer.close());
    return written;
  }
}
