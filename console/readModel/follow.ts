/**
 * Keeps the read model current from Firestore: one scan of each collection with a projection of the listed
 * fields at start, and snapshot listeners for what changes afterwards.
 *
 * Listeners watch `where(field >= bound)` on a server-time field that every write sets (episodes: `updatedAt`,
 * set by detect, and `triage.updatedAt`, set by the console). Alerts are followed through their feed instead
 * (`{alerts}-feed`, one entry per commit of notify naming the alerts it wrote, alertStore.ts): a listener on
 * the alerts themselves slowed every write of the emulator sevenfold; each new entry's alerts are read with one
 * getAll. Each
 * starts `marginMs` before the scan, so nothing written during the scan is missed, and is replaced every
 * `restartMs` by one bounded at its last snapshot's read time less the margin, so that its snapshot holds only
 * recent documents instead of growing without end. The new one is started before the old one stops. A document
 * without the field (written before the field existed) is picked up by the scan only.
 *
 * Every version carries the document's update time, and an older version never replaces a newer one, so the
 * scan and the listeners may report the same document in any order.
 */
import {
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type Firestore,
  type QueryDocumentSnapshot,
  type QuerySnapshot,
} from '@google-cloud/firestore';
import { describeError } from '../../shared/errors.js';
import { feedCollection } from '../../shared/state/alertStore.js';
import { ALERT_FIELDS, alertEntryOf, EPISODE_FIELDS, episodeEntryOf } from './documentEntries.js';
import type { LoadProgress, ReadModel } from './readModel.js';

export interface FollowSettings {
  alertsCollection: string;
  episodesCollection: string;
  /** How far before the scan (and before the last snapshot, on restart) a listener's bound lies. */
  marginMs: number;
  /** How often a listener is replaced by one with a newer bound. */
  restartMs: number;
  /** How long to wait before a failed scan or listener is tried again. */
  retryMs: number;
}

export type FollowLog = (line: string) => void;

/** One collection as followed: how its documents go into the model. */
interface Followed {
  name: string;
  collection: CollectionReference;
  fields: readonly string[];
  boundFields: readonly string[];
  /** Where its changes are listened for, when not on the collection itself. */
  feed?: Followed;
  progress: LoadProgress;
  /** False when the document lacks a listed field (it is not listed). */
  put(id: string, data: DocumentData, version: number): boolean;
  remove(id: string, data: DocumentData, version: number): void;
}

/** Follows one field's bound, replacing its listener periodically. */
class BoundedListener {
  #unsubscribe: (() => void) | undefined;
  #lastRead: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly followed: Followed,
    private readonly field: string,
    private readonly settings: FollowSettings,
    private readonly log: FollowLog,
    since: number,
  ) {
    this.#lastRead = since;
  }

  start(): void {
    this.#listen(this.#lastRead - this.settings.marginMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
  }

  #listen(bound: number): void {
    const previous = this.#unsubscribe;
    let first = true;
    const unsubscribe = this.followed.collection
      .where(this.field, '>=', Timestamp.fromMillis(bound))
      .onSnapshot(
        (snapshot) => {
          this.#lastRead = snapshot.readTime.toMillis();
          this.#apply(snapshot);
          if (first) {
            first = false;
            // The new listener covers everything from its bound on: the old one can go.
            previous?.();
            this.#schedule(this.settings.restartMs);
          }
        },
        (error) => {
          this.log(
            `listener on ${this.followed.name} ${this.field} failed (${describeError(error)}); retrying`,
          );
          if (this.#unsubscribe === unsubscribe) this.#unsubscribe = undefined;
          previous?.();
          this.#schedule(this.settings.retryMs);
        },
      );
    this.#unsubscribe = unsubscribe;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      if (!this.#stopped) this.#listen(this.#lastRead - this.settings.marginMs);
    }, ms);
    this.#timer.unref();
  }

  #apply(snapshot: QuerySnapshot): void {
    const version = snapshot.readTime.toMillis();
    for (const change of snapshot.docChanges()) {
      try {
        if (change.type === 'removed') this.followed.remove(change.doc.id, change.doc.data(), version);
        else this.followed.put(change.doc.id, change.doc.data(), change.doc.updateTime.toMillis());
      } catch (error) {
        this.log(`could not apply ${this.followed.name}/${change.doc.id}: ${describeError(error)}`);
      }
    }
  }
}

