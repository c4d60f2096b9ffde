/**
 * The console's queries of the alerts (docs/records.md `alerts/`), which it no longer reads whole at start:
 * the alerts of some episodes (readModel/episodeAlerts.ts), and how many alerts match a filter on their own fields
 * (readModel/alertPages.ts, for a total with a minimum severity).
 *
 * Where production differs from the emulator: in production `episode in [...]` is served by Firestore's automatic
 * single-field index on `episode` and reads only the alerts it returns; a count() reads one index entry per
 * thousand it counts, through the composite indexes of firestore.indexes.json (`severity` with the fields a
 * filter adds). The emulator has no indexes: it scans the whole collection for each (README "The console").
 * Failures are the project's errors naming Firestore (a 503 at the edge).
 */
import { Timestamp, type Firestore, type Query } from '@google-cloud/firestore';
import { serviceError } from '../../shared/errors.js';
import type { AlertFieldFilter } from '../readModel/alertPages.js';
import { ALERT_FIELDS, alertEntryOf } from '../readModel/documentEntries.js';
import type { AlertFact } from '../readModel/episodeAlerts.js';
import { rulesBits } from '../readModel/ruleBits.js';

/** Values one `in` filter may hold (Firestore's limit). */
const IN_LIMIT = 30;
/** `in` queries in flight at once. */
const IN_FLIGHT = 8;

async function firestore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw serviceError('Firestore', error);
  }
}

export class FirestoreAlertQueries {
  /** Alert documents these queries returned (count() aggregations aside). */
  read = 0;

  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  /** The alerts naming each episode of `ids`, withdrawn ones left out, by episode id. */
  readonly ofEpisodes = (ids: readonly string[]): Promise<Map<string, AlertFact[]>> =>
    firestore(async () => {
      const found = new Map<string, AlertFact[]>();
      const chunks: string[][] = [];
      for (let at = 0; at < ids.length; at += IN_LIMIT) chunks.push(ids.slice(at, at + IN_LIMIT));
      for (let at = 0; at < chunks.length; at += IN_FLIGHT) {
        const snapshots = await Promise.all(
          chunks.slice(at, at + IN_FLIGHT).map((chunk) =>
            this.db
              .collection(this.collection)
              .where('episode', 'in', chunk)
              .select(...ALERT_FIELDS)
              .get(),
          ),
        );
        for (const snapshot of snapshots) {
          this.read += snapshot.size;
          for (const doc of snapshot.docs) {
            const data = doc.data();
            const entry = data.withdrawn == null ? alertEntryOf(data) : undefined;
            if (entry === undefined || entry.episode === null) continue;
            const fact: AlertFact = {
              id: doc.id,
              symbol: entry.symbol,
              minute: entry.minute,
              rules: rulesBits(entry.rules),
              severity: entry.severity ?? Number.NaN,
              episode: entry.episode,
            };
            const facts = found.get(fact.episode);
            if (facts === undefined) found.set(fact.episode, [fact]);
            else facts.push(fact);
          }
        }
      }
      return found;
    });

  /** Alerts whose own fields match, withdrawn ones left out: two count() aggregations. */
  readonly count = (filter: AlertFieldFilter): Promise<number> =>
    firestore(async () => {
      const query = filtered(this.db.collection(this.collection), filter);
      const [all, withdrawn] = await Promise.all([
        query.count().get(),
        query.where('withdrawn.kind', '==', 'withdrawn').count().get(),
      ]);
      return all.data().count - withdrawn.data().count;
    });
}

/** The query of the alerts matching `filter`'s fields. */
function filtered(query: Query, filter: AlertFieldFilter): Query {
  let result = query.where('severity', '>=', filter.minSeverity);
  if (filter.symbol !== undefined) result = result.where('symbol', '==', filter.symbol);
  if (filter.rule !== undefined) result = result.where('rules', 'array-contains', filter.rule);
  if (filter.from !== undefined) result = result.where('timestamp', '>=', Timestamp.fromMillis(filter.from));
  if (filter.to !== undefined) result = result.where('timestamp', '<=', Timestamp.fromMillis(filter.to));
  return result;
}
