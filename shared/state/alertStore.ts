/**
 * The one owner of the alert documents in Firestore (`alerts/{symbol@minute}`): their shape, their id, and
 * every read and write of them. The pipeline (notify) writes them; the CLI and the console read them. An
 * alert's triage is its episode's (docs/records.md), so nothing else writes here; a write merges all the same,
 * so that a field another part adds later survives a redelivery.
 */
import { createHash } from 'node:crypto';
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type Firestore,
  type Query,
  type QueryDocumentSnapshot,
} from '@google-cloud/firestore';
import type { Alert, RuleId } from '../core/alert.js';
import { serviceError } from '../errors.js';
import { ALERTS_PER_COMMIT } from '../pipeline/alertCommits.js';
import { alertId, episodeId, episodeStartOf, symbolStateId } from '../pipeline/documentIds.js';
import {
  ALERT_CHANGES,
  ALERT_MESSAGE_VERSION,
  revisionsOf,
  type AlertChange,
  type AlertMessage,
  type AlertRevision,
  type RevisionCause,
} from '../pipeline/alertMessage.js';

/** An alert as stored: the alert's fields, with a real timestamp for the console to sort and filter on. */
export interface AlertDocument {
  symbol: string;
  timestamp: Timestamp;
  rules: readonly RuleId[];
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  a1?: Alert['a1'];
  a2?: Alert['a2'];
  severity: number | null;
  /** The id of the alert's episode document (contract §5; docs/records.md). */
  episode: string;
  source: Alert['source'];
  /** When notify last wrote it (server time): the console follows new alerts by it. */
  writtenAt?: Timestamp | FieldValue;
  /** When a Firestore TTL policy may delete the document (deploy.sh --alert-ttl-days). */
  expireAt?: Timestamp;
  /** The symbol's commit the alert was detected in: a write of an earlier one changes nothing (contract §2). */
  version?: number;
  /** Set when a late bar raised or changed the alert (contract §2): what, when and which object's bars. */
  revision?: AlertRevisionMark;
  /** Set when a late bar's revision withdrew the alert: it no longer fires. It is kept, and shown so. */
  withdrawn?: AlertRevisionMark;
}

/** A revision of an alert, as its document records it. */
export interface AlertRevisionMark {
  kind: AlertChange;
  at: Timestamp;
  object: string;
  generation: string;
}

export interface AlertFilter {
  symbol?: string;
  rule?: RuleId;
}

export interface AlertStore {
  /** Writes alerts detected in order (a message without revisions): see {@link writeMessage}. */
  write(alerts: readonly Alert[], expireAt?: Date): Promise<void>;
  /**
   * Applies a message from detect: each alert written under its (symbol, minute) id, or marked withdrawn, unless
   * its document holds a later version already; each symbol's tally counts the alerts standing. A commit of the
   * same alerts made before (a redelivered message) is found by its feed entry and not made again.
   */
  writeMessage(message: AlertMessage, expireAt?: Date): Promise<void>;
  /** By symbol, the alerts standing (the tallies): one read per symbol, however many alerts there are. */
  writtenBySymbol(): Promise<Map<string, number>>;
  /** The alerts standing (withdrawn ones left out), in order of symbol, then minute. */
  all(filter?: AlertFilter): Promise<Alert[]>;
}

/**
 * The alert feed (`{alerts}-feed`, docs/records.md): one small document per commit naming the alerts it wrote,
 * which the console follows. A listener on the alerts themselves makes the emulator evaluate every write against
 * every recent alert (measured: 30,000 alerts written 7× slower under one); on the feed it costs nothing.
 */
export const feedCollection = (alerts: string) => `${alerts}-feed`;
/**
 * How long a feed entry is kept, where a TTL policy deletes it. An entry is also the receipt of its commit (a
 * redelivery finds it and writes nothing), so it outlives Pub/Sub's longest retention of a message: 7 days.
 */
export const FEED_DAYS = 7;

/**
 * The alert tallies (`{alerts}-tallies/{symbol}`, docs/records.md): per symbol, how many alerts notify has
 * written, counted in the commit that writes them. `wait` compares them with the alerts detect counted in each
 * symbol's state, reading one document per symbol: counting the alerts themselves is a scan of the collection
 * on the emulator (seconds at 290,000 alerts).
 */
