/** The header line of an object, mapped to the columns the contract needs (docs/contract.md §1). */

const TIMESTAMP_NAMES = ['timestamp', 'timestamp_utc', 'datetime', 'date_time', 'date', 'time'];
const SYMBOL_NAMES = ['symbol', 'ticker', 'tradingsymbol', 'stock', 'company'];
export const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;
export const VALUE_COLUMNS = [...PRICE_COLUMNS, 'volume'] as const;
export type ValueColumn = (typeof VALUE_COLUMNS)[number];

export interface ColumnMap {
  /** Number of fields every data row must have. */
  fieldCount: number;
  timestamp: number;
  /** Indexes of open, high, low, close, volume, in that order. */
  values: [number, number, number, number, number];
  /** Index of the symbol column, or -1 when the symbol comes from the object name. */
  symbol: number;
}

export type HeaderResult = { ok: true; columns: ColumnMap } | { ok: false; missing: string[] };

/** Maps a header row; names are matched trimmed and case-insensitively, the first present name wins. */
export function mapHeader(fields: readonly string[]): HeaderResult {
  const names = fields.map((field) => field.trim().toLowerCase());
  const find = (candidates: readonly string[]): number => {
    for (const candidate of candidates) {
      const index = names.indexOf(candidate);
      if (index >= 0) return index;
    }
    return -1;
  };
  const timestamp = find(TIMESTAMP_NAMES);
  const values = VALUE_COLUMNS.map((name) => names.indexOf(name));
  const missing = [
    ...(timestamp < 0 ? [`timestamp (one of ${TIMESTAMP_NAMES.join(', ')})`] : []),
    ...VALUE_COLUMNS.filter((_, i) => values[i]! < 0),
  ];
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    columns: {
      fieldCount: fields.length,
      timestamp,
      values: values as ColumnMap['values'],
      symbol: find(SYMBOL_NAMES),
    },
  };
}

/**
 * The symbol of rows in an object without a symbol column: the base name up to its first `__`
 * (`BAJAJ_AUTO__EQ__NSE__NSE__MINUTE.csv` gives `BAJAJ_AUTO`), otherwise the base name without
 * `.csv`, `.csv.gz` or `.gz`.
 */
export function symbolFromObjectName(objectName: string): string {
  const base = objectName.slice(objectName.lastIndexOf('/') + 1);
  const cut = base.indexOf('__');
  if (cut >= 0) return base.slice(0, cut);
  return base.replace(/(\.csv\.gz|\.csv|\.gz)$/i, '');
}
