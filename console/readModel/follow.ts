/**
 * Keeps the read model current from Firestore: one scan of the episodes with a projection of the listed fields at
 * start (never of the alerts: a page reads the alerts it needs, alertPages.ts), then two small feeds read every
 * `pollMs` for what changes afterwards.
 *
 * - Alerts: the alert feed (`{alerts}-feed`, one entry per commit of notify listing the alerts it wrote with
 *   the fields the lists show, alertStore.ts), so no alert document is read: the alerts held for the pages of a
 *   symbol it names are dropped (episodeAlerts.ts), and their episodes are read with getAll, since an episode
 *   changes only when an alert joins or leaves it (its triage is elsewhere, below).
 * - Triage, in the audit database (docs/records.md; the pipeline's episodes hold none): every triage document's
 *   status is read at start, then the triage feed (`{episodes}-triage`, one entry per change an analyst makes,
 *   sources/triageStore.ts) names the triage documents to read again with getAll.
 * - Scores: settle writes an episode's score with `scoredAt` and no feed entry, so every `scoresMs` the episodes
 *   scored since the last read are queried by `scoredAt` (scoreReader.ts), with their listed fields.
 *
 * Feeds are read, not listened to: on the emulator a snapshot listener on a collection the pipeline writes makes
 * every commit to it wait for the listener's query (measured: a listener on the alert feed took 40% off the
 * alerts written per second, and with its listeners the console made the pipeline nearly three times slower),
 * while a read of a small feed costs the emulator a scan of that feed only. Each read asks for the entries since the last
 * read's time less `marginMs` (the first since the scan began, less the margin), so nothing written during the
 * scan or committed late is missed; entries already applied are skipped.
 *
 * Every version carries the document's update time, and an older version never replaces a newer one, so the
 * scan and the feeds may report the same document in any order. An episode read before detect committed the
 * alert's change to it (notify may write an alert before detect commits its state) is read again at the next
 * poll, until it covers the alert.
 */
import {
  FieldPath,
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type Query,
  type QueryDocumentSnapshot,
} from '@google-cloud/firestore';
import { describeError } from '../../shared/errors.js';
import { feedAlertsOf, feedCollection } from '../../shared/state/alertStore.js';
import { triageFeedCollection } from '../sources/triageStore.js';
import { EPISODE_FIELDS, episodeEntryOf } from './documentEntries.js';
import type { EpisodeAlerts } from './episodeAlerts.js';
import type { LoadProgress, ReadModel } from './readModel.js';
import { ScoreReader, type ReadScoredPage, type Scored } from './scoreReader.js';

export interface FollowSettings {
  alertsCollection: string;
  episodesCollection: string;
  /** How far before the last read (and the scan) the next read of a feed reaches back. */
  marginMs: number;
  /** How often the feeds are read. */
  pollMs: number;
  /** How often the episodes scored since the last read are read (at the first poll after it is due). */
  scoresMs: number;
  /** How long to wait before a failed scan is tried again. */
  retryMs: number;
}

export type FollowLog = (line: string) => void;

/** The field of a triage document (audit database) the model keeps. */
const TRIAGE_STATUS = 'triage.status';
/** Documents read at once by one getAll. */
const GET_ALL_CHUNK = 300;
/** Polls an episode is read again for before it is given up as not covering its alert. */
const EPISODE_RETRIES = 60;
/**
 * Scored episodes a page of the scores' query holds, and the pages one read takes: a settle that rescored more
 * (a backfill) is taken in further reads, at the next polls.
 */
const SCORE_PAGE = { pageSize: 1000, maxPages: 10 };

/** An episode scored since the last read, with its listed fields. */
interface ScoredEpisode extends Scored {
  data: DocumentData;
  version: number;
}

