/**
 * The episode documents (`episodes/{symbol@start}`, docs/records.md): their shape and the pipeline's writes of
 * them. detect owns every field but `triage`, which is the console's: a write here merges, so it never
 * touches an analyst's decision.
 */
import { FieldValue, Timestamp, type DocumentData, type Firestore } from '@google-cloud/firestore';
import type { Episode } from '../core/episodes.js';
import type { EpisodeChange } from '../core/revision.js';
import type { RevisionCause } from '../pipeline/alertMessage.js';
import { episodeId } from '../pipeline/documentIds.js';
import type { EpisodeScoreFields } from './episodeScore.js';
import type { CompanionWrite } from './symbolStateStore.js';

/**
 * An episode as stored, the console's `triage` aside. The suspicion score's fields (episodeScore.ts) are detect's
 * too, written together; an episode stored before scores existed lacks them all (not scored).
 */
export interface EpisodeDocument extends Partial<EpisodeScoreFields> {
  symbol: string;
  start: Timestamp;
  end: Timestamp;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
  updatedAt?: Timestamp;
  /** Set when a late bar's revision withdrew it (contract §5). */
  withdrawn?: EpisodeWithdrawal;
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

/** Why an episode was withdrawn (contract §5): a late bar's revision, and the episode that took its place. */
export interface EpisodeWithdrawal {
  at: Timestamp;
  /** The id of the episode that now holds its first minute, or null. */
  into: string | null;
  /** The object generation whose late bars caused it. */
  object: string;
  generation: string;
}

/**
 * The writes of the episodes a batch changed, to go with the batch's state commit. A withdrawn episode keeps its
 * document, and the triage on it, marked withdrawn and naming the episode that took its place; one brought back
 * by a later revision loses the mark.
 */
export function episodeWrites(
  db: Firestore,
  collection: string,
  changes: readonly EpisodeChange[],
  cause?: RevisionCause,
): CompanionWrite[] {
  return changes.map(({ kind, episode, into }) => (batch) => {
    const ref = db.collection(collection).doc(episodeId(episode));
    if (kind === 'withdrawn') {
      const withdrawn: EpisodeWithdrawal = {
        at: cause === undefined ? Timestamp.now() : Timestamp.fromMillis(Date.parse(cause.at)),
        into: into === undefined ? null : episodeId({ symbol: episode.symbol, start: into }),
        object: cause?.object ?? '',
        generation: cause?.generation ?? '',
      };
      batch.set(ref, { withdrawn, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
      return;
    }
    batch.set(
      ref,
      {
        ...toEpisodeDocument(episode),
        // Its score waits for settle (contract §6), which the same commit's bars ask for.
        scoreSettled: false,
        ...(cause === undefined ? {} : { withdrawn: FieldValue.delete() }),
        updatedAt: FieldValue.serverTimestamp(),
      },
      { merge: true },
    );
  });
}
