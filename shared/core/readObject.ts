/**
 * The stream edge of the reader: bytes of one object in, its accepted bars and quality report out.
 * Gunzips (by name or magic number), decodes UTF-8, drops a byte-order mark and parses RFC 4180 CSV with
 * Papa Parse; everything the SPEC says about rows is in ObjectIntake.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { ObjectIntake, type ObjectBars } from './objectIntake.js';
import { ObjectRejectedError } from './report.js';
import type { ZoneOffsets } from './timestamp.js';

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
export async function readObject(
  source: AsyncIterable<Uint8Array | string>,
  options: ReadObjectOptions,
): Promise<ObjectBars> {
  const intake = new ObjectIntake(options.objectName, options.zone);
  const text = await decodedText(source, options);
  await new Promise<void>((resolve, reject) => {
    let failure: unknown;
    let nextLine = 1;
    Papa.parse<string[]>(text as unknown as File, {
      delimiter: ',',
      quoteChar: '"',
      skipEmptyLines: false,
      // Rows come a chunk at a time rather than one callback per row: Papa Parse allocates a result object
      // per callback, which costs more than the row itself.
      chunk(result, parser) {
        if (failure !== undefined) return;
        const malformed = new Set<number>();
        for (const error of result.errors) if (error.row !== undefined) malformed.add(error.row);
        const rows = result.data;
        try {
          for (let i = 0; i < rows.length; i++) {
            const fields = rows[i]!;
            const line = nextLine;
            nextLine += 1;
            for (const field of fields) {
              for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) nextLine++;
            }
            intake.addRow(fields, line, malformed.has(i));
          }
        } catch (error) {
          failure = error;
          parser.abort();
          text.destroy();
        }
      },
      complete() {
        if (failure === undefined) resolve();
        else reject(failure);
      },
      error(error: Error) {
        reject(failure ?? asRejection(error));
      },
    });
  });
  return intake.finish();
}

async function decodedText(
  source: AsyncIterable<Uint8Array | string>,
  options: ReadObjectOptions,
): Promise<Readable> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await iterator.next();
  const chunks = (async function* () {
    if (head.done) return;
    yield head.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  const counted = (async function* () {
    for await (const chunk of chunks) {
      options.onBytes?.(chunk.length);
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
  })();
  const first = head.done ? undefined : head.value;
  const gzipped =
    /\.gz$/i.test(options.objectName) ||
    (first !== undefined && typeof first !== 'string' && first[0] === 0x1f && first[1] === 0x8b);
  const raw = Readable.from(counted, { objectMode: false });
  const bytes = gzipped ? raw.pipe(createGunzip()) : raw;
  if (gzipped) raw.on('error', (error) => bytes.destroy(error));
  bytes.setEncoding('utf8');
  return withoutByteOrderMark(bytes);
}

function withoutByteOrderMark(text: AsyncIterable<string>): Readable {
  return Readable.from(
    (async function* () {
      let first = true;
      for await (const chunk of text) {
        if (first && chunk.charCodeAt(0) === 0xfeff) yield chunk.slice(1);
        else yield chunk;
        first = false;
      }
    })(),
  );
}

/** zlib errors mean the object is not the gzip it claims to be: bad input, not a failure to read. */
function asRejection(error: Error & { code?: string }): Error {
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return new ObjectRejectedError(`not a readable gzip stream: ${error.message}`);
  }
  return error;
}
