/**
 * Turns the parsed rows of one object into its accepted bars, grouped by symbol in ascending minute order,
 * with the quality report and the rows set aside (contract §1). Pure and synchronous: the reader
 * (shared/objects/readObject.ts, its records from csvRecords.ts) feeds it one row at a time.
 */
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME, type ChunkPool } from './barTable.js';
import { csvLine } from './csvText.js';
import { OVERFLOW_SCALE, scanDecimalIn, scanned, scannedSign, scanPlainDecimal } from './decimal.js';
import { mapHeader, symbolFromObjectName, VALUE_COLUMNS, type ColumnMap } from './header.js';
import { tooManyRows, tooManySetAside, tooManySymbols, type IngestLimits } from './ingestLimits.js';
import { MinuteSet } from './minuteSet.js';
import {
  emptyReport,
  ObjectRejectedError,
  type BadReason,
  type QualityReport,
  type SetAsideRow,
} from './report.js';
import { futureDetail, latestMinute, type ReaderClock } from './readerClock.js';
import { sortByMinute } from './sortByMinute.js';
import { symbolDetail, symbolProblem } from './symbolGrammar.js';
import { formatMinute, parseMinute, parseMinuteIn, ZoneOffsets } from './timestamp.js';

/** The accepted bars of one symbol: rows of the table in ascending minute order, no two in one minute. */
export interface SymbolRun {
  symbol: string;
  rows: Uint32Array;
}

export interface ObjectBars {
  report: QualityReport;
  table: BarTable;
  /** One run per symbol, in order of first appearance. */
  runs: SymbolRun[];
  setAside: SetAsideRow[];
}

interface PendingDuplicate {
  symbolId: number;
  minute: number;
  values: number[];
}

const COLUMN_ORDER = [OPEN, HIGH, LOW, CLOSE, VOLUME];

/**
 * What became of a data row: taken, or why it was set aside (for a value, plus the value's column, 0-4).
 * Numbers rather than objects, so that the per-row work allocates nothing.
 */
