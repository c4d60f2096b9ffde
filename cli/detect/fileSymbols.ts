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
import { mapHeader, symbolFromObjectName } from '../../shared/core/header.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { symbolProblem } from '../../shared/core/symbolGrammar.js';
import { readRows } from '../../shared/objects/readObject.js';
import { fileChunks } from '../fileChunks.js';

/** Thrown by the header's sink to stop reading once the header is in: nothing else ends a read early. */
const HEADER_READ = new Error('the header is read');

/**
 * The symbol `file`'s rows take from its name, or undefined where its rows may name any symbol or none: a symbol
 * column, no usable header, a name that gives no valid symbol, a file that cannot be read.
 */
export async function nameSymbolOf(file: string, limits: IngestLimits): Promise<string | undefined> {
  const objectName = basename(file);
  let symbolColumn: boolean | undefined;
  const header = (fields: readonly string[]) => {
    const mapped = mapHeader(fields);
    symbolColumn = mapped.ok ? mapped.columns.symbol >= 0 : undefined;
    throw HEADER_READ;
  };
  const sink: RowSink = {
    // As ObjectIntake takes them: blank rows before the header are skipped, a malformed one split at its commas.
    addRow: (fields) => {
      if (fields.length === 1 && fields[0]!.trim() === '') return;
      header(fields);
    },
    addMalformed: (text) => header(text.split(',')),
    replacementSeen: () => undefined,
  };
  try {
    await readRows(fileChunks(file), { objectName, limits }, sink);
    return undefined;
  } catch (error) {
    if (error !== HEADER_READ || symbolColumn !== false) return undefined;
  }
  const symbol = symbolFromObjectName(objectName);
  return symbol !== '' && symbolProblem(symbol) === undefined ? symbol : undefined;
}

/**
 * For each symbol, the index of the last file that holds it, when every file's symbol comes from its name;
 * undefined otherwise (then no symbol is known to be complete before every file is in).
 */
export async function lastFileOfEach(
  files: readonly string[],
  limits: IngestLimits,
): Promise<Map<string, number> | undefined> {
  const last = new Map<string, number>();
  for (let i = 0; i < files.length; i++) {
    const symbol = await nameSymbolOf(files[i]!, limits);
    if (symbol === undefined) return undefined;
    last.set(symbol, i);
  }
  return last;
}
