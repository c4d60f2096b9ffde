/**
 * Alerts as JSON lines: the exact text `JSON.stringify` gives for an alert (SPEC §3 field order), written as
 * UTF-8 bytes straight into a buffer. The batch CLI writes hundreds of thousands of alerts, and building each
 * line as a string, then encoding it, cost more than reading and checking the bars did.
 */
import type { Alert, AlertSource } from './alert.js';
import {
  CLOSE as CLOSE_COLUMN,
  HIGH as HIGH_COLUMN,
  LOW as LOW_COLUMN,
  OPEN as OPEN_COLUMN,
  VOLUME as VOLUME_COLUMN,
} from './barTable.js';
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
} from './byteText.js';
import type { Finding } from './rules.js';

const RULES = {
  A1: utf8('","rules":["A1"],"open":'),
  A2: utf8('","rules":["A2"],"open":'),
  both: utf8('","rules":["A1","A2"],"open":'),
};
/** The same, after a timestamp written from a minute up to its minutes (see MinuteText). */
const SECONDS_RULES = {
  A1: utf8(':00Z","rules":["A1"],"open":'),
  A2: utf8(':00Z","rules":["A2"],"open":'),
  both: utf8(':00Z","rules":["A1","A2"],"open":'),
};
const HIGH = utf8(',"high":');
const LOW = utf8(',"low":');
const CLOSE = utf8(',"close":');
const VOLUME = utf8(',"volume":');
const PREV_CLOSE = utf8(',"a1":{"prevClose":');
const PREV_TIMESTAMP = utf8(',"prevTimestamp":"');
const CHANGE_PCT = utf8('","changePct":');
const SECONDS_CHANGE_PCT = utf8(':00Z","changePct":');
const AVG_VOLUME = utf8('},"a2":{"avgVolume":');
const AVG_VOLUME_ALONE = utf8(',"a2":{"avgVolume":');
const WINDOW_BARS = utf8(',"windowBars":');
const VOLUME_RATIO = utf8(',"volumeRatio":');
const NULL = utf8('null');
const OBJECT = utf8('},"source":{"object":');
const OBJECT_AFTER_BAR = utf8(',"source":{"object":');
const GENERATION = utf8(',"generation":');
const LINE = utf8(',"line":');
const END = utf8('}}\n');

/** Bytes of every part of a line that is not a name, a number or a timestamp, with room to spare. */
const FIXED_BYTES = 512;

/**
 * Writes alert lines, from an alert record or straight from what the rules found (the batch CLI's way: no
 * record in between). Keeps the JSON text of the names it has seen (symbols, objects, generations) and of the
 * dates, which repeat from one alert to the next.
 */
export class AlertJsonWriter {
  readonly #names = new TextCache((name) => JSON.stringify(name));
  readonly #minutes = new MinuteText();
  /** Per symbol: the line's start, up to the timestamp's opening quote. */
  readonly #heads = new TextCache((symbol) => `{"symbol":${JSON.stringify(symbol)},"timestamp":"`);
  /** Per source (one per object detected): the line's end, from closing the rules' figures to `"line":`. */
  readonly #sourceParts = new WeakMap<AlertSource, Uint8Array>();

  /** The most bytes {@link writeFinding} can add for this finding. */
  maxFindingBytes(finding: Finding): number {
    const names =
      finding.symbol.length + finding.source.object.length + (finding.source.generation?.length ?? 0);
    return FIXED_BYTES + 10 * NUMBER_BYTES + 2 * TIMESTAMP_BYTES + 6 * names;
  }

