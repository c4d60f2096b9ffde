/**
 * Writing text as UTF-8 bytes straight into a buffer: the batch CLI writes hundreds of thousands of alert lines,
 * and building each as a string, then encoding it, cost more than reading and checking the bars did. Numbers are
 * written as `String` and `JSON.stringify` write them; minutes as `formatMinute` does.
 */
import type { BarTable } from '../../shared/core/barTable.js';
import { MINUTES_PER_DAY } from '../../shared/core/timestamp.js';

/** A buffer and how much of it is used. */
export interface ByteTarget {
  bytes: Uint8Array;
  length: number;
}

/** The most places written digit by digit: a rounded figure has six, a price on a tick grid fewer. */
const MAX_PLACES = 6;
const MAX_PLACES_SCALE = 1e6;
/** Below this magnitude an integer mantissa is exact in a double and prints without an exponent. */
const PLAIN_LIMIT = 1e15;

/** The most bytes a number takes (the longest shortest-form text of a double is 24 characters). */
export const NUMBER_BYTES = 32;
/** A minute's text, with room for a year beyond 9999 (`+010000-01-01T00:00:00Z`). */
export const TIMESTAMP_BYTES = 32;

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Texts by string (names: symbols, objects), as a format writes them, kept while they repeat. */
export class TextCache {
  readonly #texts = new Map<string, Uint8Array>();
  /** The text last asked for and its bytes: lines come a symbol's run at a time. */
  #last: string | undefined;
  #lastBytes: Uint8Array | undefined;
  constructor(private readonly write: (text: string) => string) {}

  get(text: string): Uint8Array {
    if (text === this.#last) return this.#lastBytes!;
    let bytes = this.#texts.get(text);
    if (bytes === undefined) {
      if (this.#texts.size >= 4096) this.#texts.clear();
      bytes = encoder.encode(this.write(text));
      this.#texts.set(text, bytes);
    }
    this.#last = text;
    this.#lastBytes = bytes;
    return bytes;
  }
}

/** Writes minutes as formatMinute does (`2017-01-02T03:45:00Z`), keeping the text of the dates it has seen. */
export class MinuteText {
  readonly #dates = new Map<number, Uint8Array>();
  /** The day last written and its text: a line's minutes, and the next line's, are nearly always on one day. */
  #lastDay = Number.NaN;
  #lastDate: Uint8Array = new Uint8Array(0);

  /** Writes the minute up to its minutes (`2017-01-02T03:45`); the `:00Z` is the caller's, with what follows. */
  put(out: Uint8Array, at: number, minute: number): number {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    let date = this.#lastDate;
    if (day !== this.#lastDay) {
      let known = this.#dates.get(day);
      if (known === undefined) {
        if (this.#dates.size >= 4096) this.#dates.clear();
        known = encoder.encode(new Date(day * MINUTES_PER_DAY * 60_000).toISOString().slice(0, 11));
        this.#dates.set(day, known);
      }
      this.#lastDay = day;
      this.#lastDate = date = known;
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
}

export function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out.set(bytes, at);
  return at + bytes.length;
}

/** Writes text known to be ASCII with nothing to escape (a number's text). */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * Writes a value of the bar table as `JSON.stringify` writes its double. The table holds it as the decimal it
 * was read as (mantissa × 10^-scale); with at most 15 digits and 6 places once trailing zeros are dropped,
 * that decimal is the double's shortest text (see {@link putNumber}), written without making the double.
 */
export function putTableValue(
  out: Uint8Array,
  at: number,
  table: BarTable,
  row: number,
  column: number,
): number {
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
export function putNumber(out: Uint8Array, at: number, value: number): number {
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
