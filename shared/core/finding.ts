/** What the rules found for a bar, and where the bar came from: the record an alert is made of. */
import { BarTable } from './barTable.js';
import type { EpisodeState } from './symbolState.js';

export interface AlertSource {
  object: string;
  /** The object generation, when the bar came through the bucket. */
  generation?: string;
}

/** What a finding refers to before its first alert. */
const NO_EPISODE: EpisodeState = Object.freeze({
  start: 0,
  end: 0,
  count: 0,
  a1: 0,
  a2: 0,
  peakSeverity: null,
});

/** What a finding refers to between runs: a table without rows (which holds no memory). */
export const NO_TABLE = new BarTable();

/**
 * A bar that at least one rule fired on, with the figures its alert reports (contract §3; alertOf in alert.ts
 * makes the alert). A detector hands out one record, refilled for every such bar, because the batch CLI
 * writes its alerts straight from it and an object per alert was a large share of its work: keep what you need
 * before the next bar.
 */
export class Finding {
  readonly symbol: string;
  table = NO_TABLE;
  row = 0;
  minute = 0;
  source!: AlertSource;
  a1 = false;
  a2 = false;
  /** A1: the previous processed bar's minute and close, and the move in percent (rounded). */
  prevMinute = 0;
  prevClose = 0;
  changePct = 0;
  /** A2: the window's mean volume (rounded), its bar count, and volume / mean (rounded; null for a zero mean). */
  avgVolume = 0;
  windowBars = 0;
  volumeRatio: number | null = null;
  /** Contract §4: each fired rule's severity, and the larger (null where a rule has no scale). */
  a1Severity: number | null = null;
  a2Severity: number | null = null;
  severity: number | null = null;
  /**
   * The episode the alert belongs to (contract §5), as it stands after this alert. The detector changes it in
   * place as later alerts join: copy it to keep a snapshot.
   */
  episode: EpisodeState = NO_EPISODE;

  constructor(symbol: string) {
    this.symbol = symbol;
  }
}