export const tallyCollection = (alerts: string) => `${alerts}-tallies`;

/** gRPC's ALREADY_EXISTS: a commit whose feed entry exists was made before. */
const ALREADY_EXISTS = 6;

/**
 * One alert as its feed entry lists it: what a list of alerts shows, so that a follower of the feed reads no
 * alert document.
 */
export interface FeedAlert {
  id: string;
  symbol: string;
  /** Minutes since the Unix epoch. */
  minute: number;
  rules: readonly RuleId[];
  severity: number | null;
  /** The id of its episode document. */
  episode: string;
  /** What became of it: `new` unless a late bar's revision raised, changed or withdrew it. */
  change: AlertChange;
}

/**
 * A feed entry's alerts as Bytes (JSON text): a list field would be indexed element by element, as the bars'
 * maps were (barStore.ts), and Bytes are not.
 */
export function encodeFeedAlerts(alerts: readonly AlertRevision[]): Buffer {
  const rows = alerts.map(({ alert, change }) => [
    alertId(alert),
    alert.symbol,
    Date.parse(alert.timestamp) / 60_000,
    alert.rules,
    alert.severity,
    episodeId({ symbol: alert.symbol, start: alert.episodeStart }),
    // Only a revision names its change: the usual entry stays as short as before.
    ...(change === 'new' ? [] : [change]),
  ]);
  return Buffer.from(JSON.stringify(rows));
}

/** The alerts a feed entry lists; none when it is not one. */
export function feedAlertsOf(data: DocumentData | undefined): FeedAlert[] {
  const bytes: unknown = data?.alerts;
  if (!(bytes instanceof Uint8Array)) return [];
  let rows: unknown;
  try {
    rows = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row: unknown) => {
    if (!Array.isArray(row) || (row.length !== 6 && row.length !== 7)) return [];
    const [id, symbol, minute, rules, severity, episode, change = 'new'] = row as unknown[];
    if (typeof id !== 'string' || typeof symbol !== 'string' || typeof episode !== 'string') return [];
    if (!Number.isInteger(minute) || !Array.isArray(rules)) return [];
    if (severity !== null && typeof severity !== 'number') return [];
    if (!(ALERT_CHANGES as readonly unknown[]).includes(change)) return [];
    return [
      {
        id,
        symbol,
        minute: minute as number,
        rules: rules as RuleId[],
        severity,
        episode,
        change: change as AlertChange,
      },
    ];
  });
}
/** Commits of one write() in flight at once. */
export const COMMITS_IN_FLIGHT = 8;

export function toAlertDocument(alert: Alert, expireAt?: Date): AlertDocument {
  const { episodeStart, ...fields } = alert;
  return {
    ...fields,
    timestamp: Timestamp.fromMillis(Date.parse(alert.timestamp)),
    episode: episodeId({ symbol: alert.symbol, start: episodeStart }),
    ...(expireAt ? { expireAt: Timestamp.fromDate(expireAt) } : {}),
  };
}

/** The alert a document holds, field for field as `detect` prints it (expireAt and writtenAt left out). */
export function fromAlertDocument(data: DocumentData): Alert {
  const { timestamp, a1, a2, source, symbol, rules, open, high, low, close, volume, severity, episode } =
    data as AlertDocument;
  const at = `${timestamp.toDate().toISOString().slice(0, 19)}Z`;
  return {
    symbol,
    timestamp: at,
    rules,
    open,
    high,
    low,
    close,
    volume,
    ...(a1 ? { a1 } : {}),
    ...(a2 ? { a2 } : {}),
    severity: severity ?? null,
    // Written before episodes were kept: the alert stands alone.
    episodeStart: episode === undefined ? at : episodeStartOf(episode),
    source,
  };
}

/**
 * The merge-write of an alert: with `merge: true` a field the write leaves out survives, so the pipeline's
 * optional fields it no longer has are deleted explicitly. A document written again is then what a first
 * write would make it, with any field another part added kept.
 */
function mergeWriteOf(alert: Alert, expireAt?: Date): DocumentData {
  const document = toAlertDocument(alert, expireAt);
  return {
    ...document,
    // merge: true merges maps too: without this a generation once written would outlive the alert's.
    source: { ...document.source, generation: document.source.generation ?? FieldValue.delete() },
    a1: document.a1 ?? FieldValue.delete(),
    a2: document.a2 ?? FieldValue.delete(),
    expireAt: document.expireAt ?? FieldValue.delete(),
    writtenAt: FieldValue.serverTimestamp(),
  };
}

