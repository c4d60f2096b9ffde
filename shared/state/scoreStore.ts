/**
 * The reads and writes of settling scores (contract §6): which stored days changed since the scores were last
 * settled (`unsettledFrom` on `bars/` documents, set by detect's commits), the episodes those changes reach, the
 * bars the scores are worked out from, and the score fields of `episodes/` (settle owns them; detect owns the
 * rest and marks them unsettled). A score is written, and a day marked settled whole, only if the document is as it
 * was read: a commit of detect in between makes it fail, and leaves its work to the next settle.
 */
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type Firestore,
  type Query,
} from '@google-cloud/firestore';
import type { BarRef } from '../core/revision.js';
import type { ScoredEpisode } from '../core/suspicion/episodeScore.js';
import { decodeExactBars } from '../pipeline/barBytes.js';
import { serviceError } from '../errors.js';
import { historyRefs } from './barStore.js';

/** A stored document (a symbol's hour of bars) whose bars changed from `from` on since the scores were settled. */
export interface ChangedDay {
  id: string;
  symbol: string;
  /** `YYYY-MM-DD` */
  day: string;
  from: number;
  /** The changes read (keys of `unsettled`, each a commit's): what {@link ScoreStore.markSettled} takes away. */
  changes: string[];
  /** The document's update time when read. */
  updateTime: Timestamp;
}

/** An episode as settle reads it. */
export interface EpisodeToScore {
  id: string;
  symbol: string;
  start: number;
  end: number;
  /** Its alerts. */
  count: number;
  withdrawn: boolean;
  /** Whether it was escalated to the chat (its document has `escalatedAt`). */
  escalated: boolean;
  updateTime: Timestamp;
}

const minuteOf = (timestamp: Timestamp) => Math.round(timestamp.toMillis() / 60_000);
const timestampOfMinute = (minute: number) => Timestamp.fromMillis(minute * 60_000);

async function run<T>(what: Promise<T>): Promise<T> {
  return what.catch((error: unknown) => {
    throw serviceError('Firestore', error);
  });
}

/** How far apart the instances' clocks and Firestore's may be. */
const CLOCK_MARGIN_MS = 60_000;

/** A stored document (an hour's bars) as settle keeps it: its bars, decoded once. */
interface KeptDay {
  symbol: string;
  day: string;
  /** What orders a symbol's documents in time: the hour (`YYYY-MM-DDTHH`; the day for a whole day's). */
  time: string;
  refs: BarRef[];
}

function keptDayOf(data: DocumentData): KeptDay {
  return {
    symbol: data.symbol as string,
    day: data.day as string,
    time: (data.hour as string | undefined) ?? (data.day as string),
    refs: historyRefs([decodeExactBars(data)]),
  };
}

