/**
 * `calibrate`'s figures as a table (for a terminal), CSV (one line a setting) or JSON (one document: the days,
 * the planted events and the settings). Ratios are rounded to six decimal places, as alerts' figures are
 * (contract §3); the table shows fewer.
 */
import { createRequire } from 'node:module';
import type { SettingFigures } from './calibration.js';

export const CALIBRATION_FORMATS = ['table', 'csv', 'json'] as const;
export type CalibrationFormat = (typeof CALIBRATION_FORMATS)[number];

export function isCalibrationFormat(value: string): value is CalibrationFormat {
  return (CALIBRATION_FORMATS as readonly string[]).includes(value);
}

export interface CalibrationResult {
  /** Distinct UTC days with bars. */
  days: number;
  /** Planted events in the truth file; null without one. */
  planted: number | null;
  settings: SettingFigures[];
}

export const CALIBRATION_CSV_COLUMNS = [
  'a1Pct',
  'a2Pct',
  'minScore',
  'alerts',
  'episodes',
  'alertsPerDay',
  'episodesPerDay',
  'recall',
  'averagePrecision',
] as const;

const rounded = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6);

/** A setting as written in JSON and CSV: thresholds as numbers, ratios rounded. */
function written(figures: SettingFigures): Record<(typeof CALIBRATION_CSV_COLUMNS)[number], number | null> {
  return {
    a1Pct: Number(figures.a1Pct),
    a2Pct: Number(figures.a2Pct),
    minScore: figures.minScore,
    alerts: figures.alerts,
    episodes: figures.episodes,
    alertsPerDay: rounded(figures.alertsPerDay),
    episodesPerDay: rounded(figures.episodesPerDay),
    recall: rounded(figures.recall),
    averagePrecision: rounded(figures.averagePrecision),
  };
}

export function calibrationText(result: CalibrationResult, format: CalibrationFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...result, settings: result.settings.map(written) })}\n`;
    case 'csv': {
      const rows = result.settings.map((figures) => {
        const values = written(figures);
        return CALIBRATION_CSV_COLUMNS.map((column) => values[column] ?? '').join(',');
      });
      return [CALIBRATION_CSV_COLUMNS.join(','), ...rows].map((line) => `${line}\n`).join('');
    }
    case 'table':
      return tableText(result);
  }
}

function tableText(result: CalibrationResult): string {
  // Loaded only for a table, as detect's.
  const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
  const truth = result.planted !== null;
  const table = new Table({
    head: [
      'A1 %',
      'A2 %',
      'min score',
      'alerts/day',
      'episodes/day',
      ...(truth ? ['recall', 'avg precision'] : []),
    ],
    style: { head: [], border: [] },
    // One line a setting: many settings stay readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const perDay = (value: number | null) => (value === null ? '-' : value.toFixed(2));
  for (const figures of result.settings) {
    table.push([
      figures.a1Pct,
      figures.a2Pct,
      String(figures.minScore),
      perDay(figures.alertsPerDay),
      perDay(figures.episodesPerDay),
      ...(truth ? [figures.recall!.toFixed(3), figures.averagePrecision!.toFixed(3)] : []),
    ]);
  }
  const days = `${result.days} ${result.days === 1 ? 'day' : 'days'} with bars (UTC)`;
  const against = truth ? `; recall and average precision against ${result.planted} planted events` : '';
  return `${table.toString()}\n${days}${against}\n`;
}
