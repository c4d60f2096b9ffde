/**
 * The episode documents (`episodes/{symbol@start}`, docs/records.md): their shape and the pipeline's writes of
 * them. detect owns every field but `triage`, which is the console's: a write here merges, so it never
 * touches an analyst's decision.
 */
import { FieldValue, Timestamp, type DocumentData, type Firestore } from '@google-cloud/firestore';
import type { Episode } from '../core/episodes.js';
import { episodeId } from '../pipeline/documentIds.js';
import type { CompanionWrite } from './symbolStateStore.js';

/** An episode as stored, the console's `triage` aside. */
export interface EpisodeDocument {
  symbol: string;
  start: Timestamp;
  end: Timestamp;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
  updatedAt?: Timestamp;
}

const timestampOf = (iso: string) => Timestamp.fromMillis(Date.parse(iso));
const isoOf = (timestamp: Timestamp) => `${timestamp.toDate().toISOString().slice(0, 19)}Z`;

export function toEpisodeDocument(episode: Episode): EpisodeDocument {
  return {
    symbol: episode.symbol,
    start: timestampOf(episode.start),
    end: timestampOf(episode.end),
    count: episode.count,
    a1: episode.a1,
    a2: episode.a2,
    peakSeverity: episode.peakSeverity,
  };
}

export function fromEpisodeDocument(data: DocumentData): Episode {
  const document = data as EpisodeDocument;
  return {
    symbol: document.symbol,
    start: isoOf(document.start),
    end: isoOf(document.end),
    count: document.count,
    a1: document.a1,
    a2: document.a2,
    peakSeverity: document.peakSeverity ?? null,
  };
}

/** The writes of episodes as they stand after a batch, to go with the batch's state commit. */
export function episodeWrites(
  db: Firestore,
  collection: string,
  episodes: readonly Episode[],
): CompanionWrite[] {
  return episodes.map((episode) => (batch) => {
    batch.set(
      db.collection(collection).doc(episodeId(episode)),
      { ...toEpisodeDocument(episode), updatedAt: FieldValue.serverTimestamp() },
      { merge: true },
    );
  });
}
