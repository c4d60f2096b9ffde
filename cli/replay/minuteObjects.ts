/**
 * The rows of minute-bar files regrouped by market minute, for `replay`: one object per minute holding every
 * symbol's rows of that minute, the minutes in ascending order. Pure: the rows come from readRows, a file at a
 * time, and the command uploads the objects.
 *
 * Only what placing a row needs is read here: its minute and its symbol (contract §1, read with the
 * project's own functions). Everything else the contract checks is left to the pipeline, which reads the
 * minute objects: a row with a bad value, a duplicate, a row out of order is passed on with its values as
 * written, so ingest sets it aside and reports it as it would have in the original file.
 */
import { csvLine } from '../../shared/core/csvText.js';
import { mapHeader, symbolFromObjectName, type ColumnMap } from '../../shared/core/header.js';
import type { RowSink } from '../../shared/core/csvRecords.js';
import { ObjectRejectedError } from '../../shared/core/report.js';
import { formatMinute, parseMinute, type ZoneOffsets } from '../../shared/core/timestamp.js';

/** The header of every minute object. Timestamps are written in UTC with `Z`, so no time zone is assumed. */
export const MINUTE_OBJECT_HEADER = 'timestamp,symbol,open,high,low,close,volume';

/** The fields of a minute object's row after its timestamp: symbol and the five values. */
const ROW_FIELDS = 6;

/** A row the replay cannot place in a minute, so cannot pass on: it is reported and skipped. */
export interface UnplacedRow {
  file: string;
  line: number;
  reason: string;
}

/** Minutes (UTC, since the epoch) to keep, both ends included; a row outside is not kept. */
export interface MinuteRange {
  from?: number;
  to?: number;
}

/**
 * The object name of a minute: `{uploadPrefix}replay/2017-01-02T0345Z.csv`. Fixed width, so names sort in
 * time order; UTC, as the `Z` says.
 */
export function minuteObjectName(minute: number, uploadPrefix = ''): string {
  const iso = formatMinute(minute); // 2017-01-02T03:45:00Z
  return `${uploadPrefix}replay/${iso.slice(0, 13)}${iso.slice(14, 16)}Z.csv`;
}

export class MinuteObjects {
  readonly #zone: ZoneOffsets;
  readonly #range: MinuteRange;
  readonly #onUnplaced: (row: UnplacedRow) => void;
  /** Per minute, its rows as CSV text after the timestamp, in the order read (files, then lines). */
  readonly #rows = new Map<number, string[]>();
  readonly #symbols = new Set<string>();
  #placed = 0;
  #outside = 0;
  #unplaced = 0;

  constructor(zone: ZoneOffsets, range: MinuteRange = {}, onUnplaced: (row: UnplacedRow) => void = () => {}) {
    this.#zone = zone;
    this.#range = range;
    this.#onUnplaced = onUnplaced;
  }

  /**
   * Where the rows of one file go; `finish()` it once read. `path` names the file in messages and, when the
   * header has no symbol column, gives the symbol as the object name does (its base name).
   */
  file(path: string): MinuteFileRows {
    return new MinuteFileRows(path, this.#zone, {
      place: (minute, symbol, text) => this.#place(minute, symbol, text),
      unplaced: (line, reason) => {
        this.#unplaced++;
        this.#onUnplaced({ file: path, line, reason });
      },
    });
  }

  #place(minute: number, symbol: string, text: string): void {
    const { from, to } = this.#range;
    if ((from !== undefined && minute < from) || (to !== undefined && minute > to)) {
      this.#outside++;
      return;
    }
    const rows = this.#rows.get(minute);
    if (rows === undefined) this.#rows.set(minute, [text]);
    else rows.push(text);
    this.#symbols.add(symbol);
    this.#placed++;
  }

  /** The minutes that have rows, ascending. */
  minutes(): number[] {
    return [...this.#rows.keys()].sort((a, b) => a - b);
  }

  /** How many rows a minute's object holds. */
  rowCount(minute: number): number {
    return this.#rows.get(minute)?.length ?? 0;
  }

  /** The CSV text of a minute's object: the header, then its rows in the order they were read. */
  content(minute: number): string {
    const stamp = formatMinute(minute);
    let text = `${MINUTE_OBJECT_HEADER}\n`;
    for (const row of this.#rows.get(minute) ?? []) text += `${stamp},${row}\n`;
    return text;
  }

  get counts(): { placed: number; outside: number; unplaced: number; symbols: number } {
    return {
      placed: this.#placed,
      outside: this.#outside,
      unplaced: this.#unplaced,
      symbols: this.#symbols.size,
    };
  }
}

interface Placement {
  place(minute: number, symbol: string, text: string): void;
  unplaced(line: number, reason: string): void;
}

/** The rows of one file, as readRows gives them. */
export class MinuteFileRows implements RowSink {
  readonly #path: string;
  readonly #zone: ZoneOffsets;
  readonly #placement: Placement;
  #columns: ColumnMap | undefined;
  #nameSymbol = '';

  constructor(path: string, zone: ZoneOffsets, placement: Placement) {
    this.#path = path;
    this.#zone = zone;
    this.#placement = placement;
  }

  /** @throws ObjectRejectedError when the header lacks a required column, as ingest would reject the file */
  addRow(fields: readonly string[], line: number): void {
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    const columns = this.#columns;
    if (columns === undefined) return this.#takeHeader(fields);

    const timestamp = fields[columns.timestamp];
    if (timestamp === undefined) return this.#placement.unplaced(line, 'no timestamp field');
    const minute = parseMinute(timestamp, this.#zone);
    if (Number.isNaN(minute)) return this.#placement.unplaced(line, `unreadable timestamp '${timestamp}'`);
    let symbol = this.#nameSymbol;
    if (columns.symbol >= 0) {
      const field = fields[columns.symbol];
      if (field === undefined) return this.#placement.unplaced(line, 'no symbol field');
      // An empty symbol is passed on: ingest sets the row aside as `symbol-empty`.
      symbol = field.trim();
    }

    const row = [symbol];
    for (const index of columns.values) row.push(fields[index] ?? '');
    // A row with more or fewer fields than its header is written with as many more or fewer than the minute
    // object's header, so that ingest sets it aside as `field-count` too rather than take what lined up.
    const surplus = fields.length - columns.fieldCount;
    for (let i = 0; i < surplus; i++) row.push('');
    if (surplus < 0) row.length = Math.max(1, ROW_FIELDS + surplus);
    this.#placement.place(minute, symbol, csvLine(row));
  }

  /** A record whose quoting is malformed has no fields to read a minute from. */
  addMalformed(text: string, line: number): void {
    if (this.#columns === undefined) return this.#takeHeader(text.split(','));
    this.#placement.unplaced(line, 'malformed quoting: its fields cannot be read');
  }

  /** U+FFFD in a value is passed on as it is: ingest sets the row aside as `encoding`. */
  replacementSeen(): void {}

  /** @throws ObjectRejectedError when the file had no header, as ingest would reject it */
  finish(): void {
    if (this.#columns === undefined) throw new ObjectRejectedError('no header line: the object is empty');
  }

  #takeHeader(fields: readonly string[]): void {
    const header = mapHeader(fields);
    if (!header.ok) {
      throw new ObjectRejectedError(`missing required columns: ${header.missing.join(', ')}`, header.missing);
    }
    this.#columns = header.columns;
    if (header.columns.symbol < 0) this.#nameSymbol = symbolFromObjectName(this.#path);
  }
}