const TAKEN = 0;
const FIELD_COUNT = 1;
const SYMBOL_EMPTY = 2;
const NO_SYMBOL = 3;
const TIMESTAMP = 4;
const DUPLICATE = 5;
const SYMBOL = 6;
const FUTURE = 7;
const NOT_A_NUMBER = 10;
const OUT_OF_RANGE = 20;
/** Plus the index in ENCODING_COLUMNS of the field that holds U+FFFD. */
const ENCODING = 30;
const ENCODING_COLUMNS = ['symbol', 'timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
/** What StringDecoder makes of bytes that are not UTF-8. */
const REPLACEMENT_CODE = 0xfffd;
const COMMA = 44;

/** What a field is to the plain reading of a line ({@link ObjectIntake}'s #plainRoles): a value is its index, 0-4. */
const TIMESTAMP_FIELD = -1;
const OTHER_FIELD = -2;

/** The five values of the row being taken, as scanned, until all five are known to be good. */
const scannedMantissas = new Float64Array(5);
const scannedScales = new Int16Array(5);

/**
 * Where the fields of the row being taken lie in its text: field i is text[starts[i], starts[i + 1] - 1), the
 * comma between them left out. Reused from row to row (grown for a wider header).
 */
let fieldStarts = new Int32Array(16);

function fieldStartsFor(fieldCount: number): Int32Array {
  if (fieldStarts.length <= fieldCount) fieldStarts = new Int32Array(fieldCount + 1);
  return fieldStarts;
}

/** One symbol's minutes in the object being read. */
class SymbolMinutes {
  /** The minutes already taken by an accepted row. */
  readonly claimed = new MinuteSet();
  /** The latest minute seen. */
  latest = -Infinity;
  /** Whether a row came after a later minute (the symbol's rows need sorting). */
  disordered = false;
}

export class ObjectIntake {
  readonly #objectName: string;
  readonly #zone: ZoneOffsets;
  readonly #maxRows: number;
  readonly #maxSymbols: number;
  readonly #limits: IngestLimits;
  readonly #clock: ReaderClock;
  /** The latest minute a bar may have (contract §1, `future`). */
  readonly #latestMinute: number;
  readonly #table: BarTable;
  readonly #report: QualityReport;
  readonly #setAside: SetAsideRow[] = [];
  #columns: ColumnMap | undefined;
  #nameSymbolId = -1;
  #nameSymbol: string | undefined;
  /** Why the object name's symbol is not one, when the rows take their symbol from it and it is not. */
  #nameSymbolProblem: string | undefined;
  /** Whether the text read so far held U+FFFD: only then are rows checked for it (contract §1, `encoding`). */
  #replacementSeen = false;
  /** Per symbol id: what the reading so far knows of its minutes. */
  readonly #minutes: SymbolMinutes[] = [];
  /**
   * Per field of the header, what {@link #readPlain} reads there (a value's index, TIMESTAMP_FIELD or OTHER_FIELD),
   * when the rows take their symbol from a valid object name; undefined otherwise (a symbol column, whose rows
   * each name theirs, is read the general way).
   */
  #plainRoles: Int8Array | undefined;
  /** The length of the timestamp last read plainly: a file's timestamps are nearly all of one length. */
  #timestampLength = 0;
  readonly #duplicates: PendingDuplicate[] = [];

  /**
   * @param clock the reader's time, which no bar may be later than by more than its skew
   * @param chunks where the table's memory comes from, when the reader recycles it (barTable.ts)
   */
  constructor(
    objectName: string,
    zone: ZoneOffsets,
    limits: IngestLimits,
    clock: ReaderClock,
    chunks?: ChunkPool,
  ) {
    this.#table = new BarTable(chunks);
    this.#objectName = objectName;
    this.#zone = zone;
    this.#limits = limits;
    this.#clock = clock;
    this.#latestMinute = latestMinute(clock);
    this.#maxRows = limits.maxRows;
    this.#maxSymbols = limits.maxSymbols;
    this.#report = emptyReport(objectName);
  }

  /** Told by the reader that the text it decoded held U+FFFD (bytes that are not UTF-8), from here on. */
  replacementSeen(): void {
    this.#replacementSeen = true;
  }

  get hasHeader(): boolean {
    return this.#columns !== undefined;
  }

  /**
   * The symbol every row takes from the object's name: once the header is in, where it has no symbol column and
   * the name gives a valid symbol; undefined otherwise.
   */
  get nameSymbol(): string | undefined {
    return this.#nameSymbol;
  }

  /**
   * Takes the next row of the object (its fields and the line it starts on). The first non-blank row is the
   * header.
   * @throws ObjectRejectedError when the header lacks a required column, or past MAX_ROWS_PER_OBJECT or
   *   MAX_SYMBOLS_PER_OBJECT (checked as rows come, so that reading stops there)
   */
  addRow(fields: readonly string[], line: number): void {
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    const columns = this.#columns;
    if (columns === undefined) {
      this.#takeHeader(fields);
      return;
    }
    if (++this.#report.dataRows > this.#maxRows) throw tooManyRows(this.#limits);
    let outcome = FIELD_COUNT;
    if (fields.length === columns.fieldCount) {
      // The fields side by side, where #take reads them (a quoted field may hold a comma: they are placed by
      // their lengths, not found again).
      const starts = fieldStartsFor(fields.length);
      let at = 0;
      for (let i = 0; i < fields.length; i++) {
        starts[i] = at;
        at += fields[i]!.length + 1;
      }
      starts[fields.length] = at;
      outcome = this.#take(fields.join(','), starts, line, columns);
    }
    // Every way a row is set aside goes through this one call, outside the per-row work: V8 recompiles a
    // function when it first meets a path it never ran, and this one is the reader's largest.
    if (outcome !== TAKEN) this.#setAsideRow(outcome, fields, line, columns);
  }

  /**
   * Takes the next row as the line `text[start, end)` without a double quote (RowSink.addLine): its fields are
   * read where they lie in it, without a string each. A line that is not a data row with the header's number of
   * fields (the header itself, a blank line, a row with too few or too many) goes to {@link addRow} as its
   * fields.
   * @throws as {@link addRow}
   */
  addLine(text: string, start: number, end: number, line: number): void {
    const columns = this.#columns;
    if (columns !== undefined) {
      if (this.#plainRoles !== undefined && !this.#replacementSeen) {
        const minute = this.#readPlain(text, start, end);
        if (!Number.isNaN(minute)) {
          if (++this.#report.dataRows > this.#maxRows) throw tooManyRows(this.#limits);
          if (this.#claim(this.#nameSymbolId, minute, line) < 0)
            this.#setAsideRow(DUPLICATE, text.substring(start, end).split(','), line, columns);
          return;
        }
      }
      const count = columns.fieldCount;
      const starts = fieldStartsFor(count);
      starts[0] = start;
      let fields = 1;
      for (let i = start; i < end && fields <= count; i++) {
        if (text.charCodeAt(i) === COMMA) starts[fields++] = i + 1;
      }
      if (fields === count) {
        starts[count] = end + 1;
        if (++this.#report.dataRows > this.#maxRows) throw tooManyRows(this.#limits);
        const outcome = this.#take(text, starts, line, columns);
        if (outcome !== TAKEN)
          this.#setAsideRow(outcome, text.substring(start, end).split(','), line, columns);
        return;
      }
    }
    this.addRow(text.substring(start, end).split(','), line);
  }

  /**
   * Takes a row whose quoting is malformed (contract §1 "Quoting"): `text` is its first physical line as
   * written, without its line end. It is set aside as `quotes`; as the header, it is split at its commas, quotes
   * and all.
   * @throws as {@link addRow}
   */
  addMalformed(text: string, line: number): void {
    if (this.#columns === undefined) {
      this.#takeHeader(text.split(','));
      return;
    }
    if (++this.#report.dataRows > this.#maxRows) throw tooManyRows(this.#limits);
    this.#setBadText(text, line, 'quotes', 'unbalanced or misplaced double quote');
  }

  /**
   * Takes a row of the header's number of fields, at `starts` in `text` (see {@link fieldStarts}), into the
   * table when it is good; otherwise says why not (see {@link #setAsideRow}).
   */
  #take(text: string, starts: Int32Array, line: number, columns: ColumnMap): number {
    if (this.#replacementSeen) {
      const column = undecodableColumn(text, starts, columns);
      if (column >= 0) return ENCODING + column;
    }
    let symbolId = this.#nameSymbolId;
    if (columns.symbol >= 0) {
      const symbol = text.substring(starts[columns.symbol]!, starts[columns.symbol + 1]! - 1).trim();
      if (symbol === '') return SYMBOL_EMPTY;
      symbolId = this.#table.knownSymbolId(symbol);
      if (symbolId < 0) {
        // Checked once per symbol, when first met: a symbol outside the grammar never gets an id, so it is
        // checked again on each of its rows (all set aside) and does not count towards MAX_SYMBOLS_PER_OBJECT.
        if (symbolProblem(symbol) !== undefined) return SYMBOL;
        symbolId = this.#table.symbolId(symbol);
        // Ids are dense: a new symbol's is the count before it. Any row naming one counts, even one later set
        // aside, as the table keeps every symbol it has been given.
        if (symbolId >= this.#maxSymbols) throw tooManySymbols(this.#limits);
      }
    } else if (symbolId < 0) return this.#nameSymbolProblem === undefined ? NO_SYMBOL : SYMBOL;

    const timestamp = columns.timestamp;
    const minute = parseMinuteIn(text, starts[timestamp]!, starts[timestamp + 1]! - 1, this.#zone);
    if (Number.isNaN(minute)) return TIMESTAMP;
    if (minute > this.#latestMinute) return FUTURE;
    for (let i = 0; i < 5; i++) {
      const column = columns.values[i]!;
      if (!scanDecimalIn(text, starts[column]!, starts[column + 1]! - 1)) return NOT_A_NUMBER + i;
      if (i < 4 ? !(scannedSign() > 0) : scannedSign() < 0) return OUT_OF_RANGE + i;
      scannedMantissas[i] = scanned.mantissa;
      scannedScales[i] = scanned.scale;
    }

    const row = this.#claim(symbolId, minute, line);
    if (row < 0) return DUPLICATE;
    const table = this.#table;
    for (let i = 0; i < 5; i++) {
      if (scannedScales[i] !== OVERFLOW_SCALE) continue;
      const column = columns.values[i]!;
      table.setOverflowText(row, COLUMN_ORDER[i]!, text.substring(starts[column]!, starts[column + 1]! - 1));
    }
    return TAKEN;
  }

  /**
   * Takes a good row whose values are in {@link scannedMantissas} and {@link scannedScales} into the table, unless
   * an earlier row of its symbol took its minute.
   * @returns its row in the table; -1 for a duplicate
   */
  #claim(symbolId: number, minute: number, line: number): number {
    while (this.#minutes.length <= symbolId) this.#minutes.push(new SymbolMinutes());
    const minutes = this.#minutes[symbolId]!;
    if (!minutes.claimed.add(minute)) return -1;
    if (minute < minutes.latest) {
      this.#report.outOfOrder++;
      minutes.disordered = true;
    } else minutes.latest = minute;
    return this.#table.addScannedRow(symbolId, minute, line, scannedMantissas, scannedScales);
  }

  /**
   * Reads the line `text[start, end)` in one pass where it is a good row in the plain form: each value
   * `digits[.digits]` as {@link scanDecimalIn} reads it first, the timestamp any form {@link parseMinuteIn} takes,
   * each field ending at its comma, the header's number of them, not in the future, prices above 0. Its values go to
   * {@link scannedMantissas} and {@link scannedScales}. Anything else is left to {@link #take}, which knows why a row
   * is set aside: the general way finds the commas first and then reads each field, two passes over the line; in
   * one, the seed's files read in about two thirds of the time.
   * @returns the row's minute; NaN, having changed nothing but the scanned values, when it is not such a row
   */
  #readPlain(text: string, start: number, end: number): number {
    const roles = this.#plainRoles!;
    const lastField = roles.length - 1;
    let minute = Number.NaN;
    let at = start;
    for (let field = 0; field <= lastField; field++) {
      const role = roles[field]!;
      let fieldEnd: number;
      if (role >= 0) {
        // scanDecimalIn's common form, the field ending where it does.
        fieldEnd = scanPlainDecimal(text, at, end);
        // A price of 0 is set aside (contract §1): the general way says so.
        if (fieldEnd < 0 || (role < 4 && scanned.mantissa === 0)) return Number.NaN;
        scannedMantissas[role] = scanned.mantissa;
        scannedScales[role] = scanned.scale;
      } else if (role === TIMESTAMP_FIELD) {
        // Where the last one ended, if a comma (or the line's end) is there: a timestamp holds no comma, so a
        // field that parses there is the field. Else up to the comma.
        fieldEnd = at + this.#timestampLength;
        if (!(fieldEnd === end || (fieldEnd < end && text.charCodeAt(fieldEnd) === COMMA))) {
          fieldEnd = at;
          while (fieldEnd < end && text.charCodeAt(fieldEnd) !== COMMA) fieldEnd++;
        }
        minute = parseMinuteIn(text, at, fieldEnd, this.#zone);
        if (!(minute <= this.#latestMinute)) return Number.NaN;
        this.#timestampLength = fieldEnd - at;
      } else {
        fieldEnd = at;
        while (fieldEnd < end && text.charCodeAt(fieldEnd) !== COMMA) fieldEnd++;
      }
      if (field === lastField) return fieldEnd === end ? minute : Number.NaN;
      if (fieldEnd >= end || text.charCodeAt(fieldEnd) !== COMMA) return Number.NaN;
      at = fieldEnd + 1;
    }
    return Number.NaN;
  }

  /** Sets a row aside for the reason {@link #take} gave, with the detail a person needs to mend it. */
  #setAsideRow(outcome: number, fields: readonly string[], line: number, columns: ColumnMap): void {
    if (outcome === DUPLICATE) return this.#setDuplicate(fields, line, columns);
    if (outcome >= ENCODING) {
      const name = ENCODING_COLUMNS[outcome - ENCODING]!;
      return this.#setBad(fields, line, 'encoding', `${name} holds U+FFFD (bytes that are not UTF-8)`);
    }
    if (outcome >= OUT_OF_RANGE) {
      const column = outcome - OUT_OF_RANGE;
      const text = fields[columns.values[column]!]!;
      const reason = column < 4 ? 'price-not-positive' : 'volume-negative';
      return this.#setBad(fields, line, reason, `${VALUE_COLUMNS[column]} is ${text.trim()}`);
    }
    if (outcome >= NOT_A_NUMBER) {
      const column = outcome - NOT_A_NUMBER;
      const text = fields[columns.values[column]!]!;
      return this.#setBad(fields, line, 'number', `${VALUE_COLUMNS[column]} is not a number: '${text}'`);
    }
    switch (outcome) {
      case FIELD_COUNT:
        return this.#setBad(
          fields,
          line,
          'field-count',
          `${fields.length} fields where the header has ${columns.fieldCount}`,
        );
      case SYMBOL_EMPTY:
        return this.#setBad(fields, line, 'symbol-empty', 'empty symbol');
      case NO_SYMBOL:
        return this.#setBad(fields, line, 'symbol-empty', `no symbol in object name '${this.#objectName}'`);
      case SYMBOL:
        return this.#setBadSymbol(fields, line, columns);
      case FUTURE: {
        const minute = parseMinute(fields[columns.timestamp]!, this.#zone);
        return this.#setBad(fields, line, 'future', futureDetail(minute, this.#clock));
      }
      default:
        return this.#setBad(fields, line, 'timestamp', `unreadable timestamp '${fields[columns.timestamp]}'`);
    }
  }

  /** A row whose symbol (its own, or the object name's) is outside the grammar (contract §1 "Symbol"). */
  #setBadSymbol(fields: readonly string[], line: number, columns: ColumnMap): void {
    if (columns.symbol < 0) {
      const symbol = symbolFromObjectName(this.#objectName);
      const detail = `${symbolDetail(symbol, this.#nameSymbolProblem!)} (from the object name)`;
      return this.#setBad(fields, line, 'symbol', detail);
    }
    const symbol = fields[columns.symbol]!.trim();
    this.#setBad(fields, line, 'symbol', symbolDetail(symbol, symbolProblem(symbol)!));
  }

  /** A row whose minute an earlier row of its symbol took; kept aside, and its values for the conflict count. */
  #setDuplicate(fields: readonly string[], line: number, columns: ColumnMap): void {
    const table = this.#table;
    const symbolId =
      columns.symbol >= 0 ? table.symbolId(fields[columns.symbol]!.trim()) : this.#nameSymbolId;
    const minute = parseMinute(fields[columns.timestamp]!, this.#zone);
    this.#duplicates.push({
      symbolId,
      minute,
      values: columns.values.map((index) => Number(fields[index])),
    });
    this.#report.duplicates.count++;
    this.#keepAside();
    this.#setAside.push({
      line,
      reason: 'duplicate',
      detail: `${table.symbols[symbolId]} ${formatMinute(minute)} already seen`,
      raw: csvLine(fields),
    });
  }

  /**
   * Closes the object: groups and sorts the accepted bars by symbol and minute, and completes the report.
   * @throws ObjectRejectedError when the object had no header
   */
  finish(): ObjectBars {
    if (this.#columns === undefined) throw new ObjectRejectedError('no header line: the object is empty');
    const table = this.#table;
    const report = this.#report;
    const runs = groupBySymbol(table);
    // A symbol can be known without any accepted row (the object name's, with no rows or only bad ones; or
    // one read from a row set aside after its symbol was read): it has no minutes, and nothing to sort.
    for (let id = 0; id < runs.length; id++)
      if (this.#minutes[id]?.disordered === true) sortByMinute(table, runs[id]!.rows);
    let first = Infinity;
    let last = -Infinity;
    for (const run of runs) {
      if (run.rows.length === 0) continue;
      first = Math.min(first, table.minute(run.rows[0]!));
      last = Math.max(last, table.minute(run.rows[run.rows.length - 1]!));
      this.#countGaps(run.rows);
    }
    report.accepted = table.length;
    report.symbols = runs.filter((run) => run.rows.length > 0).map((run) => run.symbol);
    report.firstMinute = Number.isFinite(first) ? formatMinute(first) : null;
    report.lastMinute = Number.isFinite(last) ? formatMinute(last) : null;
    report.duplicates.conflicting = this.#countConflicts(runs);
    this.#setAside.sort((a, b) => a.line - b.line);
    return { report, table, runs: runs.filter((run) => run.rows.length > 0), setAside: this.#setAside };
  }

  #takeHeader(fields: readonly string[]): void {
    const header = mapHeader(fields);
    if (!header.ok) {
      throw new ObjectRejectedError(`missing required columns: ${header.missing.join(', ')}`, header.missing);
    }
    this.#columns = header.columns;
    if (header.columns.symbol < 0) {
      const symbol = symbolFromObjectName(this.#objectName);
      if (symbol === '') return;
      // Held to the same grammar as a symbol column's: every row of an object whose name gives no valid
      // symbol is set aside, as for a name that gives none.
      this.#nameSymbolProblem = symbolProblem(symbol);
      if (this.#nameSymbolProblem === undefined) {
        this.#nameSymbolId = this.#table.symbolId(symbol);
        this.#nameSymbol = symbol;
        const roles = new Int8Array(header.columns.fieldCount).fill(OTHER_FIELD);
        roles[header.columns.timestamp] = TIMESTAMP_FIELD;
        header.columns.values.forEach((field, value) => (roles[field] = value));
        this.#plainRoles = roles;
      }
    }
  }

  #setBad(fields: readonly string[], line: number, reason: BadReason, detail: string): void {
    this.#setBadText(csvLine(fields), line, reason, detail);
  }

  #setBadText(raw: string, line: number, reason: BadReason, detail: string): void {
    const bad = this.#report.bad;
    bad.count++;
    bad.byReason[reason] = (bad.byReason[reason] ?? 0) + 1;
    this.#keepAside();
    this.#setAside.push({ line, reason, detail, raw });
  }

  /** Room for one more set-aside row. @throws ObjectRejectedError past MAX_SET_ASIDE_ROWS */
  #keepAside(): void {
    if (this.#setAside.length >= this.#limits.maxSetAside) throw tooManySetAside(this.#limits);
  }

  #countGaps(rows: Uint32Array): void {
    const table = this.#table;
    const gaps = this.#report.gaps;
    for (let i = 1; i < rows.length; i++) {
      const before = table.minute(rows[i - 1]!);
      const after = table.minute(rows[i]!);
      const missing = after - before - 1;
      if (missing > 0 && this.#zone.localDay(before) === this.#zone.localDay(after)) {
        gaps.count++;
        gaps.missingMinutes += missing;
        if (missing > gaps.largest) gaps.largest = missing;
      }
    }
  }

  #countConflicts(runs: SymbolRun[]): number {
    const table = this.#table;
    let conflicting = 0;
    for (const duplicate of this.#duplicates) {
      const rows = runs[duplicate.symbolId]!.rows;
      const kept = rows[lowerBound(rows, duplicate.minute, (row) => table.minute(row))]!;
      if (duplicate.values.some((value, i) => value !== table.value(kept, COLUMN_ORDER[i]!))) conflicting++;
    }
    return conflicting;
  }
}

/** Runs of rows per symbol id (ids are dense, in order of first appearance), in the order they were read. */
function groupBySymbol(table: BarTable): SymbolRun[] {
  const symbols = table.symbols.length;
  if (symbols === 1) {
    // One symbol, the common case of an object per symbol: its rows are all the rows.
    const rows = new Uint32Array(table.length);
    for (let row = 0; row < rows.length; row++) rows[row] = row;
    return [{ symbol: table.symbols[0]!, rows }];
  }
  const counts = new Uint32Array(symbols);
  for (let row = 0; row < table.length; row++) counts[table.symbolOf(row)]!++;
  const runs = table.symbols.map((symbol, id) => ({ symbol, rows: new Uint32Array(counts[id]!) }));
  const filled = new Uint32Array(symbols);
  for (let row = 0; row < table.length; row++) {
    const id = table.symbolOf(row);
    runs[id]!.rows[filled[id]!++] = row;
  }
  return runs;
}

/** The first index whose key is not below `target`. */
function lowerBound(rows: Uint32Array, target: number, key: (row: number) => number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(rows[middle]!) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first field the contract reads that holds U+FFFD, as an index in ENCODING_COLUMNS; -1 when none. */
function undecodableColumn(text: string, starts: Int32Array, columns: ColumnMap): number {
  // Within the field only: the text goes on to the end of the piece read, which indexOf would search each time.
  const holds = (column: number) => {
    for (let i = starts[column]!, end = starts[column + 1]! - 1; i < end; i++) {
      if (text.charCodeAt(i) === REPLACEMENT_CODE) return true;
    }
    return false;
  };
  if (columns.symbol >= 0 && holds(columns.symbol)) return 0;
  if (holds(columns.timestamp)) return 1;
  for (let i = 0; i < 5; i++) if (holds(columns.values[i]!)) return 2 + i;
  return -1;
}
