/**
 * Which symbol each file holds, known before any file is detected, where every file's rows take their symbol from
 * its name (no symbol column: the seed's layout, one file per symbol). Then `detect` knows the last file that holds
 * each symbol, and writes a symbol's alerts out as soon as that file is done (instead of copying every alert out of
 * the temporary files after the last one: 17 to 24 s at the seed's scale with the alerts to a file, one core idle).
 * The header is read by the reader's own rules (readRows: gunzipped, decoded, quoted, the first non-blank row),
 * and reading stops there.
 */
import { basename } from 'node:path';
import type { RowSink } from '../../shared/core/csvRecords.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { ObjectIntake } from '../../shared/core/objectIntake.js';
import type { ReaderClock } from '../../shared/core/readerClock.js';
import type { ZoneOffsets } from '../../shared/core/timestamp.js';
import { readRows } from '../../shared/objects/readObject.js';
import { fileChunks } from '../fileChunks.js';

/** What reading a header needs: the reader's settings, as `detect` reads the files with them. */
export interface HeaderReading {
  zone: ZoneOffsets;
  limits: IngestLimits;
  clock: ReaderClock;
}

/** Thrown by the header's sink to stop reading once the header is in: nothing else ends a read early. */
const HEADER_READ = new Error('the header is read');

/**
 * The symbol `file`'s rows take from its name, or undefined where its rows may name any symbol or none: a symbol
 * column, no usable header, a name that gives no valid symbol, a file that cannot be read. The rows go to an
 * ObjectIntake, as the reader's do, until it has taken the header: the intake decides, by its own rules.
 */
export async function nameSymbolOf(file: string, reading: HeaderReading): Promise<string | undefined> {
  const objectName = basename(file);
  const intake = new ObjectIntake(objectName, reading.zone, reading.limits, reading.clock);
  const untilHeader = () => {
    if (intake.hasHeader) throw HEADER_READ;
  };
  const sink: RowSink = {
    addRow: (fields, line) => {
      intake.addRow(fields, line);
      untilHeader();
    },
    addMalformed: (text, line) => {
      intake.addMalformed(text, line);
      untilHeader();
    },
    replacementSeen: () => intake.replacementSeen(),
  };
  try {
    await readRows(fileChunks(file), { objectName, limits: reading.limits }, sink);
    return undefined;
  } catch (error) {
    return error === HEADER_READ ? intake.nameSymbol : undefined;
  }
}

/**
 * For each symbol, the index of the last file that holds it, when every file's symbol comes from its name;
 * undefined otherwise (then no symbol is known to be complete before every file is in).
 */
export async function lastFileOfEach(
  files: readonly string[],
  reading: HeaderReading,
): Promise<Map<string, number> | undefined> {
  const last = new Map<string, number>();
  for (let i = 0; i < files.length; i++) {
    const symbol = await nameSymbolOf(files[i]!, reading);
    if (symbol === undefined) return undefined;
    last.set(symbol, i);
  }
  return last;
}