export class ScoreStore {
  /** The days of every symbol read last (see {@link daysOfEverySymbol}). */
  #kept: { from: string; to: string; readTime: Timestamp; days: Map<string, KeptDay> } | undefined;

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
        .select('symbol', 'day', 'unsettledFrom', 'unsettled')
        .get(),
    );
    return snapshot.docs.flatMap((doc) => {
      const unsettled = (doc.get('unsettled') as Record<string, number> | undefined) ?? {};
      const changes = Object.keys(unsettled);
      const from = Math.min(...Object.values(unsettled));
      // A day whose changes were all taken away, its `unsettledFrom` left behind: nothing to settle but that.
      const updateTime = doc.updateTime;
      if (changes.length === 0)
        return [{ id: doc.id, symbol: '', day: '', from: Infinity, changes, updateTime }];
      return [
        {
          id: doc.id,
          symbol: doc.get('symbol') as string,
          day: doc.get('day') as string,
          from,
          changes,
          updateTime,
        },
      ];
    });
  }

  /** How many days wait to be settled, up to `limit` (for `wait`). */
  async unsettledDays(limit: number): Promise<number> {
    return (await this.changedDays(limit)).length;
  }

  /**
   * Marks days settled: a day no commit changed since it was read loses its changes and `unsettledFrom` at once
   * (a precondition on its update time); one a commit changed meanwhile loses only the changes that were read, by
   * their field paths, and keeps the commit's (its `unsettledFrom`, then perhaps earlier than what is left, is put
   * right when the next settle finds the day). No transaction: a settle marks every symbol's day.
   * @returns how many days have nothing left to settle
   */
  async markSettled(days: readonly ChangedDay[]): Promise<number> {
    const writer = this.db.bulkWriter();
    let settled = 0;
    const partly: ChangedDay[] = [];
    writer.onWriteError(() => false);
    for (const day of days) {
      writer
        .update(
          this.db.collection(this.barsCollection).doc(day.id),
          { unsettled: FieldValue.delete(), unsettledFrom: FieldValue.delete() },
          { lastUpdateTime: day.updateTime },
        )
        .then(
          () => settled++,
          () => partly.push(day),
        );
    }
    await run(writer.flush());
    for (const day of partly) {
      if (day.changes.length === 0) continue;
      const paths = Object.fromEntries(
        day.changes.map((change) => [`unsettled.${change}`, FieldValue.delete()]),
      );
      writer.update(this.db.collection(this.barsCollection).doc(day.id), paths).catch(() => {});
    }
    await run(writer.close());
    return settled;
  }

  /** The episodes whose last alert is in [from, to]. */
  async episodesEnding(from: number, to: number): Promise<EpisodeToScore[]> {
    const query: Query = this.db.collection(this.episodesCollection);
    const snapshot = await run(
      query
        .where('end', '>=', timestampOfMinute(from))
        .where('end', '<=', timestampOfMinute(to))
        .select('symbol', 'start', 'end', 'count', 'withdrawn', 'escalatedAt')
        .get(),
    );
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      symbol: doc.get('symbol') as string,
      start: minuteOf(doc.get('start') as Timestamp),
      end: minuteOf(doc.get('end') as Timestamp),
      count: doc.get('count') as number,
      withdrawn: doc.get('withdrawn') != null,
      escalated: doc.get('escalatedAt') != null,
      updateTime: doc.updateTime,
    }));
  }

  /**
   * Every symbol's stored bars of the days from `fromDay` through `toDay`, each symbol's ascending. The days read
   * are kept: asked again for days they cover, only the documents written since (and a count, which shows a
   * document deleted) are read, so that a settle in a live market reads the days that changed, not every symbol's.
   */
  async daysOfEverySymbol(fromDay: string, toDay: string): Promise<Map<string, BarRef[]>> {
    const bars = this.db.collection(this.barsCollection);
    const range = bars.where('day', '>=', fromDay).where('day', '<=', toDay);
    let kept = this.#kept;
    if (kept !== undefined && kept.from <= fromDay && toDay <= kept.to) {
      const [changed, counted] = await run(
        Promise.all([
          // `updatedAt` is the committing instance's clock (barStore.ts): a minute's margin for clocks.
          bars
            .where('updatedAt', '>', Timestamp.fromMillis(kept.readTime.toMillis() - CLOCK_MARGIN_MS))
            .get(),
          bars.where('day', '>=', kept.from).where('day', '<=', kept.to).count().get(),
        ]),
      );
      for (const doc of changed.docs) {
        const day = doc.get('day') as string;
        if (day >= kept.from && day <= kept.to) kept.days.set(doc.id, keptDayOf(doc.data()));
      }
      kept.readTime = changed.readTime;
      if (counted.data().count !== kept.days.size) kept = undefined;
    } else {
      kept = undefined;
    }
    if (kept === undefined) {
      const snapshot = await run(range.get());
      kept = { from: fromDay, to: toDay, readTime: snapshot.readTime, days: new Map() };
      for (const doc of snapshot.docs) kept.days.set(doc.id, keptDayOf(doc.data()));
    }
    this.#kept = kept;
    const bySymbol = new Map<string, KeptDay[]>();
    for (const day of kept.days.values()) {
      if (day.day < fromDay || day.day > toDay) continue;
      const days = bySymbol.get(day.symbol);
      if (days === undefined) bySymbol.set(day.symbol, [day]);
      else days.push(day);
    }
    const histories = new Map<string, BarRef[]>();
    for (const [symbol, days] of bySymbol) {
      days.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      histories.set(
        symbol,
        days.flatMap((day) => day.refs),
      );
    }
    return histories;
  }

  /**
   * Writes the settled scores, each unless its episode changed since it was read (a later commit of detect: its
   * days are then unsettled again).
   * @returns how many were written
   */
  async writeScores(
    scores: ReadonlyArray<{ episode: EpisodeToScore; scored: ScoredEpisode; escalated?: boolean }>,
  ): Promise<number> {
    let written = 0;
    const writer = this.db.bulkWriter();
    writer.onWriteError(() => false);
    for (const { episode, scored, escalated } of scores) {
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
            // Published to the escalations topic just before: never again (escalate also posts each once).
            ...(escalated === true && { escalatedAt: FieldValue.serverTimestamp() }),
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
