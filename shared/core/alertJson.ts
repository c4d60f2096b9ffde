/**
 * Alerts as JSON lines: the exact text `JSON.stringify` gives for an alert (SPEC §3 field order), written as
 * UTF-8 bytes straight into a buffer. The batch CLI writes hundreds of thousands of alerts, and building each
 * line as a string, then encoding it, cost more than reading and checking the bars did.
 */
import type { Alert, AlertSource } from './alert.js';
import {
  type BarTable,
  CLOSE as CLOSE_COLUMN,
  HIGH as HIGH_COLUMN,
  LOW as LOW_COLUMN,
  OPEN as OPEN_COLUMN,
  VOLUME as VOLUME_COLUMN,
} from './barTable.js';
import type { Finding } from './rules.js';
import { MINUTES_PER_DAY } from './timestamp.js';

/** The most places written digit by digit: a rounded figure has six, a price on a tick grid fewer. */
const MAX_PLACES = 6;
const MAX_PLACES_SCALE = 1e6;
/** Below this magnitude an integer mantissa is exact in a double and prints without an exponent. */
const PLAIN_LIMIT = 1e15;

/** A buffer and how much of it is used: the target of {@link AlertJsonWriter.write}. */
export interface ByteTarget {
  bytes: Uint8Array;
  length: number;
}

const encoder = new TextEncoder();

function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

const RULES = {
  A1: ascii('","rules":["A1"],"open":'),
  A2: ascii('","rules":["A2"],"open":'),
  both: ascii('","rules":["A1","A2"],"open":'),
};
/** The same, after a timestamp written from a minute up to its minutes (see `#putMinute`). */
const SECONDS_RULES = {
  A1: ascii(':00Z","rules":["A1"],"open":'),
  A2: ascii(':00Z","rules":["A2"],"open":'),
  both: ascii(':00Z","rules":["A1","A2"],"open":'),
};
const HIGH = ascii(',"high":');
const LOW = ascii(',"low":');
const CLOSE = ascii(',"close":');
const VOLUME = ascii(',"volume":');
const PREV_CLOSE = ascii(',"a1":{"prevClose":');
const PREV_TIMESTAMP = ascii(',"prevTimestamp":"');
const CHANGE_PCT = ascii('","changePct":');
const SECONDS_CHANGE_PCT = ascii(':00Z","changePct":');
const AVG_VOLUME = ascii('},"a2":{"avgVolume":');
const AVG_VOLUME_ALONE = ascii(',"a2":{"avgVolume":');
const WINDOW_BARS = ascii(',"windowBars":');
const VOLUME_RATIO = ascii(',"volumeRatio":');
const NULL = ascii('null');
const OBJECT = ascii('},"source":{"object":');
const OBJECT_AFTER_BAR = ascii(',"source":{"object":');
const GENERATION = ascii(',"generation":');
const LINE = ascii(',"line":');
const END = ascii('}}\n');

/** Bytes of every part of a line that is not a name, a number or a timestamp, with room to spare. */
const FIXED_BYTES = 512;
/** The most bytes a number takes (the longest shortest-form text of a double is 24 characters). */
const NUMBER_BYTES = 32;
/** A timestamp written from a minute, with room for a year beyond 9999 (`+010000-01-01T00:00:00Z`). */
const TIMESTAMP_BYTES = 32;

/**
 * Writes alert lines, from an alert record or straight from what the rules found (the batch CLI's way: no
 * record in between). Keeps the JSON text of the names it has seen (symbols, objects, generations) and of the
 * dates, which repeat from one alert to the next.
 */
