/** The ways `detect` and `alerts` write alerts on stdout: JSON lines, CSV, or a table for people. */
import Table from 'cli-table3';
import type { Alert } from '../shared/core/alert.js';
import { csvLine } from '../shared/core/csvText.js';

export const ALERT_FORMATS = ['jsonl', 'csv', 'table'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export function isAlertFormat(value: string): value is AlertFormat {
  return (ALERT_FORMATS as readonly string[]).includes(value);
}

const CSV_COLUMNS = [
  'symbol',
  'timestamp',
  'rules',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'prevClose',
  'prevTimestamp',
  'changePct',
  'avgVolume',
  'windowBars',
  'volumeRatio',
  'object',
  'line',
] as const;

function csvRow(alert: Alert): string {
  const cells = [
    alert.symbol,
    alert.timestamp,
    alert.rules.join('+'),
    alert.open,
    alert.high,
    alert.low,
    alert.close,
    alert.volume,
    alert.a1?.prevClose,
    alert.a1?.prevTimestamp,
    alert.a1?.changePct,
    alert.a2?.avgVolume,
    alert.a2?.windowBars,
    alert.a2?.volumeRatio,
    alert.source.object,
    alert.source.line,
  ];
  return csvLine(cells);
}

/** Writes alerts in a format, as chunks of text (the caller handles back-pressure). */
export function* formatAlerts(alerts: Iterable<Alert>, format: AlertFormat): Generator<string> {
  if (format === 'table') {
    yield formatTable([...alerts]);
    return;
  }
  let chunk = format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '';
  for (const alert of alerts) {
    chunk += (format === 'csv' ? csvRow(alert) : JSON.stringify(alert)) + '\n';
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function formatTable(alerts: Alert[]): string {
  if (alerts.length === 0) return 'No alerts.\n';
  const table = new Table({
    head: ['symbol', 'time (UTC)', 'rules', 'close', 'change %', 'volume', 'window avg', 'ratio', 'source'],
    style: { head: [], border: [] },
  });
  for (const alert of alerts) {
    table.push([
      alert.symbol,
      alert.timestamp.replace('T', ' ').replace(/:00Z$/, ''),
      alert.rules.join(' '),
      alert.close,
      alert.a1 ? signed(alert.a1.changePct.toFixed(3)) : '',
      alert.volume,
      alert.a2 ? alert.a2.avgVolume.toFixed(1) : '',
      alert.a2?.volumeRatio != null ? `${alert.a2.volumeRatio.toFixed(2)}×` : alert.a2 ? '∞' : '',
      `${alert.source.object}:${alert.source.line}`,
    ]);
  }
  return `${table.toString()}\n${alerts.length} alerts\n`;
}

function signed(text: string): string {
  return text.startsWith('-') ? text : `+${text}`;
}
