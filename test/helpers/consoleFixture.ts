/**
 * Seed data for the console's integration test: alerts with chosen figures (ties of time and severity, null
 * severities), grouped into episodes, and bars, written as docs/records.md describes them. The pipeline's own
 * records come from the core (detect writes them; bench:console uses those); a test needs figures it chose, so
 * here each severity is contract §4's formula restated over the fixture's own figures and each episode §5's gap
 * rule, as a test's hand computation would.
 */
import { FieldValue, Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { Alert } from '../../shared/core/alert.js';
import { formatMinute } from '../../shared/core/timestamp.js';
import { alertId, barHourId, episodeId as episodeDocumentId } from '../../shared/pipeline/documentIds.js';
import { encodeBars, hourOf, type StoredBar } from '../../shared/pipeline/barBytes.js';
import { toAlertDocument } from '../../shared/state/alertStore.js';

export interface Thresholds {
  a1: number;
  a2: number;
}

/** A minute bar: minutes since the epoch and its five values. */
export interface Bar {
  symbol: string;
  minute: number;
  values: [number, number, number, number, number];
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

export function severities(
  alert: Alert,
  thresholds: Thresholds,
): { a1?: number; a2?: number; severity: number | null } {
  // Contract §4: |change| / threshold; volume / (mean × (1 + threshold)) = volumeRatio / (1 + threshold).
  const a1 = alert.a1 ? round6(Math.abs(alert.a1.changePct) / 100 / thresholds.a1) : undefined;
  const a2 =
    alert.a2 && alert.a2.volumeRatio !== null
      ? round6(alert.a2.volumeRatio / (1 + thresholds.a2))
      : undefined;
  const parts = [a1, a2].filter((part): part is number => part !== undefined);
  return {
    ...(a1 !== undefined && { a1 }),
    ...(a2 !== undefined && { a2 }),
    severity: parts.length === 0 ? null : Math.max(...parts),
  };
}

export interface Episode {
  id: string;
  symbol: string;
  start: number;
  end: number;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
}

/** The id of the episode starting at `minute`: `SYMBOL@2017-01-02T03:45:00Z`. */
export const episodeId = (symbol: string, minute: number) =>
  episodeDocumentId({ symbol, start: formatMinute(minute) });

const minuteOf = (alert: Alert) => Date.parse(alert.timestamp) / 60_000;

/** The stored alert documents and their episodes, alerts grouped into runs per symbol. */
export function alertAndEpisodeRecords(
  alerts: readonly Alert[],
  thresholds: Thresholds,
  gapMinutes = 5,
): { alerts: Array<{ id: string; data: DocumentData; minute: number }>; episodes: Episode[] } {
  const sorted = [...alerts].sort((a, b) =>
    a.symbol !== b.symbol ? (a.symbol < b.symbol ? -1 : 1) : minuteOf(a) - minuteOf(b),
  );
  const records: Array<{ id: string; data: DocumentData; minute: number }> = [];
  const episodes: Episode[] = [];
  let current: Episode | undefined;
  for (const alert of sorted) {
    const minute = minuteOf(alert);
    if (
      current === undefined ||
      current.symbol !== alert.symbol ||
      minute - current.end / 60_000 > gapMinutes
    ) {
      current = {
        id: episodeId(alert.symbol, minute),
        symbol: alert.symbol,
        start: minute * 60_000,
        end: minute * 60_000,
        count: 0,
        a1: 0,
        a2: 0,
        peakSeverity: null,
      };
      episodes.push(current);
    }
    const parts = severities(alert, thresholds);
    current.end = minute * 60_000;
    current.count++;
    if (alert.a1) current.a1++;
    if (alert.a2) current.a2++;
    if (parts.severity !== null)
      current.peakSeverity = Math.max(current.peakSeverity ?? -Infinity, parts.severity);
    const document = toAlertDocument(alert);
    records.push({
      id: alertId(alert),
      minute,
      data: {
        ...document,
        ...(document.a1 && { a1: { ...document.a1, severity: parts.a1 ?? null } }),
        ...(document.a2 && { a2: { ...document.a2, severity: parts.a2 ?? null } }),
        severity: parts.severity,
        episode: current.id,
      },
    });
  }
  return { alerts: records, episodes };
}

/** An episode's document (detect's fields; no triage: status new). */
export function episodeData(episode: Episode, updatedAt: Timestamp | FieldValue): DocumentData {
  return {
    symbol: episode.symbol,
    start: Timestamp.fromMillis(episode.start),
    end: Timestamp.fromMillis(episode.end),
    count: episode.count,
    a1: episode.a1,
    a2: episode.a2,
    peakSeverity: episode.peakSeverity,
    updatedAt,
  };
}

/** The `bars/{symbol@YYYY-MM-DDTHH}` documents of a set of bars, as detect writes them (docs/records.md). */
export function barsRecords(bars: Iterable<Bar>): Array<{ id: string; data: DocumentData }> {
  const hours = new Map<string, { symbol: string; hour: string; bars: StoredBar[] }>();
  for (const bar of bars) {
    const hour = hourOf(bar.minute);
    const id = barHourId(bar.symbol, hour);
    let record = hours.get(id);
    if (record === undefined) hours.set(id, (record = { symbol: bar.symbol, hour, bars: [] }));
    record.bars.push([bar.minute, ...bar.values]);
  }
  return [...hours].map(([id, { symbol, hour, bars: hourBars }]) => {
    hourBars.sort((a, b) => a[0] - b[0]);
    const data = { symbol, day: hour.slice(0, 10), hour, count: hourBars.length, bars: encodeBars(hourBars) };
    return { id, data };
  });
}

export { writeRecords } from '../../bench/storeRecords.js';
