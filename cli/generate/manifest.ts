/**
 * manifest.json: what the generator planted in each file and the quality report a correct reader must produce.
 */
import type { BadReason } from './badRows.js';
import type { ExpectedReport } from './expectedReport.js';
import type { FaultCounts, FaultRates } from './faultPlan.js';

export const MANIFEST_FILE = 'manifest.json';
export const GENERATOR_NAME = 'stock-anomalies generate';

/** One planted item. Lines are 1-based physical line numbers (the header is line 1); minutes are ISO UTC. */
export type PlantedItem =
  /**
   * `replaced`: the good row of `minute` is gone, so that minute is missing; `inGap` says whether it lies
   * between accepted bars of its date (part of a reported gap) rather than at the day's edge.
   * `inserted`: an extra line beside the good row of `minute`.
   */
  | {
      kind: 'bad-row';
      line: number;
      reason: BadReason;
      mode: 'replaced' | 'inserted';
      minute: string;
      detail: string;
      inGap?: boolean;
    }
  /** A later copy of the valid row at `originalLine`; `conflicting` when its close or volume differs. */
  | { kind: 'duplicate'; line: number; originalLine: number; minute: string; conflicting: boolean }
  /** Consecutive rows now at lines firstLine–lastLine, moved by `displacement` lines (negative = earlier). */
  | {
      kind: 'shuffled-block';
      firstLine: number;
      lastLine: number;
      rows: number;
      displacement: number;
      firstMinute: string;
      lastMinute: string;
    }
  /** Minutes removed from inside a session: `minutes` of them from `firstMinute`. */
  | { kind: 'gap'; firstMinute: string; minutes: number }
  | { kind: 'blank-line'; line: number }
  /** Not a fault: a thin stock's run of zero-volume minutes. */
  | { kind: 'zero-volume-stretch'; firstMinute: string; minutes: number }
  /** Not a fault: the stock's first day starts at `firstMinute`, mid-session. */
  | { kind: 'mid-session-listing'; firstMinute: string };

export interface FileManifest {
  /** File name inside the output directory. */
  file: string;
  symbol: string;
  profile: {
    thin: boolean;
    listing: boolean;
    startPrice: number;
    dailyVolatility: number;
    baseVolume: number;
  };
  /** Bars the market model produced, before faults. */
  bars: number;
  /** Physical lines in the file, header and blank lines included. */
  lines: number;
  /** Faults actually planted, by kind. */
  faults: FaultCounts;
  expected: ExpectedReport;
  /** Accepted bars with volume 0. */
  zeroVolumeBars: number;
  planted: PlantedItem[];
}

export interface Manifest {
  generator: typeof GENERATOR_NAME;
  formatVersion: 1;
  options: {
    symbols: number;
    days: number;
    seed: number;
    start: string;
    faultRate: number;
    gzip: boolean;
    listing: boolean;
    rates: FaultRates;
  };
  layout: {
    fileName: string;
    header: string;
    timeZone: 'Asia/Kolkata';
    session: string;
    barsPerDay: number;
    tick: number;
  };
  tradingDays: string[];
  totals: {
    files: number;
    bars: number;
    zeroVolumeBars: number;
    faults: FaultCounts;
    expected: ExpectedReport;
  };
  files: FileManifest[];
}
