/** The ways `detect` and `alerts` write alerts on stdout: JSON lines, CSV, or a table for people. */
import Table from 'cli-table3';
import { alertJson, type Alert } from '../shared/core/alert.js';
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

/**
 * How each format keeps an alert until output and writes the kept values: text for the machine formats
 * (see BatchDetection), the alert itself for the table, which needs all rows to size its columns.
 */
export interface AlertWriter<T> {
  keep(alert: Alert): T;
  write(kept: Iterable<T>): Generator<string>;
}

function* lines<T>(header: string, kept: Iterable<T>, format: (kept: T) => string): Generator<string> {
  let chunk = header;
  for (const item of kept) {
    chunk += `${format(item)}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

const keepAlert = (alert: Alert): Alert => alert;
const keepText = (text: string): string => text;

const WRITERS: Record<AlertFormat, AlertWriter<string> | AlertWriter<Alert>> = {
  jsonl: { keep: keepAlert, write: (kept: Iterable<Alert>) => lines('', kept, alertJson) },
  csv: {
    keep: csvRow,
    write: (kept: Iterable<string>) => lines(`${CSV_COLUMNS.join(',')}\n`, kept, keepText),
  },
  table: {
    keep: keepAlert,
    *write(kept: Iterable<Alert>) {
      yield formatTable([...kept]);
    },
  },
};

/** The writer of a format; what it keeps is opaque to the caller, who only hands it back. */
export function alertWriter(format: AlertFormat): AlertWriter<unknown> {
  return WRITERS[format] as AlertWriter<unknown>;
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
