/** What `detect --episodes`' main thread and its scoring workers (scoreWorker.ts) say to each other. */
import type { SharedPeerMarket } from '../../shared/core/suspicion/peerMarket.js';
import type { SentError } from './readMessages.js';

/** Given to each scoring worker when it starts. */
export interface ScoreSettings {
  /** The market's minutes, complete, in shared memory. */
  market: SharedPeerMarket;
  /** CSV lines, else JSON lines. */
  csv: boolean;
  /** The file the episodes were set aside in (episodeSpill.ts), to read records from. */
  file: string;
}

/** Score a piece of a symbol's records (whole records, in minute order) and write their lines. */
export interface ScoreRequest {
  type: 'score';
  id: number;
  symbol: string;
  /** Where the records are in the file: pairs of offset and length in bytes, in order. */
  spans: number[];
  /** A buffer of lines already written, to write these into if they fit (see LineBytes.take). */
  room?: Uint8Array | undefined;
}

export type ScoreWorkerRequest = ScoreRequest | { type: 'stop' };

/** The lines, UTF-8 encoded. */
export type ScoreReply =
  { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; error: SentError };