export class ModelFollower {
  readonly #listeners: BoundedListener[] = [];
  #stopped = false;
  #skipped = 0;

  constructor(
    private readonly db: Firestore,
    private readonly model: ReadModel,
    private readonly settings: FollowSettings,
    private readonly log: FollowLog,
  ) {}

  /** Starts the listeners and the initial scans; resolves when both scans are done. */
  async start(): Promise<void> {
    await Promise.all([this.#follow(this.#alerts()), this.#follow(this.#episodes())]);
    if (this.#skipped > 0) this.log(`${this.#skipped} documents lacked a listed field and are not listed`);
  }

  stop(): void {
    this.#stopped = true;
    for (const listener of this.#listeners) listener.stop();
  }

  #alerts(): Followed {
    const { model } = this;
    const collection = this.db.collection(this.settings.alertsCollection);
    const feed = feedCollection(this.settings.alertsCollection);
    const alerts: Followed = {
      name: this.settings.alertsCollection,
      collection,
      fields: ALERT_FIELDS,
      boundFields: [],
      progress: model.progress.alerts,
      put: (_id, data, version) => {
        const entry = alertEntryOf(data);
        if (entry === undefined) return false;
        model.putAlert(entry, version);
        return true;
      },
      remove: (_id, data, version) => {
        const entry = alertEntryOf(data);
        if (entry !== undefined) model.removeAlert(entry.symbol, entry.minute, version);
      },
    };
    alerts.feed = {
      name: feed,
      collection: this.db.collection(feed),
      fields: [],
      boundFields: ['writtenAt'],
      progress: model.progress.alerts,
      put: (id, data) => {
        const ids = Array.isArray(data.ids)
          ? (data.ids as unknown[]).filter((x) => typeof x === 'string')
          : [];
        void this.#readAlerts(alerts, ids as string[]).catch((error: unknown) =>
          this.log(`could not read the alerts of ${feed}/${id}: ${describeError(error)}`),
        );
        return true;
      },
      // An entry deleted by its TTL deletes no alert.
      remove: () => undefined,
    };
    return alerts;
  }

  /** The alerts a feed entry names, into the model (each at its own update time). */
  async #readAlerts(alerts: Followed, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const documents = await this.db.getAll(...ids.map((id) => alerts.collection.doc(id)), {
      fieldMask: [...alerts.fields],
    });
    for (const document of documents) {
      if (document.exists) alerts.put(document.id, document.data()!, document.updateTime!.toMillis());
    }
  }

  #episodes(): Followed {
    const { model } = this;
    return {
      name: this.settings.episodesCollection,
      collection: this.db.collection(this.settings.episodesCollection),
      fields: EPISODE_FIELDS,
      boundFields: ['updatedAt', 'triage.updatedAt'],
      progress: model.progress.episodes,
      put: (id, data, version) => {
        const entry = episodeEntryOf(data);
        if (entry === undefined) return false;
        model.putEpisode(id, entry, version);
        return true;
      },
      remove: (id, _data, version) => void model.removeEpisode(id, version),
    };
  }

  async #follow(followed: Followed): Promise<void> {
    const since = Date.now();
    for (const source of [followed, ...(followed.feed ? [followed.feed] : [])]) {
      for (const field of source.boundFields) {
        const listener = new BoundedListener(source, field, this.settings, this.log, since);
        this.#listeners.push(listener);
        listener.start();
      }
    }
    void followed.collection
      .count()
      .get()
      .then((count) => {
        followed.progress.expected = count.data().count;
      })
      .catch(() => undefined);
    for (;;) {
      try {
        await this.#scan(followed);
        followed.progress.done = true;
        return;
      } catch (error) {
        if (this.#stopped) return;
        this.log(`reading ${followed.name} failed (${describeError(error)}); reading it again`);
        await new Promise((resolve) => setTimeout(resolve, this.settings.retryMs));
      }
    }
  }

  async #scan(followed: Followed): Promise<void> {
    followed.progress.read = 0;
    for await (const document of followed.collection.select(...followed.fields).stream()) {
      if (this.#stopped) return;
      const snapshot = document as unknown as QueryDocumentSnapshot;
      if (!followed.put(snapshot.id, snapshot.data(), snapshot.updateTime.toMillis())) this.#skipped++;
      followed.progress.read++;
    }
  }
}
