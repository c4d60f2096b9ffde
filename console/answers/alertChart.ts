/**
 * An alert's chart (docs/console-api.md `/api/alerts/:id/chart`): the bars of its UTC day from `bars/` (a
 * document an hour), the previous close A1 compares with, and the window A2 averages, computed from the bars as
 * contract §2 says (the bars whose minutes lie in [m − window, m − 1], missing minutes making it smaller), and what
 * the score of its episode was measured against that day (its `scoreContext`: usual volume, market move). Pure.
 */
import { decodeBars } from '../../shared/pipeline/barBytes.js';
import type { ScoreContext } from '../../shared/core/suspicion/suspicionScore.js';
import { storedScoreOf } from '../../shared/state/episodeScore.js';
import type {
  AlertRow,
  ChartBar,
  ChartResponse,
  ScoreContextPoint,
  SessionAlert,
  Thresholds,
} from '../api/contract.js';
import type { StoredFields } from './rows.js';

/**
 * The parts of an alert id (`SYMBOL@2017-01-02T03:45:00Z`, shared/pipeline/documentIds.ts): the symbol as the
 * id writes it (as a state or bars id writes it too) and the minute, which name the chart's bars document;
 * undefined for an id no alert can have.
 */
export function alertIdParts(id: string): { symbolPart: string; minute: number } | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const timestamp = id.slice(at + 1);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/.test(timestamp)) return undefined;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return undefined;
  return { symbolPart: id.slice(0, at), minute: ms / 60_000 };
}

/** The bars the `bars/` documents hold (barStore's encoding), ascending. */
export function barsOf(documents: readonly StoredFields[]): ChartBar[] {
  const bars = documents.flatMap((data) => decodeBars(data));
  // In time order as read; sorted all the same, so that nothing here depends on the order of ids.
  bars.sort((a, b) => a[0] - b[0]);
  return bars.map(([minute, open, high, low, close, volume]) => ({
    time: minute * 60,
    open,
    high,
    low,
    close,
    volume,
  }));
}

const SECONDS_PER_DAY = 86_400;

/** The score's context stored on the alert's episode document (undefined: none read), or none. */
export function scoreContextOf(episode: StoredFields | undefined): ScoreContext | null {
  return episode === undefined ? null : (storedScoreOf(episode)?.context ?? null);
}

/** The context's minutes on the UTC day of `alertSeconds`, in time order, as the chart's points. */
export function contextPoints(context: ScoreContext | null, alertSeconds: number): ScoreContextPoint[] {
  if (context === null) return [];
  const day = Math.floor(alertSeconds / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  return context.minutes
    .map((minute, i) => ({
      time: minute * 60,
      usualVolume: context.usualVolume[i] ?? null,
      marketMovePct: context.marketMovePct[i] ?? null,
    }))
    .filter((point) => point.time >= day && point.time < day + SECONDS_PER_DAY)
    .sort((a, b) => a.time - b.time);
}

export function chartOf(
  alert: AlertRow,
  bars: ChartBar[],
  sessionAlerts: SessionAlert[],
  thresholds: Thresholds,
  timeZone: string,
  scoreContext: ScoreContext | null = null,
): ChartResponse {
  const time = Date.parse(alert.timestamp) / 1000;
  let prevClose: number | null = null;
  let prevTime: number | null = null;
  if (alert.a1) {
    prevClose = alert.a1.prevClose;
    prevTime = Date.parse(alert.a1.prevTimestamp) / 1000;
  } else {
    const previous = bars.filter((bar) => bar.time < time).at(-1);
    if (previous) {
      prevClose = previous.close;
      prevTime = previous.time;
    }
  }
  const from = time - thresholds.windowMinutes * 60;
  const to = time - 60;
  const window = bars.filter((bar) => bar.time >= from && bar.time <= to);
  const mean = window.length === 0 ? null : window.reduce((sum, bar) => sum + bar.volume, 0) / window.length;
  return {
    alert,
    timeZone,
    thresholds,
    bars,
    sessionAlerts,
    prevClose,
    prevTime,
    window: { from, to, mean, limit: mean === null ? null : mean * (1 + thresholds.a2) },
    scoreContext: contextPoints(scoreContext, time),
  };
}
