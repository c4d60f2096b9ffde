/**
 * The stream edge of the reader: bytes of one object in, its accepted bars and quality report out.
 * Gunzips (by name or magic number), decodes UTF-8, drops a byte-order mark and parses RFC 4180 CSV with
 * Papa Parse; everything docs/contract.md says about rows is in ObjectIntake.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { ObjectIntake, type ObjectBars } from './objectIntake.js';
import { ObjectRejectedError } from './report.js';
import type { ZoneOffsets } from './timestamp.js';

/** The object's bytes, a chunk at a time: a stream, or chunks read synchronously from a local file. */
export type ObjectSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ReadObjectOptions {
  /** The object's name (a path or a bucket object name); gives the symbol when there is no symbol column. */
  objectName: string;
  zone: ZoneOffsets;
  /** Called with the size of each raw (possibly compressed) chunk read, for progress displays. */
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one object.
 * @throws ObjectRejectedError when the object as a whole cannot be used (no header, missing columns,
 *   a broken gzip stream); any other error is an I/O failure of the source.
 */
export async function readObject(source: ObjectSource, options: ReadObjectOptions): Promise<ObjectBars> {
  const intake = new ObjectIntake(options.objectName, options.zone);
  const rows = new CsvRows(intake);
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
 */
class CsvRows {
  readonly #intake: ObjectIntake;
  // Lines end at LF; the CR of a CRLF end is dropped from the row's last field, so LF, CRLF and a mix of the
  // two read alike whatever the first piece holds.
  readonly #parser = new Papa.Parser({ delimiter: ',', quoteChar: '"', newline: '\n' });
  #partial = '';
  #nextLine = 1;

  constructor(intake: ObjectIntake) {
    this.#intake = intake;
  }

  add(text: string): void {
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
    for (let i = 0; i < rows.length; i++) {
      const fields = rows[i]!;
      const line = this.#nextLine++;
      if (quoted) {
        for (const field of fields) {
          for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) this.#nextLine++;
        }
      }
      const lastField = fields[fields.length - 1]!;
      if (lastField.charCodeAt(lastField.length - 1) === 13)
        fields[fields.length - 1] = lastField.slice(0, -1);
      this.#intake.addRow(fields, line, malformed.size > 0 && malformed.has(i));
    }
  }
}

/**
 * The object's text, a piece at a time: gunzipped when it is gzip, decoded as UTF-8, without a byte-order mark.
 * The source is closed however reading ends, also when the object is rejected after its first line.
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
    let atStart = true;
    for await (const chunk of bytes) {
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
