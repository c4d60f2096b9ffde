/** Alerts (contract §3): one per bar for which at least one rule fires; identity (symbol, minute). */
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from './barTable.js';
import type { AlertSource, Finding } from './finding.js';
import { formatMinute } from './timestamp.js';

export type RuleId = 'A1' | 'A2';

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
  /** `severity` is null only for a zero A1 threshold (contract §4). */
  a1?: { prevClose: number; prevTimestamp: string; changePct: number; severity: number | null };
  /** `volumeRatio` and `severity` are null when the window's mean volume is zero. */
  a2?: { avgVolume: number; windowBars: number; volumeRatio: number | null; severity: number | null };
  /** Contract §4: the larger of the fired rules' severities (null when neither has one). */
  severity: number | null;
  /** Contract §5: the first minute of the alert's episode, which (with the symbol) identifies it. */
  episodeStart: string;
  source: AlertSource & { line: number };
}

/** Rule lists shared by every alert (an array per alert is a measurable share of the garbage). */
const A1_ONLY: readonly RuleId[] = Object.freeze(['A1']);
const A2_ONLY: readonly RuleId[] = Object.freeze(['A2']);
const BOTH_RULES: readonly RuleId[] = Object.freeze(['A1', 'A2']);

/** The alert record of what the rules found for a bar. */
export function alertOf(finding: Finding): Alert {
  const { table, row, source } = finding;
  return {
    symbol: finding.symbol,
    timestamp: formatMinute(finding.minute),
    rules: finding.a1 ? (finding.a2 ? BOTH_RULES : A1_ONLY) : A2_ONLY,
    open: table.value(row, OPEN),
    high: table.value(row, HIGH),
    low: table.value(row, LOW),
    close: table.value(row, CLOSE),
    volume: table.value(row, VOLUME),
    ...(finding.a1 && {
      a1: {
        prevClose: finding.prevClose,
        prevTimestamp: formatMinute(finding.prevMinute),
        changePct: finding.changePct,
        severity: finding.a1Severity,
      },
    }),
    ...(finding.a2 && {
      a2: {
        avgVolume: finding.avgVolume,
        windowBars: finding.windowBars,
        volumeRatio: finding.volumeRatio,
        severity: finding.a2Severity,
      },
    }),
    severity: finding.severity,
    episodeStart: formatMinute(finding.episode.start),
    source:
      source.generation === undefined
        ? { object: source.object, line: table.line(row) }
        : { object: source.object, generation: source.generation, line: table.line(row) },
  };
}