/** The order all() reads in: by symbol, then by minute. */
export function bySymbolAndMinute(a: Alert, b: Alert): number {
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;
}

export interface FirestoreAlertStoreOptions {
  /** Commits of one write() in flight at once (default COMMITS_IN_FLIGHT). */
  commitsInFlight?: number;
}

export class FirestoreAlertStore implements AlertStore {
  private readonly commitsInFlight: number;

  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    options: FirestoreAlertStoreOptions = {},
  ) {
    this.commitsInFlight = options.commitsInFlight ?? COMMITS_IN_FLIGHT;
  }

  async write(alerts: readonly Alert[], expireAt?: Date): Promise<void> {
    await this.writeMessage({ v: ALERT_MESSAGE_VERSION, alerts: [...alerts] }, expireAt);
  }

  async writeMessage(message: AlertMessage, expireAt?: Date): Promise<void> {
    const revisions = revisionsOf(message);
    const version = message.version ?? 0;
    let next = 0;
    const committer = async () => {
      for (let at = next; at < revisions.length; at = next) {
        next += ALERTS_PER_COMMIT;
        const chunk = revisions.slice(at, at + ALERTS_PER_COMMIT);
        const written =
          chunk.every(({ change }) => change === 'new') && (await this.#createAll(chunk, version, expireAt));
        if (!written) await this.#applyAll(chunk, version, message.cause, expireAt);
      }
    };
    const committers = Math.min(this.commitsInFlight, Math.ceil(revisions.length / ALERTS_PER_COMMIT));
    await this.#call(() => Promise.all(Array.from({ length: committers }, committer)));
  }

  /**
   * The usual commit: alerts detected in order, each new, so each document is created, and the commit fails as a
   * whole when any exists (its message delivered again, or a revision of it arrived first).
   * @returns false when one existed: {@link #applyAll} then decides alert by alert
   */
  async #createAll(chunk: readonly AlertRevision[], version: number, expireAt?: Date): Promise<boolean> {
    const collection = this.db.collection(this.collection);
    const batch = this.db.batch();
    const ids = chunk.map(({ alert }) => {
      const id = alertId(alert);
      batch.create(collection.doc(id), {
        ...toAlertDocument(alert, expireAt),
        version,
        writtenAt: FieldValue.serverTimestamp(),
      });
      return id;
    });
    batch.create(this.#feedRef(ids, chunk), this.#feedEntry(chunk));
    const tallies = this.db.collection(tallyCollection(this.collection));
    for (const [symbol, written] of countBySymbol(chunk.map(({ alert }) => alert))) {
      batch.set(
        tallies.doc(symbolStateId(symbol)),
        { symbol, written: FieldValue.increment(written) },
        { merge: true },
      );
    }
    try {
      await batch.commit();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === ALREADY_EXISTS) return false;
      throw error;
    }
  }

  /**
   * Applies each alert's change in a transaction that reads what is stored: a version at least as late is kept
   * (a message delivered again, or overtaken by a later revision), and each symbol's tally moves by the alerts
   * that started or stopped standing.
   */
  async #applyAll(
    chunk: readonly AlertRevision[],
    version: number,
    cause: RevisionCause | undefined,
    expireAt?: Date,
  ): Promise<void> {
    const collection = this.db.collection(this.collection);
    const tallies = this.db.collection(tallyCollection(this.collection));
    const ids = chunk.map(({ alert }) => alertId(alert));
    const feedRef = this.#feedRef(ids, chunk);
    await this.db.runTransaction(async (transaction) => {
      const [feed, ...stored] = await transaction.getAll(feedRef, ...ids.map((id) => collection.doc(id)));
      if (feed!.exists) return;
      const standing = new Map<string, number>();
      // What this commit changed: the feed lists only these, so that a follower never takes an older version
      // for news (the entry is still made, as the message's receipt).
      const applied: AlertRevision[] = [];
      chunk.forEach(({ alert, change }, i) => {
        const snapshot = stored[i]!;
        const storedVersion = snapshot.exists ? Number(snapshot.get('version') ?? 0) : -1;
        if (storedVersion >= version) return;
        applied.push(chunk[i]!);
        const was = snapshot.exists && snapshot.get('withdrawn') == null ? 1 : 0;
        const mark = cause && {
          kind: change,
          at: Timestamp.fromMillis(Date.parse(cause.at)),
          object: cause.object,
          generation: cause.generation,
        };
        const document = { ...mergeWriteOf(alert, expireAt), version };
        if (change === 'withdrawn') {
          // Kept with the figures it had, so that an analyst sees what was withdrawn; a tombstone when it was
          // never written, so that its first version, arriving after, changes nothing.
          transaction.set(
            snapshot.ref,
            snapshot.exists
              ? { version, withdrawn: mark ?? { kind: change } }
              : { ...document, withdrawn: mark ?? { kind: change } },
            { merge: true },
          );
        } else {
          transaction.set(
            snapshot.ref,
            {
              ...document,
              withdrawn: FieldValue.delete(),
              revision: change === 'new' || !mark ? FieldValue.delete() : mark,
            },
            { merge: true },
          );
        }
        const now = change === 'withdrawn' ? 0 : 1;
        standing.set(alert.symbol, (standing.get(alert.symbol) ?? 0) + now - was);
      });
      transaction.create(feedRef, this.#feedEntry(applied));
      for (const [symbol, delta] of standing) {
        if (delta !== 0)
          transaction.set(
            tallies.doc(symbolStateId(symbol)),
            { symbol, written: FieldValue.increment(delta) },
            { merge: true },
          );
      }
    });
  }

  /**
   * Named after what it holds and created, never overwritten: a redelivered message's commit then fails as a
   * whole (or finds it), and its alerts are not counted twice.
   */
  #feedRef(ids: readonly string[], chunk: readonly AlertRevision[]) {
    return this.db.collection(feedCollection(this.collection)).doc(feedEntryId(ids, chunk));
  }

  #feedEntry(chunk: readonly AlertRevision[]) {
    return {
      count: chunk.length,
      alerts: encodeFeedAlerts(chunk),
      writtenAt: FieldValue.serverTimestamp(),
      expireAt: Timestamp.fromMillis(Date.now() + FEED_DAYS * 86_400_000),
    };
  }

  async writtenBySymbol(): Promise<Map<string, number>> {
    const snapshot = await this.#call(() => this.db.collection(tallyCollection(this.collection)).get());
    return new Map(snapshot.docs.map((doc) => [String(doc.get('symbol')), Number(doc.get('written') ?? 0)]));
  }

  /**
   * One scan, sorted here by symbol and minute: a query ordered by them makes the emulator sort the whole
   * collection (again for every page, if paged: over ten minutes for 290,000 alerts), and all() holds every
   * alert in memory whichever way they are read.
   */
  async all(filter: AlertFilter = {}): Promise<Alert[]> {
    return this.#call(async () => {
      const alerts: Alert[] = [];
      for await (const document of this.#filtered(filter).stream()) {
        const data = (document as unknown as QueryDocumentSnapshot).data();
        if (data.withdrawn == null) alerts.push(fromAlertDocument(data));
      }
      return alerts.sort(bySymbolAndMinute);
    });
  }

  #filtered(filter: AlertFilter): Query {
    let query: Query = this.db.collection(this.collection);
    if (filter.symbol !== undefined) query = query.where('symbol', '==', filter.symbol);
    if (filter.rule !== undefined) query = query.where('rules', 'array-contains', filter.rule);
    return query;
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }
}

/** `{first id}+{count}~{digest of the alerts}`: the same alerts (and changes), the same entry. */
function feedEntryId(ids: readonly string[], alerts: readonly AlertRevision[]): string {
  // An alert detected in order hashes as it always did, so that a redelivery still finds its entry.
  const hashed = alerts.map(({ alert, change }) => (change === 'new' ? alert : { alert, change }));
  const digest = createHash('sha256').update(JSON.stringify(hashed)).digest('base64url').slice(0, 16);
  return `${ids[0]}+${ids.length}~${digest}`;
}

/** How many of the alerts are of each symbol (a message holds one symbol's; the store takes any). */
function countBySymbol(alerts: readonly Alert[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.symbol, (counts.get(alert.symbol) ?? 0) + 1);
  return counts;
}
