/**
 * The record machine of the reader: RFC 4180 CSV text, a piece at a time, into records and the line each starts
 * on (contract §1 "Quoting"), each held to the limit on a line's length. It reads text, not bytes (shared/objects/objectText.ts
 * makes an object's bytes text), and hands the records to a sink: ObjectIntake, or a command's own.
 */
import { lineTooLong, type IngestLimits } from './ingestLimits.js';

/**
 * What the reader hands the rows of an object to, in order: ObjectIntake, which applies the contract, or a
 * command that needs the fields as written (`replay`).
 */
export interface RowSink {
  /** A well-formed record: its fields, and the line it starts on. A blank line comes as one empty field. */
  addRow(fields: readonly string[], line: number): void;
  /**
   * A record that is one line without a double quote, as `text[start, end)` (its line end, and the CR of a CRLF,
   * left out): its fields are the line split at its commas. A sink that has it is given such records this way,
   * without a string for each field (the reader's common case, 42 million rows at the seed's scale); one
   * without it is given their fields.
   */
  addLine?(text: string, start: number, end: number, line: number): void;
  /** A record with malformed quoting: its first physical line as written, without its line end. */
  addMalformed(text: string, line: number): void;
  /** The text read from here on held U+FFFD (bytes that are not UTF-8). */
  replacementSeen(): void;
}

/** The most physical lines one record may span: a quoted field still open at the end of the last is malformed. */
export const MAX_RECORD_LINES = 100;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

// Where the record scanner is in a record (RFC 4180).
/** At the start of a field. */
const FIELD_START = 0;
/** Inside a field that did not begin with a quote: a quote there is misplaced. */
const UNQUOTED = 1;
/** Inside a quoted field, where commas and line breaks are text. */
const QUOTED = 2;
/** After a quote inside a quoted field: a second one escapes it, a comma or the line end closes the field. */
const QUOTE_SEEN = 3;
/** After a closing quote and a CR: only the LF of a CRLF may follow. */
const CR_SEEN = 4;
/** Malformed (contract §1, `quotes`): only the end of the record's first line is still wanted. */
const MALFORMED = 5;

/**
 * Feeds text, a piece at a time, to the sink as rows, with the line each starts on (contract §1).
 *
 * Text without a double quote, the common case, is one record a line, its fields split at the commas (the
 * unfinished last line waits for the next piece); each goes to the sink as the line itself where it can take
 * one (RowSink.addLine). From the line of a quote on, records are read
 * by a small RFC 4180 state machine instead, which knows where a record with a malformed quote stops: at the
 * end of its first physical line, so that reading resumes at the next one (Papa Parse would run such a record
 * on to the next quote, or to the end of the object). Its state is kept between pieces, so a record is scanned
 * once however it is cut; where the pieces are cut changes nothing.
 *
 * It also holds each record to MAX_LINE_BYTES. The unfinished last record is the one thing that grows without
 * bound (one endless line, or a quoted field running on), so it is checked as each piece arrives and never
 * carried past the limit; a finished record is measured in the text it was read from, up to where it ends or is
 * found malformed, so that the outcome does not depend on where the pieces end either.
 */
export class CsvRecords {
  readonly #sink: RowSink;
  readonly #limits: IngestLimits;
  /** The unfinished text: it starts at a record's start. */
  #partial = '';
  #nextLine = 1;
  // The scan of the record #partial starts with, once the state machine has begun it; positions are from the
  // record's start.
  #scanning = false;
  /** How far it is scanned. */
  #at = 0;
  #state = FIELD_START;
  /** The line ends inside its quoted fields so far. */
  #breaks = 0;
  /** Where its first line ends, once a quoted field has run past it. */
  #firstEnd = -1;

  constructor(sink: RowSink, limits: IngestLimits) {
    this.#sink = sink;
    this.#limits = limits;
  }

