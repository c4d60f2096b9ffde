/** Alerts (SPEC §3): one per bar for which at least one rule fires; identity (symbol, minute). */

export type RuleId = 'A1' | 'A2';

export interface AlertSource {
  object: string;
  /** The object generation, when the bar came through the bucket. */
  generation?: string;
}

export interface Alert {
  symbol: string;
  /** The bar's minute, ISO 8601 UTC (`2017-01-02T03:45:00Z`). */
  timestamp: string;
  rules: readonly RuleId[];
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  a1?: { prevClose: number; prevTimestamp: string; changePct: number };
  /** `volumeRatio` is null when the window's mean volume is zero. */
  a2?: { avgVolume: number; windowBars: number; volumeRatio: number | null };
  source: AlertSource & { line: number };
}

/** Rounds a derived figure for display; the rules themselves compare exactly. */
export function roundFigure(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
