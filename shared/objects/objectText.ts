/**
 * The object's edge of the reader: its bytes, a chunk at a time, into text. Gunzips (by name or magic number),
 * holds the object to its limit on size, decodes UTF-8 and drops a byte-order mark; the text goes on to the
 * record machine (csvRecords.ts).
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { objectTooLarge, type IngestLimits } from '../core/ingestLimits.js';
import { ObjectRejectedError } from '../core/report.js';

/** The object's bytes, a chunk at a time: a stream, or chunks read synchronously from a local file. */
export type ObjectSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ObjectTextOptions {
  /** The object's name (a path or a bucket object name): a `.gz` ending means gzip. */
  objectName: string;
  /** Past any of these the object is rejected, as soon as reading gets there. */
  limits: IngestLimits;
  /** Called with the size of each raw (possibly compressed) chunk read, for progress displays. */
  onBytes?: (bytes: number) => void;
}

/**
 * The object's text, a piece at a time: gunzipped when it is gzip, decoded as UTF-8, without a byte-order mark.
 * The source is closed however reading ends, also when the object is rejected after its first line.
 * @throws ObjectRejectedError as soon as the text passes MAX_OBJECT_BYTES: counted after gunzipping, since a
 *   small gzip can expand a thousandfold, and before decoding, so the count is exact bytes; and for a broken
 *   gzip stream. Any other error is an I/O failure of the source.
 */
export async function* objectText(source: ObjectSource, options: ObjectTextOptions): AsyncGenerator<string> {
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
  } catch (error) {
    throw asRejection(error as Error);
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
