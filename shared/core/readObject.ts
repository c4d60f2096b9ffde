/**
 * The stream edge of the reader: bytes of one object in, its accepted bars and quality report out.
 * Gunzips (by name or magic number), decodes UTF-8, drops a byte-order mark and parses RFC 4180 CSV with
 * Papa Parse; everything docs/contract.md says about rows is in ObjectIntake.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { lineTooLong, objectTooLarge, type IngestLimits } from './ingestLimits.js';
import { ObjectIntake, type ObjectBars } from './objectIntake.js';
import { ObjectRejectedError } from './report.js';
import type { ZoneOffsets } from './timestamp.js';

/** The object's bytes, a chunk at a time: a stream, or chunks read synchronously from a local file. */
export type ObjectSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ReadObjectOptions {
  /** The object's name (a path or a bucket object name); gives the symbol when there is no symbol column. */
  objectName: string;
  zone: ZoneOffsets;
  /** Past any of these the object is rejected, as soon as reading gets there. */
  limits: IngestLimits;
  /** Called with the size of each raw (possibly compressed) chunk read, for progress displays. */
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one object.
 * @throws ObjectRejectedError when the object as a whole cannot be used (no header, missing columns,
 *   a broken gzip stream, a limit passed); any other error is an I/O failure of the source.
 */
export async function readObject(source: ObjectSource, options: ReadObjectOptions): Promise<ObjectBars> {
  const intake = new ObjectIntake(options.objectName, options.zone, options.limits);
  const rows = new CsvRows(intake, options.limits);
  try {
    for await (const text of decodedText(source, options)) rows.add(text);
  } catch (error) {
    throw asRejection(error as Error);
  }
  rows.end();
  return intake.finish();
}

/**
 * Feeds text, a piece at a time, through Papa Parse's own parser to the intake, the way Papa Parse's stream
 * readers do (the unfinished last row waits for the next piece), without their stream machinery, which cost
 * more than the parsing itself.
 *
 * It also holds each record to MAX_LINE_BYTES. The unfinished last row is the one thing that grows without
 * bound (one endless line, or an unclosed quote running on to the end of the object), so it is checked as
 * each piece arrives and never carried, nor parsed again, past the limit; and each finished record is measured
 * in the text it was parsed from, so that where the pieces happen to be cut changes nothing.
 */
class CsvRows {
  readonly #intake: ObjectIntake;
  readonly #limits: IngestLimits;
  // Lines end at LF; the CR of a CRLF end is dropped from the row's last field, so LF, CRLF and a mix of the
  // two read alike whatever the first piece holds.
  readonly #parser = new Papa.Parser({ delimiter: ',', quoteChar: '"', newline: '\n' });
  #partial = '';
  #nextLine = 1;

  constructor(intake: ObjectIntake, limits: IngestLimits) {
    this.#intake = intake;
    this.#limits = limits;
  }

  add(text: string): void {
    if (text.indexOf('\n') < 0) {
      // No line end: no record can finish here, so the piece only lengthens the unfinished one, which need
      // not be parsed again (a long line is then read in linear time, not reparsed piece after piece).
      const partial = this.#partial + text;
      this.#checkUnfinished(partial);
      this.#partial = partial;
      return;
    }
    this.#parse(this.#partial + text, false);
  }

  end(): void {
    if (this.#partial !== '') this.#parse(this.#partial, true);
    this.#partial = '';
  }

  #parse(input: string, last: boolean): void {
    const result = this.#parser.parse(input, 0, !last) as Papa.ParseResult<string[]>;
    this.#partial = input.substring(result.meta.cursor);
    const malformed = new Set<number>();
    for (const error of result.errors) if (error.row !== undefined) malformed.add(error.row);
    // Only a quoted field can hold a line break; without a quote in the input, every row is one line.
    const quoted = input.includes('"');
    const rows = result.data;
    const max = this.#limits.maxLineBytes;
    const third = max / 3;
    // Where the current record starts in the input: every record ends at a line end outside quotes (or at the
    // end of the input), so it spans as many line ends as its fields hold, plus its own.
    let start = 0;
    for (let i = 0; i < rows.length; i++) {
      const fields = rows[i]!;
      const line = this.#nextLine++;
      if (quoted) {
        for (const field of fields) {
          for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) this.#nextLine++;
        }
      }
      // The record's text runs from `start` to its own line end, past the line ends its quoted fields hold.
      let end = start - 1;
      for (let ends = this.#nextLine - line; ends > 0; ends--) {
        end = input.indexOf('\n', end + 1);
        if (end < 0) {
          end = input.length;
          break;
        }
      }
      if (end - start > third && longerThan(input, start, end, max)) throw lineTooLong(line, this.#limits);
      start = end + 1;
      const lastField = fields[fields.length - 1]!;
      if (lastField.charCodeAt(lastField.length - 1) === 13)
        fields[fields.length - 1] = lastField.slice(0, -1);
      this.#intake.addRow(fields, line, malformed.size > 0 && malformed.has(i));
    }
    if (!last) this.#checkUnfinished(this.#partial);
  }

  /** The unfinished record, before any of it is parsed: past the limit already, it can only get longer. */
  #checkUnfinished(partial: string): void {
    const max = this.#limits.maxLineBytes;
    if (partial.length > max / 3 && longerThan(partial, 0, partial.length, max))
      throw lineTooLong(this.#nextLine, this.#limits);
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

/**
 * The object's text, a piece at a time: gunzipped when it is gzip, decoded as UTF-8, without a byte-order mark.
 * The source is closed however reading ends, also when the object is rejected after its first line.
 * @throws ObjectRejectedError as soon as the text passes MAX_OBJECT_BYTES: counted after gunzipping, since a
 *   small gzip can expand a thousandfold, and before decoding, so the count is exact bytes.
 */
async function* decodedText(source: ObjectSource, options: ReadObjectOptions): AsyncGenerator<string> {
  const iterator =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let raw: Readable | undefined;
  try {
    const head = await iterator.next();
    if (head.done) return;
    const first = head.value;
    const counted = (async function* () {
      options.onBytes?.(first.length);
      yield typeof first === 'string' ? Buffer.from(first) : first;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        options.onBytes?.(next.value.length);
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    })();
    const gzipped =
      /\.gz$/i.test(options.objectName) ||
      (typeof first !== 'string' && first[0] === 0x1f && first[1] === 0x8b);
    let bytes: AsyncIterable<Uint8Array> = counted;
    if (gzipped) {
      raw = Readable.from(counted, { objectMode: false });
      const gunzip = createGunzip();
      raw.on('error', (error) => gunzip.destroy(error));
      bytes = raw.pipe(gunzip);
    }
    const decoder = new StringDecoder('utf8');
    const maxBytes = options.limits.maxObjectBytes;
    let total = 0;
    let atStart = true;
    for await (const chunk of bytes) {
      total += chunk.length;
      if (total > maxBytes) throw objectTooLarge(options.limits);
      let text = decoder.write(chunk as Buffer);
      if (atStart && text !== '') {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        atStart = false;
      }
      if (text !== '') yield text;
    }
    const rest = decoder.end();
    if (rest !== '') yield atStart && rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest;
  } finally {
    raw?.destroy();
    await iterator.return?.();
  }
}

/** zlib errors mean the object is not the gzip it claims to be: bad input, not a failure to read. */
function asRejection(error: Error & { code?: string }): Error {
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return new ObjectRejectedError(`not a readable gzip stream: ${error.message}`);
  }
  return error;
}
