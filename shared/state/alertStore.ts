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
}

export interface AlertFilter {
  symbol?: string;
  rule?: RuleId;
}

export interface AlertStore {
  /**
   * Writes each alert under its (symbol, minute) id, counting them in their symbol's tally. A commit of the same
   * alerts made before (a redelivered message) is found by its feed entry and not made again.
   */
  write(alerts: readonly Alert[], expireAt?: Date): Promise<void>;
  /** By symbol, the alerts written (the tallies): one read per symbol, however many alerts there are. */
  writtenBySymbol(): Promise<Map<string, number>>;
  /** In order of symbol, then minute. */
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
}

/**
 * A feed entry's alerts as Bytes (JSON text): a list field would be indexed element by element, as the bars'
 * maps were (barStore.ts), and Bytes are not.
 */
export function encodeFeedAlerts(alerts: readonly Alert[]): Buffer {
  const rows = alerts.map((alert) => [
    alertId(alert),
    alert.symbol,
    Date.parse(alert.timestamp) / 60_000,
    alert.rules,
    alert.severity,
    episodeId({ symbol: alert.symbol, start: alert.episodeStart }),
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
    if (!Array.isArray(row) || row.length !== 6) return [];
    const [id, symbol, minute, rules, severity, episode] = row as unknown[];
    if (typeof id !== 'string' || typeof symbol !== 'string' || typeof episode !== 'string') return [];
    if (!Number.isInteger(minute) || !Array.isArray(rules)) return [];
    if (severity !== null && typeof severity !== 'number') return [];
    return [{ id, symbol, minute: minute as number, rules: rules as RuleId[], severity, episode }];
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
    const collection = this.db.collection(this.collection);
    const feed = this.db.collection(feedCollection(this.collection));
    const tallies = this.db.collection(tallyCollection(this.collection));
    let next = 0;
    const committer = async () => {
      for (let at = next; at < alerts.length; at = next) {
        next += ALERTS_PER_COMMIT;
        const batch = this.db.batch();
        const chunk = alerts.slice(at, at + ALERTS_PER_COMMIT);
        const ids = chunk.map((alert) => {
          const id = alertId(alert);
          batch.set(collection.doc(id), mergeWriteOf(alert, expireAt), { merge: true });
          return id;
        });
        // Named after what it holds and created, never overwritten: a redelivered message's commit then fails
        // as a whole, and its alerts are not counted twice. Alerts changed since (detected again from other
        // data) make another entry, and overwrite what was written.
        batch.create(feed.doc(feedEntryId(ids, chunk)), {
          count: ids.length,
          alerts: encodeFeedAlerts(chunk),
          writtenAt: FieldValue.serverTimestamp(),
          expireAt: Timestamp.fromMillis(Date.now() + FEED_DAYS * 86_400_000),
        });
        for (const [symbol, written] of countBySymbol(chunk)) {
          batch.set(
            tallies.doc(symbolStateId(symbol)),
            { symbol, written: FieldValue.increment(written) },
            { merge: true },
          );
        }
        await batch.commit().catch((error: unknown) => {
          if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
        });
      }
    };
    const committers = Math.min(this.commitsInFlight, Math.ceil(alerts.length / ALERTS_PER_COMMIT));
    await this.#call(() => Promise.all(Array.from({ length: committers }, committer)));
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
        alerts.push(fromAlertDocument((document as unknown as QueryDocumentSnapshot).data()));
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

/** `{first id}+{count}~{digest of the alerts}`: the same alerts, the same entry. */
function feedEntryId(ids: readonly string[], alerts: readonly Alert[]): string {
  const digest = createHash('sha256').update(JSON.stringify(alerts)).digest('base64url').slice(0, 16);
  return `${ids[0]}+${ids.length}~${digest}`;
}

/** How many of the alerts are of each symbol (a message holds one symbol's; the store takes any). */
function countBySymbol(alerts: readonly Alert[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.symbol, (counts.get(alert.symbol) ?? 0) + 1);
  return counts;
}
