/**
 * The reader: the bytes of one object in, its accepted bars and quality report out. objectText.ts makes the bytes
 * text (gunzipped, decoded), csvRecords.ts makes the text records (RFC 4180, contract §1 "Quoting"), and
 * everything docs/contract.md says about rows is in ObjectIntake.
 */
import type { ChunkPool } from '../core/barTable.js';
import { CsvRecords, type RowSink } from '../core/csvRecords.js';
import { ObjectIntake, type ObjectBars } from '../core/objectIntake.js';
import { objectText, type ObjectSource, type ObjectTextOptions } from './objectText.js';
import type { ReaderClock } from '../core/readerClock.js';
import type { ZoneOffsets } from '../core/timestamp.js';

export interface ReadObjectOptions extends ObjectTextOptions {
  /** The object's name also gives the symbol when there is no symbol column. */
  objectName: string;
  zone: ZoneOffsets;
  /** The reader's time: a bar later than it by more than its skew is set aside (contract §1, `future`). */
  clock: ReaderClock;
  /** Where the bars' table takes its memory from, for a reader that recycles tables (barTable.ts). */
  chunks?: ChunkPool;
}

/**
 * Reads one object.
 * @throws ObjectRejectedError when the object as a whole cannot be used (no header, missing columns,
 *   a broken gzip stream, a limit passed); any other error is an I/O failure of the source.
 */
export async function readObject(source: ObjectSource, options: ReadObjectOptions): Promise<ObjectBars> {
  const intake = new ObjectIntake(
    options.objectName,
    options.zone,
    options.limits,
    options.clock,
    options.chunks,
  );
  await readRows(source, options, intake);
  return intake.finish();
}

/**
 * Reads one object's records into `sink`, as {@link readObject} reads them: the same gunzipping, decoding,
 * quoting, line numbers and limits on lines and size.
 * @throws ObjectRejectedError for a broken gzip stream or a limit passed, and whatever the sink throws;
 *   any other error is an I/O failure of the source.
 */
export async function readRows(
  source: ObjectSource,
  options: ObjectTextOptions,
  sink: RowSink,
): Promise<void> {
  const records = new CsvRecords(sink, options.limits);
  for await (const text of objectText(source, options)) {
    // Bytes that are not UTF-8 decode to U+FFFD: the rows are checked for it only once it has been seen.
    if (text.includes('\uFFFD')) sink.replacementSeen();
    records.add(text);
  }
  records.end();
}