  /** Appends the JSON of the finding's alert and a line feed; the target must have {@link maxFindingBytes} free. */
  writeFinding(finding: Finding, target: ByteTarget): void {
    const { table, row, source } = finding;
    const out = target.bytes;
    let at = put(out, target.length, this.#heads.get(finding.symbol));
    at = this.#minutes.put(out, at, finding.minute);
    at = put(out, at, finding.a1 ? (finding.a2 ? SECONDS_RULES.both : SECONDS_RULES.A1) : SECONDS_RULES.A2);
    at = putTableValue(out, at, table, row, OPEN_COLUMN);
    at = put(out, at, HIGH);
    at = putTableValue(out, at, table, row, HIGH_COLUMN);
    at = put(out, at, LOW);
    at = putTableValue(out, at, table, row, LOW_COLUMN);
    at = put(out, at, CLOSE);
    at = putTableValue(out, at, table, row, CLOSE_COLUMN);
    at = put(out, at, VOLUME);
    at = putTableValue(out, at, table, row, VOLUME_COLUMN);
    if (finding.a1) {
      at = put(out, at, PREV_CLOSE);
      at = putNumber(out, at, finding.prevClose);
      at = put(out, at, PREV_TIMESTAMP);
      at = this.#minutes.put(out, at, finding.prevMinute);
      at = put(out, at, SECONDS_CHANGE_PCT);
      at = putNumber(out, at, finding.changePct);
    }
    if (finding.a2) {
      at = put(out, at, finding.a1 ? AVG_VOLUME : AVG_VOLUME_ALONE);
      at = putNumber(out, at, finding.avgVolume);
      at = put(out, at, WINDOW_BARS);
      at = putNumber(out, at, finding.windowBars);
      at = put(out, at, VOLUME_RATIO);
      at = finding.volumeRatio === null ? put(out, at, NULL) : putNumber(out, at, finding.volumeRatio);
    }
    at = put(out, at, this.#sourcePart(source));
    at = putNumber(out, at, table.line(row));
    target.length = put(out, at, END);
  }

  /** The most bytes {@link write} can add for this alert. */
  maxBytes(alert: Alert): number {
    const texts =
      alert.symbol.length +
      alert.timestamp.length +
      (alert.a1?.prevTimestamp.length ?? 0) +
      alert.source.object.length +
      (alert.source.generation?.length ?? 0);
    // JSON escapes a control character as six bytes; UTF-8 takes at most three per UTF-16 unit.
    return FIXED_BYTES + 10 * NUMBER_BYTES + 6 * texts;
  }

  /** Appends the alert's JSON and a line feed; the target must have {@link maxBytes} free. */
  write(alert: Alert, target: ByteTarget): void {
    const out = target.bytes;
    let at = put(out, target.length, this.#heads.get(alert.symbol));
    at = putTimestamp(out, at, alert.timestamp);
    const rules = alert.rules;
    at = put(out, at, rules.length === 2 ? RULES.both : rules[0] === 'A1' ? RULES.A1 : RULES.A2);
    at = putNumber(out, at, alert.open);
    at = put(out, at, HIGH);
    at = putNumber(out, at, alert.high);
    at = put(out, at, LOW);
    at = putNumber(out, at, alert.low);
    at = put(out, at, CLOSE);
    at = putNumber(out, at, alert.close);
    at = put(out, at, VOLUME);
    at = putNumber(out, at, alert.volume);
    const { a1, a2, source } = alert;
    if (a1 !== undefined) {
      at = put(out, at, PREV_CLOSE);
      at = putNumber(out, at, a1.prevClose);
      at = put(out, at, PREV_TIMESTAMP);
      at = putTimestamp(out, at, a1.prevTimestamp);
      at = put(out, at, CHANGE_PCT);
      at = putNumber(out, at, a1.changePct);
    }
    if (a2 !== undefined) {
      at = put(out, at, a1 !== undefined ? AVG_VOLUME : AVG_VOLUME_ALONE);
      at = putNumber(out, at, a2.avgVolume);
      at = put(out, at, WINDOW_BARS);
      at = putNumber(out, at, a2.windowBars);
      at = put(out, at, VOLUME_RATIO);
      at = a2.volumeRatio === null ? put(out, at, NULL) : putNumber(out, at, a2.volumeRatio);
    }
    at = put(out, at, a1 !== undefined || a2 !== undefined ? OBJECT : OBJECT_AFTER_BAR);
    at = put(out, at, this.#names.get(source.object));
    if (source.generation !== undefined) {
      at = put(out, at, GENERATION);
      at = put(out, at, this.#names.get(source.generation));
    }
    at = put(out, at, LINE);
    at = putNumber(out, at, source.line);
    target.length = put(out, at, END);
  }

  #sourcePart(source: AlertSource): Uint8Array {
    let part = this.#sourceParts.get(source);
    if (part === undefined) {
      const generation =
        source.generation === undefined ? '' : `,"generation":${JSON.stringify(source.generation)}`;
      part = utf8(`},"source":{"object":${JSON.stringify(source.object)}${generation},"line":`);
      this.#sourceParts.set(source, part);
    }
    return part;
  }
}

const scratch: ByteTarget = { bytes: new Uint8Array(0), length: 0 };
const defaultWriter = new AlertJsonWriter();

/** An alert as one line of JSON (without the line feed), the same text `JSON.stringify` gives for it. */
export function alertJson(alert: Alert): string {
  const size = defaultWriter.maxBytes(alert);
  if (scratch.bytes.length < size) scratch.bytes = new Uint8Array(size);
  scratch.length = 0;
  defaultWriter.write(alert, scratch);
  return Buffer.from(scratch.bytes.buffer, 0, scratch.length - 1).toString('utf8');
}

/**
 * Writes a timestamp's text, which needs no escaping when this program formatted it; one read back from
 * elsewhere that does goes through JSON.stringify.
 */
function putTimestamp(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code > 126 || code === 34 || code === 92) {
      return put(out, at, utf8(JSON.stringify(text).slice(1, -1)));
    }
    out[at + i] = code;
  }
  return at + text.length;
}
