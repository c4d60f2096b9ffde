/** Reading CSV text through the real reader, for tests. */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AlertsBySymbol, ObjectSeriesDetection } from '../../shared/core/objectSeriesDetection.js';
import {
  compileParameters,
  DEFAULT_PARAMETERS,
  type DetectionParameters,
} from '../../shared/core/detectionParameters.js';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../../shared/config/ingestSettings.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readerClock, type ReaderClock } from '../../shared/core/readerClock.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import { readObject } from '../../shared/objects/readObject.js';
import type { Alert } from '../../shared/core/alert.js';
import { CLOSE, VOLUME } from '../../shared/core/barTable.js';
import { formatMinute } from '../../shared/core/timestamp.js';

/** The limits a deployment gets by default (shared/config/variables.ts), changed where a test says. */
export function limitsFor(limits: Partial<IngestLimits> = {}): IngestLimits {
  return { ...ingestLimitsFromEnv({}), ...limits };
}

/**
 * The time the tests read at: fixed, so that no test depends on today's date. Every bar of the tests' data
 * (2017 to 2024) lies before it; bars meant to be from the future are dated 2099.
 */
export const TEST_NOW = Date.parse('2030-01-01T00:00:00Z');

/** A reader's clock at TEST_NOW, with the FUTURE_SKEW_MINUTES a deployment gets unless a test says. */
export function clockFor(futureSkewMinutes = futureSkewMinutesFromEnv({}), nowMs = TEST_NOW): ReaderClock {
  return readerClock(nowMs, futureSkewMinutes);
}

export function configFor(settings: Partial<DetectionParameters> = {}) {
  return compileParameters({ ...DEFAULT_PARAMETERS, ...settings });
}

/** Reads text (or bytes) as one object, in chunks of `chunkSize` bytes to exercise chunk boundaries. */
export async function readText(
  content: string | Buffer,
  objectName = 'TEST__EQ__NSE__NSE__MINUTE.csv',
  settings: Partial<DetectionParameters> = {},
  chunkSize = 7,
  limits: Partial<IngestLimits> = {},
): Promise<ObjectBars> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  return readObject(Readable.from(chunks), {
    objectName,
    zone: configFor(settings).zone,
    limits: limitsFor(limits),
    clock: clockFor(),
  });
}

export function gzip(text: string): Buffer {
  return gzipSync(Buffer.from(text, 'utf8'));
}

/**
 * Runs detection over objects in order, one shared state, and returns every alert: with the second pass over
 * the objects held here when a symbol's bars came out of order, as `detect` does by reading its files again.
 */
export async function detectTexts(
  objects: Array<{ name: string; content: string }>,
  settings: Partial<DetectionParameters> = {},
): Promise<Alert[]> {
  const alerts = new AlertsBySymbol();
  const detection = new ObjectSeriesDetection(configFor(settings), alerts);
  const read: ObjectBars[] = [];
  for (const { name, content } of objects) {
    const bars = await readText(content, name, settings, 1 << 16);
    read.push(bars);
    detection.addObject(bars);
  }
  const disordered = detection.disorderedSymbols();
  if (disordered.length > 0) {
    for (const symbol of disordered) alerts.withdraw(symbol);
    read.forEach((bars, index) => detection.replayObject(index, bars));
    detection.finishReplay();
  }
  return [...detection.alerts()];
}

/** A CSV in the real layout from [time, open, high, low, close, volume] rows (time as `HH:MM` on 2017-01-02). */
export function nseCsv(rows: Array<[string, string, string, string, string, string]>): string {
  const lines = rows.map(([time, ...values]) => [`2017-01-02 ${time}:00+05:30`, ...values].join(','));
  return ['timestamp,open,high,low,close,volume', ...lines].join('\n') + '\n';
}

/** The accepted bars as [symbol, minute ISO, close, volume, line], in the order detection sees them. */
export function acceptedBars({ table, runs }: ObjectBars): Array<[string, string, number, number, number]> {
  return runs.flatMap((run) =>
    Array.from(run.rows, (row): [string, string, number, number, number] => [
      run.symbol,
      formatMinute(table.minute(row)),
      table.value(row, CLOSE),
      table.value(row, VOLUME),
      table.line(row),
    ]),
  );
}
