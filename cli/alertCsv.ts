/**
 * Alerts as CSV rows (RFC 4180, a header naming the columns), written as bytes as alertJson.ts writes JSON
 * lines: from an alert record, or straight from what the rules found.
 */
import type { Alert } from '../shared/core/alert.js';
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from '../shared/core/barTable.js';
import {
  MinuteText,
  NUMBER_BYTES,
  put,
  putNumber,
  putTableValue,
  TextCache,
  TIMESTAMP_BYTES,
  utf8,
  type ByteTarget,
} from '../shared/core/byteText.js';
import { csvField } from '../shared/core/csvText.js';
import type { Finding } from '../shared/core/rules.js';

export const CSV_COLUMNS = [
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

const COMMA = utf8(',');
const RULES = { A1: utf8(',A1,'), A2: utf8(',A2,'), both: utf8(',A1+A2,') };
/** The same, after a timestamp written from a minute up to its minutes (see MinuteText). */
const SECONDS_RULES = { A1: utf8(':00Z,A1,'), A2: utf8(':00Z,A2,'), both: utf8(':00Z,A1+A2,') };
const SECONDS_COMMA = utf8(':00Z,');
/** The cells of a rule that did not fire. */
const NO_A1 = utf8(',,,');
const NO_A2 = utf8(',,,');
const END = utf8('\n');

/** Bytes of every part of a row that is not a name, a number or a timestamp, with room to spare. */
const FIXED_BYTES = 128;

export class AlertCsvWriter {
  /** The header row, written before the first alert. */
  readonly header = utf8(`${CSV_COLUMNS.join(',')}\n`);
  readonly #names = new TextCache(csvField);
  readonly #minutes = new MinuteText();

  maxFindingBytes(finding: Finding): number {
    return (
      FIXED_BYTES +
      10 * NUMBER_BYTES +
      2 * TIMESTAMP_BYTES +
      6 * (finding.symbol.length + finding.source.object.length)
    );
  }

  /** Appends the finding's alert as a row; the target must have {@link maxFindingBytes} free. */
  writeFinding(finding: Finding, target: ByteTarget): void {
    const { table, row } = finding;
    const out = target.bytes;
    let at = put(out, target.length, this.#names.get(finding.symbol));
    at = put(out, at, COMMA);
    at = this.#minutes.put(out, at, finding.minute);
    at = put(out, at, finding.a1 ? (finding.a2 ? SECONDS_RULES.both : SECONDS_RULES.A1) : SECONDS_RULES.A2);
    at = putTableValue(out, at, table, row, OPEN);
    at = put(out, at, COMMA);
    at = putTableValue(out, at, table, row, HIGH);
    at = put(out, at, COMMA);
    at = putTableValue(out, at, table, row, LOW);
    at = put(out, at, COMMA);
    at = putTableValue(out, at, table, row, CLOSE);
    at = put(out, at, COMMA);
    at = putTableValue(out, at, table, row, VOLUME);
    if (finding.a1) {
      at = put(out, at, COMMA);
      at = putNumber(out, at, finding.prevClose);
      at = put(out, at, COMMA);
      at = this.#minutes.put(out, at, finding.prevMinute);
      at = put(out, at, SECONDS_COMMA);
      at = putNumber(out, at, finding.changePct);
    } else at = put(out, at, NO_A1);
    if (finding.a2) {
      at = put(out, at, COMMA);
      at = putNumber(out, at, finding.avgVolume);
      at = put(out, at, COMMA);
      at = putNumber(out, at, finding.windowBars);
      at = put(out, at, COMMA);
      if (finding.volumeRatio !== null) at = putNumber(out, at, finding.volumeRatio);
    } else at = put(out, at, NO_A2);
    at = put(out, at, COMMA);
    at = put(out, at, this.#names.get(finding.source.object));
    at = put(out, at, COMMA);
    at = putNumber(out, at, table.line(row));
    target.length = put(out, at, END);
  }

  maxBytes(alert: Alert): number {
    const texts =
      alert.symbol.length +
      alert.timestamp.length +
      (alert.a1?.prevTimestamp.length ?? 0) +
      alert.source.object.length;
    return FIXED_BYTES + 10 * NUMBER_BYTES + 6 * texts;
  }

  /** Appends the alert as a row; the target must have {@link maxBytes} free. */
  write(alert: Alert, target: ByteTarget): void {
    const out = target.bytes;
    let at = put(out, target.length, this.#names.get(alert.symbol));
    at = put(out, at, COMMA);
    at = put(out, at, utf8(csvField(alert.timestamp)));
    const rules = alert.rules;
    at = put(out, at, rules.length === 2 ? RULES.both : rules[0] === 'A1' ? RULES.A1 : RULES.A2);
    at = putNumber(out, at, alert.open);
    at = put(out, at, COMMA);
    at = putNumber(out, at, alert.high);
    at = put(out, at, COMMA);
    at = putNumber(out, at, alert.low);
    at = put(out, at, COMMA);
    at = putNumber(out, at, alert.close);
    at = put(out, at, COMMA);
    at = putNumber(out, at, alert.volume);
    const { a1, a2 } = alert;
    if (a1 !== undefined) {
      at = put(out, at, COMMA);
      at = putNumber(out, at, a1.prevClose);
      at = put(out, at, COMMA);
      at = put(out, at, utf8(csvField(a1.prevTimestamp)));
      at = put(out, at, COMMA);
      at = putNumber(out, at, a1.changePct);
    } else at = put(out, at, NO_A1);
    if (a2 !== undefined) {
      at = put(out, at, COMMA);
      at = putNumber(out, at, a2.avgVolume);
      at = put(out, at, COMMA);
      at = putNumber(out, at, a2.windowBars);
      at = put(out, at, COMMA);
      if (a2.volumeRatio !== null) at = putNumber(out, at, a2.volumeRatio);
    } else at = put(out, at, NO_A2);
    at = put(out, at, COMMA);
    at = put(out, at, this.#names.get(alert.source.object));
    at = put(out, at, COMMA);
    at = putNumber(out, at, alert.source.line);
    target.length = put(out, at, END);
  }
}