  add(text: string): void {
    if (this.#scanning || text.indexOf('"') >= 0) {
      this.#mixed(this.#partial + text, false);
      return;
    }
    if (text.indexOf('\n') < 0) {
      // No line end: no record can finish here, so the piece only lengthens the unfinished one, which need
      // not be parsed again (a long line is then read in linear time, not reparsed piece after piece).
      const partial = this.#partial + text;
      this.#checkUnfinished(partial, 0);
      this.#partial = partial;
      return;
    }
    // The unfinished line is finished on its own, so that the piece's own lines are read from the piece as it
    // came, not from a string joined to it (reading a joined string's characters cost a tenth of the reader).
    let from = 0;
    if (this.#partial !== '') {
      from = text.indexOf('\n') + 1;
      this.#plain(this.#partial + text.substring(0, from), 0, false);
    }
    this.#partial = this.#plain(text, from, false);
  }

  end(): void {
    if (this.#scanning) this.#mixed(this.#partial, true);
    else if (this.#partial !== '') this.#plain(this.#partial, 0, true);
    this.#partial = '';
  }

  /**
   * Rows of text without a double quote from `from` on, each one line. Lines end at LF; the CR of a CRLF end is
   * dropped, so LF, CRLF and a mix of the two read alike whatever the first piece holds.
   * @returns the unfinished last line (none when `last`: then the text after the last LF is a record too, even
   *   an empty one)
   */
  #plain(input: string, from: number, last: boolean): string {
    const sink = this.#sink;
    const max = this.#limits.maxLineBytes;
    const third = max / 3;
    let start = from;
    for (;;) {
      let end = input.indexOf('\n', start);
      if (end < 0) {
        if (!last) break;
        end = input.length;
      }
      const line = this.#nextLine++;
      if (end - start > third && longerThan(input, start, end, max)) throw lineTooLong(line, this.#limits);
      const textEnd = end > start && input.charCodeAt(end - 1) === CR ? end - 1 : end;
      if (sink.addLine !== undefined) sink.addLine(input, start, textEnd, line);
      else sink.addRow(input.substring(start, textEnd).split(','), line);
      if (end === input.length) return '';
      start = end + 1;
    }
    const rest = input.substring(start);
    this.#checkUnfinished(rest, 0);
    return rest;
  }

  /** Text with a double quote (or going on with a record that has one): plain lines the fast way, the rest scanned. */
  #mixed(input: string, last: boolean): void {
    let start = 0;
    let quote = -1;
    for (;;) {
      if (!this.#scanning) {
        if (quote < start) quote = input.indexOf('"', start);
        if (quote < 0) {
          this.#partial = this.#plain(input, start, last);
          return;
        }
        // The lines before the quote's are whole records (only a quoted field holds a line break).
        const lineStart = input.lastIndexOf('\n', quote) + 1;
        if (lineStart > start) this.#plain(input.substring(0, lineStart), start, false);
        start = lineStart;
        this.#scanning = true;
        this.#at = 0;
        this.#state = FIELD_START;
        this.#breaks = 0;
        this.#firstEnd = -1;
      }
      const next = this.#scan(input, start, last);
      if (next < 0) {
        this.#partial = input.substring(start);
        return;
      }
      this.#scanning = false;
      start = next;
      if (start >= input.length) {
        this.#partial = '';
        return;
      }
    }
  }

  /**
   * Scans the record at `start` on from where its scan stopped and, once it is known, gives it to the intake:
   * a well-formed record as its fields, a malformed one as its first physical line.
   * @returns where the next record starts; -1 while the text ends before the record is known
   */
  #scan(input: string, start: number, last: boolean): number {
    const length = input.length;
    let i = start + this.#at;
    let state = this.#state;
    let breaks = this.#breaks;
    let firstEnd = this.#firstEnd;
    let end = -1;
    while (state !== MALFORMED && i < length) {
      const c = input.charCodeAt(i);
      if (state === QUOTED) {
        if (c === QUOTE) state = QUOTE_SEEN;
        else if (c === LF) {
          if (firstEnd < 0) firstEnd = i - start;
          // The field runs on to the next line, which would make the record longer than it may be.
          if (++breaks >= MAX_RECORD_LINES) state = MALFORMED;
        }
      } else if (state <= UNQUOTED) {
        if (c === COMMA) state = FIELD_START;
        else if (c === LF) {
          end = i;
          break;
        } else if (c === QUOTE) state = state === FIELD_START ? QUOTED : MALFORMED;
        else state = UNQUOTED;
      } else if (state === QUOTE_SEEN) {
        if (c === QUOTE) state = QUOTED;
        else if (c === COMMA) state = FIELD_START;
        else if (c === LF) {
          end = i;
          break;
        } else if (c === CR) state = CR_SEEN;
        else state = MALFORMED;
      } else if (c === LF) {
        end = i;
        break;
      } else state = MALFORMED;
      if (state !== MALFORMED) i++;
    }
    const max = this.#limits.maxLineBytes;
    if (end < 0 && state !== MALFORMED) {
      if (!last) return this.#unfinished(input, start, i, state, breaks, firstEnd);
      // The object ends: a quoted field still open never closes; anything else ends the record.
      if (state === QUOTED) state = MALFORMED;
      else end = length;
    }
    const line = this.#nextLine;
    if (state !== MALFORMED) {
      if (end - start > max / 3 && longerThan(input, start, end, max)) throw lineTooLong(line, this.#limits);
      this.#nextLine += breaks + 1;
      this.#sink.addRow(fieldsOf(input, start, end), line);
      return end + 1;
    }
    // Malformed at i: the record is its first line alone, once that has ended.
    let lineEnd = firstEnd >= 0 ? start + firstEnd : input.indexOf('\n', i);
    if (lineEnd < 0) {
      if (!last) return this.#unfinished(input, start, length, MALFORMED, breaks, firstEnd);
      lineEnd = length;
    }
    const measured = Math.max(i, lineEnd);
    if (measured - start > max / 3 && longerThan(input, start, measured, max))
      throw lineTooLong(line, this.#limits);
    this.#nextLine++;
    let textEnd = lineEnd;
    if (textEnd > start && input.charCodeAt(textEnd - 1) === CR) textEnd--;
    this.#sink.addMalformed(input.substring(start, textEnd), line);
    return lineEnd + 1;
  }

  /** Keeps the scan of a record the text ended in, after holding what there is of it to the limit. */
  #unfinished(
    input: string,
    start: number,
    at: number,
    state: number,
    breaks: number,
    firstEnd: number,
  ): number {
    this.#checkUnfinished(input, start);
    this.#at = at - start;
    this.#state = state;
    this.#breaks = breaks;
    this.#firstEnd = firstEnd;
    return -1;
  }

  /** The unfinished record (text from `start`): past the limit already, it can only get longer. */
  #checkUnfinished(text: string, start: number): void {
    const max = this.#limits.maxLineBytes;
    if (text.length - start > max / 3 && longerThan(text, start, text.length, max))
      throw lineTooLong(this.#nextLine, this.#limits);
  }
}

/**
 * The fields of the well-formed record text[start, end) (no line end in it but those of its quoted fields):
 * quotes around a field removed, a doubled quote inside one made single, the CR of a CRLF end dropped.
 */
function fieldsOf(text: string, start: number, end: number): string[] {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    if (at < end && text.charCodeAt(at) === QUOTE) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        value += text.substring(from, quote);
        if (text.charCodeAt(quote + 1) !== QUOTE) {
          at = quote + 1;
          break;
        }
        value += '"';
        from = quote + 2;
      }
      fields.push(value);
      // After a closing quote: a comma, or the record's end (a CR first, for a CRLF).
      if (at < end && text.charCodeAt(at) === COMMA) {
        at++;
        continue;
      }
      return fields;
    }
    let comma = text.indexOf(',', at);
    if (comma < 0 || comma > end) comma = end;
    if (comma === end) {
      let fieldEnd = end;
      if (fieldEnd > at && text.charCodeAt(fieldEnd - 1) === CR) fieldEnd--;
      fields.push(text.substring(at, fieldEnd));
      return fields;
    }
    fields.push(text.substring(at, comma));
    at = comma + 1;
  }
}

/**
 * Whether text[start, end) is more than `max` bytes of UTF-8, not counting a CR at its end (a CRLF line end's,
 * or the first half of one still to come). A UTF-16 code unit is one to three bytes, so only a length between
 * max / 3 and max needs the text encoded to know.
 */
function longerThan(text: string, start: number, end: number, max: number): boolean {
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  const units = end - start;
  if (units > max) return true;
  if (units * 3 <= max) return false;
  return Buffer.byteLength(text.substring(start, end), 'utf8') > max;
}