/** The entries of a feed not seen before, read every poll since the last read less the margin. */
class FeedReader {
  #bound: number;
  /** Entries applied, by id, with their time: those before the bound are forgotten. */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly feed: CollectionReference,
    private readonly field: string,
    private readonly marginMs: number,
    since: number,
  ) {
    this.#bound = since - marginMs;
  }

  async next(): Promise<QueryDocumentSnapshot[]> {
    const snapshot = await this.feed.where(this.field, '>=', Timestamp.fromMillis(this.#bound)).get();
    const fresh = snapshot.docs.filter((doc) => !this.#seen.has(doc.id));
    for (const doc of fresh) this.#seen.set(doc.id, timeOf(doc.get(this.field)));
    this.#bound = snapshot.readTime.toMillis() - this.marginMs;
    for (const [id, at] of this.#seen) if (at < this.#bound) this.#seen.delete(id);
    return fresh;
  }
}

const timeOf = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.POSITIVE_INFINITY);

/**
 * An episode document of the start's scan, into the model (what bench:console feeds its production-shaped store
 * through too); false when it lacks a listed field (it is not listed).
 */
export function takeScannedEpisode(
  model: ReadModel,
  id: string,
  data: DocumentData,
  version: number,
): boolean {
  // Withdrawn by a late bar's revision (contract §2): kept in Firestore, not listed.
  if (data.withdrawn != null) return true;
  const entry = episodeEntryOf(data);
  if (entry === undefined) return false;
  model.putEpisode(id, entry, version);
  return true;
}

/** How long stop() waits for the read in flight. */
const STOP_WAIT_MS = 3000;

export class ModelFollower {
  #stopped = false;
  #skipped = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The read of the feeds in flight, if any: stop() waits for it, so that the client can be closed after. */
  #polling: Promise<void> = Promise.resolve();
  /** Episodes to read again, with the alert minute each must reach and the polls left. */
  readonly #pendingEpisodes = new Map<string, { minute: number; retries: number }>();
  /** When the episodes scored since the last read are read next (ms). */
  #scoresDue = 0;

  constructor(
    private readonly db: Firestore,
    /** The audit database: triage, its feed. */
    private readonly audit: Firestore,
    private readonly model: ReadModel,
    private readonly settings: FollowSettings,
    private readonly log: FollowLog,
    private readonly alertsHeld?: EpisodeAlerts,
  ) {}

  /** Starts reading the feeds and the initial scan; resolves when the scan is done. */
  async start(): Promise<void> {
    const since = Date.now();
    const { alertsCollection, episodesCollection, marginMs } = this.settings;
    const alerts = new FeedReader(
      this.db.collection(feedCollection(alertsCollection)),
      'writtenAt',
      marginMs,
      since,
    );
    const triage = new FeedReader(
      this.audit.collection(triageFeedCollection(episodesCollection)),
      'at',
      marginMs,
      since,
    );
    // From the scan's start less the margin, like the feeds (the server's clock may be behind this one's): a score
    // settled during the scan may be in it or not, and one read twice changes nothing (its version is the same).
    const scores = new ScoreReader(this.#scoredPage, Timestamp.fromMillis(since - marginMs), SCORE_PAGE);
    this.#scoresDue = since + this.settings.scoresMs;
    this.#polling = this.#poll(alerts, triage, scores);
    // The statuses before the episodes are counted done: a list filtered by status must not answer without them.
    await this.#loadStatuses().then(() => this.#load());
    if (this.#skipped > 0) this.log(`${this.#skipped} documents lacked a listed field and are not listed`);
  }

  /**
   * Stops following; resolves once the read in flight, if any, is over (its queries use the client, which the
   * caller may close next), or after STOP_WAIT_MS at most, so that a Firestore that does not answer never holds
   * up a process asked to stop.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#polling,
      new Promise((resolve) => (waited = setTimeout(resolve, STOP_WAIT_MS).unref())),
    ]);
    clearTimeout(waited);
  }

  async #poll(alerts: FeedReader, triage: FeedReader, scores: ScoreReader<ScoredEpisode>): Promise<void> {
    if (this.#stopped) return;
    await this.#readFeeds(alerts, triage);
    if (!this.#stopped && Date.now() >= this.#scoresDue) await this.#readScores(scores);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll(alerts, triage, scores);
    }, this.settings.pollMs);
    this.#timer.unref();
  }

  async #readFeeds(alerts: FeedReader, triage: FeedReader): Promise<void> {
    try {
      const episodes = new Map<string, number>();
      for (const entry of await alerts.next()) {
        for (const { change, ...alert } of feedAlertsOf(entry.data())) {
          // Its episode's alerts, and those of any other of the symbol it may have left, are read again when a
          // page needs them; its episode is read now (its count, what the totals add up, changed).
          this.alertsHeld?.dropSymbol(alert.symbol);
          const minute = change === 'withdrawn' ? Number.NEGATIVE_INFINITY : alert.minute;
          episodes.set(alert.episode, Math.max(episodes.get(alert.episode) ?? minute, minute));
        }
      }
      const triaged = new Set<string>();
      for (const entry of await triage.next()) {
        const id = entry.get('episode') as unknown;
        if (typeof id === 'string') triaged.add(id);
      }
      await this.#readStatuses([...triaged]);
      for (const [id, pending] of this.#pendingEpisodes) {
        if (!episodes.has(id) || episodes.get(id)! < pending.minute) episodes.set(id, pending.minute);
      }
      await this.#readEpisodes(episodes);
    } catch (error) {
      this.log(`reading the feeds failed (${describeError(error)}); reading them again`);
    }
  }

  /**
   * The episodes scored since the last read, into the model as the feeds' episodes go (re-ranked, counted, and
   * told to the event stream by the model). A read that took its most pages leaves more: the next poll reads on.
   */
  async #readScores(scores: ScoreReader<ScoredEpisode>): Promise<void> {
    let applied = 0;
    try {
      applied = await scores.next((page) => {
        for (const { id, data, version } of page) this.#putScored(id, data, version);
      });
    } catch (error) {
      this.log(`reading the scored episodes failed (${describeError(error)}); reading them again`);
    }
    const more = applied === SCORE_PAGE.pageSize * SCORE_PAGE.maxPages;
    this.#scoresDue = more ? 0 : Date.now() + this.settings.scoresMs;
  }

  #putScored(id: string, data: DocumentData, version: number): void {
    if (data.withdrawn != null) {
      this.model.removeEpisode(id, version);
      return;
    }
    const entry = episodeEntryOf(data);
    if (entry !== undefined) this.model.putEpisode(id, entry, version);
    else this.log(`episode ${id} lacks a listed field and is not listed`);
  }

  /**
   * One page of the episodes scored after `after`, in (scoredAt, id) order. The range on scoredAt keeps the query
   * to timestamps (a value of another type would sort after every timestamp and move the cursor past them all).
   *
   * Where production differs: there Firestore's automatic single-field index on `scoredAt` serves it (ascending,
   * ids breaking ties as in every index), so it needs no composite index and a read costs what it returns (one
   * document read, the minimum, when no score changed), whatever the numbers of alerts and episodes. The emulator
   * has no indexes and scans the whole episodes collection for it (about 70 ms for 2,000 documents, README "The
   * console"), which is why scores are read every few seconds, not at every poll.
   */
  readonly #scoredPage: ReadScoredPage<ScoredEpisode> = async (after, limit) => {
    const episodes = this.db.collection(this.settings.episodesCollection);
    const ordered = (query: Query) => query.orderBy('scoredAt').orderBy(FieldPath.documentId()).limit(limit);
    const query =
      after.id === null
        ? ordered(episodes.where('scoredAt', '>', after.at))
        : ordered(episodes.where('scoredAt', '>=', after.at)).startAfter(after.at, after.id);
    const snapshot = await query.select(...EPISODE_FIELDS, 'scoredAt').get();
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      scoredAt: doc.get('scoredAt') as Timestamp,
      data: doc.data(),
      version: doc.updateTime.toMillis(),
    }));
  };

  /**
   * The episodes, into the model. One that does not yet reach the minute its newest alert is at (or is not
   * there yet) waits for the next poll.
   */
  async #readEpisodes(episodes: ReadonlyMap<string, number>): Promise<void> {
    const collection = this.db.collection(this.settings.episodesCollection);
    const ids = [...episodes.keys()];
    const documents = await this.#getAll(
      ids.map((id) => collection.doc(id)),
      EPISODE_FIELDS,
    );
    for (const document of documents) {
      const minute = episodes.get(document.id)!;
      if (document.exists && document.get('withdrawn') != null) {
        // Regrouped by a late bar's revision: the episode that took its place is read with its alerts.
        this.model.removeEpisode(document.id, document.updateTime!.toMillis());
        this.#pendingEpisodes.delete(document.id);
        continue;
      }
      const entry = document.exists ? episodeEntryOf(document.data()!) : undefined;
      if (entry !== undefined) this.model.putEpisode(document.id, entry, document.updateTime!.toMillis());
      if (entry !== undefined && entry.end >= minute * 60_000) {
        this.#pendingEpisodes.delete(document.id);
        continue;
      }
      const retries = (this.#pendingEpisodes.get(document.id)?.retries ?? EPISODE_RETRIES) - 1;
      if (retries > 0) this.#pendingEpisodes.set(document.id, { minute, retries });
      else {
        this.#pendingEpisodes.delete(document.id);
        this.log(`episode ${document.id} does not cover its alert of minute ${minute}; left as read`);
      }
    }
  }

  async #getAll(refs: DocumentReference[], fields: readonly string[], db: Firestore = this.db) {
    const documents = [];
    for (let at = 0; at < refs.length; at += GET_ALL_CHUNK) {
      const chunk = refs.slice(at, at + GET_ALL_CHUNK);
      documents.push(...(await db.getAll(...chunk, { fieldMask: [...fields] })));
    }
    return documents;
  }

  /** The statuses of the triage documents named, from the audit database, into the model. */
  async #readStatuses(ids: string[]): Promise<void> {
    const collection = this.audit.collection(this.settings.episodesCollection);
    const documents = await this.#getAll(
      ids.map((id) => collection.doc(id)),
      [TRIAGE_STATUS],
      this.audit,
    );
    for (const document of documents)
      this.#putStatus(document.id, document.get(TRIAGE_STATUS), document.updateTime);
  }

  #putStatus(id: string, status: unknown, updateTime: Timestamp | undefined): void {
    if (typeof status === 'string' && updateTime !== undefined) {
      this.model.putEpisodeStatus(id, status, updateTime.toMillis());
    }
  }

  /**
   * Every triage document's status (one per episode an analyst ever changed: at most the episodes), read once at
   * start, retried as the scans are.
   */
  async #loadStatuses(): Promise<void> {
    for (;;) {
      try {
        const collection = this.audit.collection(this.settings.episodesCollection);
        for await (const document of collection.select(TRIAGE_STATUS).stream()) {
          if (this.#stopped) return;
          const snapshot = document as unknown as QueryDocumentSnapshot;
          this.#putStatus(snapshot.id, snapshot.get(TRIAGE_STATUS), snapshot.updateTime);
        }
        return;
      } catch (error) {
        if (this.#stopped) return;
        this.log(`reading the triage statuses failed (${describeError(error)}); reading them again`);
        await new Promise((resolve) => setTimeout(resolve, this.settings.retryMs));
      }
    }
  }

  async #load(): Promise<void> {
    const collection = this.db.collection(this.settings.episodesCollection);
    const progress = this.model.progress.episodes;
    void collection
      .count()
      .get()
      .then((count) => {
        progress.expected = count.data().count;
      })
      .catch(() => undefined);
    for (;;) {
      try {
        await this.#scan(collection, progress);
        progress.done = true;
        return;
      } catch (error) {
        if (this.#stopped) return;
        this.log(`reading ${collection.id} failed (${describeError(error)}); reading it again`);
        await new Promise((resolve) => setTimeout(resolve, this.settings.retryMs));
      }
    }
  }

  async #scan(collection: CollectionReference, progress: LoadProgress): Promise<void> {
    progress.read = 0;
    for await (const document of collection.select(...EPISODE_FIELDS).stream()) {
      if (this.#stopped) return;
      const snapshot = document as unknown as QueryDocumentSnapshot;
      progress.read++;
      if (!takeScannedEpisode(this.model, snapshot.id, snapshot.data(), snapshot.updateTime.toMillis()))
        this.#skipped++;
    }
  }
}