export class AlertJsonWriter {
  readonly #names = new Map<string, Uint8Array>();
  readonly #dates = new Map<number, Uint8Array>();
  /** Per symbol: the line's start, up to the timestamp's opening quote. */
  readonly #heads = new Map<string, Uint8Array>();
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
    let at = put(out, target.length, this.#head(finding.symbol));
    at = this.#putMinute(out, at, finding.minute);
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
      at = this.#putMinute(out, at, finding.prevMinute);
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
    let at = put(out, target.length, this.#head(alert.symbol));
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
    at = put(out, at, this.#name(source.object));
    if (source.generation !== undefined) {
      at = put(out, at, GENERATION);
      at = put(out, at, this.#name(source.generation));
    }
    at = put(out, at, LINE);
    at = putNumber(out, at, source.line);
    target.length = put(out, at, END);
  }

  /**
   * Writes a minute as formatMinute does (`2017-01-02T03:45:00Z`) up to its minutes (`2017-01-02T03:45`),
   * without making the string; the constant after it carries the `:00Z`.
   */
  #putMinute(out: Uint8Array, at: number, minute: number): number {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    let date = this.#dates.get(day);
    if (date === undefined) {
      if (this.#dates.size >= 4096) this.#dates.clear();
      date = encoder.encode(new Date(day * MINUTES_PER_DAY * 60_000).toISOString().slice(0, 11));
      this.#dates.set(day, date);
    }
    let end = put(out, at, date);
    const ofDay = minute - day * MINUTES_PER_DAY;
    const hour = Math.floor(ofDay / 60);
    const minuteOfHour = ofDay - hour * 60;
    out[end++] = 48 + Math.floor(hour / 10);
    out[end++] = 48 + (hour % 10);
    out[end++] = 58; // ':'
    out[end++] = 48 + Math.floor(minuteOfHour / 10);
    out[end++] = 48 + (minuteOfHour % 10);
    return end;
  }

  #head(symbol: string): Uint8Array {
    let head = this.#heads.get(symbol);
    if (head === undefined) {
      if (this.#heads.size >= 4096) this.#heads.clear();
      head = encoder.encode(`{"symbol":${JSON.stringify(symbol)},"timestamp":"`);
      this.#heads.set(symbol, head);
    }
    return head;
  }

  #sourcePart(source: AlertSource): Uint8Array {
    let part = this.#sourceParts.get(source);
    if (part === undefined) {
      const generation =
        source.generation === undefined ? '' : `,"generation":${JSON.stringify(source.generation)}`;
      part = encoder.encode(`},"source":{"object":${JSON.stringify(source.object)}${generation},"line":`);
      this.#sourceParts.set(source, part);
    }
    return part;
  }

  #name(name: string): Uint8Array {
    let json = this.#names.get(name);
    if (json === undefined) {
      if (this.#names.size >= 4096) this.#names.clear();
      json = encoder.encode(JSON.stringify(name));
      this.#names.set(name, json);
    }
    return json;
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

function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out.set(bytes, at);
  return at + bytes.length;
}

/** Writes text known to be ASCII with nothing to escape (a number's text). */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * Writes a timestamp's text, which needs no escaping when this program formatted it; one read back from
 * elsewhere that does goes through JSON.stringify.
 */
function putTimestamp(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code > 126 || code === 34 || code === 92) {
      return put(out, at, encoder.encode(JSON.stringify(text).slice(1, -1)));
    }
    out[at + i] = code;
  }
  return at + text.length;
}

/**
 * Writes a value of the bar table as `JSON.stringify` writes its double. The table holds it as the decimal it
 * was read as (mantissa × 10^-scale); with at most 15 digits and 6 places once trailing zeros are dropped,
 * that decimal is the double's shortest text (see {@link putNumber}), written without making the double.
 */
function putTableValue(out: Uint8Array, at: number, table: BarTable, row: number, column: number): number {
  const mantissa = table.mantissa(row, column);
  const scale = table.scale(row, column);
  if (scale >= 0 && Math.abs(mantissa) < PLAIN_LIMIT) {
    const end = putWithoutTrailingZeros(out, at, mantissa, scale);
    if (end >= 0) return end;
  }
  return putNumber(out, at, table.value(row, column));
}

/**
 * Writes a number as `JSON.stringify` does. A double that is the nearest to k / 10^p for an integer k of at most
 * 15 digits and p ≤ 6 (every price on a tick grid, every rounded figure) has that decimal as its shortest text,
 * since no two such decimals share a double: it is written digit by digit. Anything else goes through String.
 */
function putNumber(out: Uint8Array, at: number, value: number): number {
  if (Math.abs(value) < PLAIN_LIMIT) {
    if (Math.floor(value) === value) return putDecimal(out, at, value === 0 ? 0 : value, 0);
    // Six places, then the trailing zeros dropped: the least number of places that fits.
    const scaled = Math.round(value * MAX_PLACES_SCALE);
    // Only below PLAIN_LIMIT is `scaled` exact, and with it the zeros found and dropped.
    if (Math.abs(scaled) < PLAIN_LIMIT && scaled / MAX_PLACES_SCALE === value) {
      const end = putWithoutTrailingZeros(out, at, scaled, MAX_PLACES);
      if (end >= 0) return end;
    }
  }
  return putAscii(out, at, Number.isFinite(value) ? String(value) : 'null');
}

/**
 * Writes scaled / 10^places (scaled an integer below PLAIN_LIMIT) with its trailing zeros after the point
 * dropped, when that leaves at most MAX_PLACES places; returns -1, writing nothing, when it does not.
 * A zero of either sign is written as 0, as JSON.stringify writes -0.
 */
function putWithoutTrailingZeros(out: Uint8Array, at: number, scaled: number, places: number): number {
  let mantissa = scaled;
  let scale = places;
  while (scale > 0) {
    const tenth = Math.trunc(mantissa / 10);
    if (tenth * 10 !== mantissa) break;
    mantissa = tenth;
    scale--;
  }
  if (scale > MAX_PLACES) return -1;
  return putDecimal(out, at, mantissa === 0 ? 0 : mantissa, scale);
}

/** Writes scaled / 10^places, which has no trailing zero after the point when `places` is the least that fits. */
function putDecimal(out: Uint8Array, at: number, scaled: number, places: number): number {
  let rest = scaled;
  if (rest < 0) {
    out[at++] = 45; // '-'
    rest = -rest;
  }
  // Digits right to left, with the point `places` digits from the right and zeros up to one before it.
  let digits = 1;
  for (let bound = 10; bound <= rest; bound *= 10) digits++;
  if (digits <= places) digits = places + 1;
  const end = at + digits + (places > 0 ? 1 : 0);
  let position = end;
  let i = 0;
  // Above 2^31 in floating point; below, in 32-bit integers, whose division by ten compiles to a multiply.
  for (; rest > 0x7fffffff; i++) {
    if (i === places && places > 0) out[--position] = 46; // '.'
    const next = Math.floor(rest / 10);
    out[--position] = 48 + (rest - next * 10);
    rest = next;
  }
  let small = rest | 0;
  for (; i < digits; i++) {
    if (i === places && places > 0) out[--position] = 46; // '.'
    const next = (small / 10) | 0;
    out[--position] = 48 + small - next * 10;
    small = next;
  }
  return end;
}
