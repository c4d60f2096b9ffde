/**
 * The stored records of docs/records.md, written straight into Firestore as the pipeline would leave them, for
 * bench:console: the alerts, episodes and bars the core finds in a data set (the same functions notify and
 * detect write them with), and a writer of many documents.
 */
import type { DocumentData, Firestore } from '@google-cloud/firestore';
import type { Alert } from '../shared/core/alert.js';
import type { Episode } from '../shared/core/episodes.js';
import { WRITES_PER_COMMIT } from '../shared/pipeline/alertCommits.js';
import { alertId, barHourId, episodeId } from '../shared/pipeline/documentIds.js';
import { encodeBars, encodeExactBars } from '../shared/pipeline/barBytes.js';
import { toAlertDocument } from '../shared/state/alertStore.js';
import type { BarHour } from '../shared/state/barStore.js';
import { toEpisodeDocument } from '../shared/state/episodeStore.js';

export interface StoredRecord {
  id: string;
  data: DocumentData;
}

export const alertRecords = (alerts: readonly Alert[]): StoredRecord[] =>
  alerts.map((alert) => ({ id: alertId(alert), data: toAlertDocument(alert) }));

export const episodeRecords = (episodes: readonly Episode[]): StoredRecord[] =>
  episodes.map((episode) => ({ id: episodeId(episode), data: toEpisodeDocument(episode) }));

/** As detect stores an hour (barStore.ts `BarHourWriter`): the bars and their exact texts encoded as Bytes. */
export const barRecords = (hours: readonly BarHour[]): StoredRecord[] =>
  hours.map((hour) => ({
    id: barHourId(hour.symbol, hour.hour),
    data: {
      symbol: hour.symbol,
      day: hour.day,
      hour: hour.hour,
      count: hour.bars.length,
      bars: encodeBars(hour.bars),
      ...encodeExactBars(hour.exact),
    },
  }));

/**
 * Writes documents in batches of `perCommit` (at most 500), `inFlight` commits at once. A bars document holds an
 * hour of bars (about 3 KB): a few hundred of those make a commit of a sensible size.
 */
export async function writeRecords(
  db: Firestore,
  collection: string,
  records: readonly StoredRecord[],
  { inFlight = 8, perCommit = WRITES_PER_COMMIT }: { inFlight?: number; perCommit?: number } = {},
): Promise<void> {
  let next = 0;
  const committer = async () => {
    for (let at = next; at < records.length; at = next) {
      next += perCommit;
      const batch = db.batch();
      for (const record of records.slice(at, at + perCommit)) {
        batch.set(db.collection(collection).doc(record.id), record.data);
      }
      await batch.commit();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, committer));
}
