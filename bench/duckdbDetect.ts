/**
 * The rules A1 and A2 (docs/contract.md §2) as SQL in DuckDB, the benchmark's reference: the same CSV files,
 * exact decimals, per symbol, state carried across the files in the order given. bench/detect.ts times it
 * beside `detect` and checks that both raise the same alerts (symbol, minute, rules).
 *
 * What SQL keeps of the contract's §1, for files in the benchmark's layout (one file per symbol named
 * `<SYMBOL>__...`, header `timestamp,open,high,low,close,volume`, no quoting):
 * - a row whose field count is not the header's is skipped by read_csv (`ignore_errors`), as the contract
 *   sets it aside;
 * - the timestamp must match `YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]` with an optional `Z`, `±HH:MM` or `±HHMM`
 *   and be a real date and time; one without an offset is read at +05:30, which is Asia/Kolkata's (the
 *   default zone's) offset at every date since 1945, so this holds for the default zone only;
 * - open, high, low, close and volume must match `[+-]digits[.digits][e±digits]` (spaces around ignored),
 *   prices > 0 and volume ≥ 0; they are read as DECIMAL(18, 4), exact for values with at most four decimal
 *   places (the data's have at most two) and below 10^14;
 * - of two valid rows of one symbol and minute in one file the first in file order is kept; a bar whose minute
 *   is not after every minute of its symbol in the files before is late and not detected;
 * - the symbol is the file name up to its first `__` (or without `.csv`); no symbol column, no gzip, no
 *   quoted fields, no byte-order mark, no U+FFFD check (the data set has none of these).
 * The comparisons are those of §2 without a division: |close − p| > 0.005 × p and volume × n > 1.02 × Σ volume,
 * in DECIMAL arithmetic; n and Σ over a RANGE window of [m − 10 min, m − 1 min].
 */
import { DuckDBInstance } from '@duckdb/node-api';

export interface SqlAlert {
  symbol: string;
  /** The bar's minute, ISO 8601 UTC (`2017-01-02T03:45:00Z`). */
  timestamp: string;
  rules: string;
}

export interface SqlRun {
  seconds: number;
}

const sqlText = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const NUMBER = String.raw`^\s*[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*$`;
const TIMESTAMP = String.raw`^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2})(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|z|[+-][0-9]{2}:?[0-9]{2})?\s*$`;

/** The query: every alert, by symbol then minute, with the rules' figures. */
export function detectSql(files: readonly string[]): string {
  const list = `[${files.map(sqlText).join(', ')}]`;
  const value = (column: string) => `CAST(trim(${column}) AS DECIMAL(18, 4))`;
  const valid = (column: string) => `regexp_full_match(${column}, '${NUMBER}')`;
  return `
WITH raw AS (
  SELECT row_number() OVER () AS seq, *
  FROM read_csv(${list}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
    columns = {'timestamp': 'VARCHAR', 'open': 'VARCHAR', 'high': 'VARCHAR', 'low': 'VARCHAR',
               'close': 'VARCHAR', 'volume': 'VARCHAR'},
    filename = true, ignore_errors = true)
),
parts AS (
  SELECT seq, filename, open, high, low, close, volume,
    regexp_extract(timestamp, '${TIMESTAMP}', ['day', 'hm', 'seconds', 'fraction', 'offset']) AS t
  FROM raw
  WHERE ${['open', 'high', 'low', 'close', 'volume'].map((c) => `${c} IS NOT NULL AND ${valid(c)}`).join(' AND ')}
),
typed AS (
  SELECT seq, list_position(${list}, filename) AS file,
    coalesce(nullif(regexp_extract(parse_filename(filename), '^(.*?)__', 1), ''),
             regexp_replace(parse_filename(filename), '\\.csv$', '')) AS symbol,
    try_cast(t.day || ' ' || t.hm || coalesce(nullif(t.seconds, ''), ':00') AS TIMESTAMP) AS wall,
    CASE WHEN t.offset = '' THEN 330
         WHEN upper(t.offset) = 'Z' THEN 0
         ELSE (CASE WHEN t.offset[1] = '-' THEN -1 ELSE 1 END) *
              (CAST(t.offset[2:3] AS INTEGER) * 60 + CAST(right(t.offset, 2) AS INTEGER)) END AS offset_minutes,
    ${value('open')} AS open, ${value('high')} AS high, ${value('low')} AS low,
    ${value('close')} AS close, ${value('volume')} AS volume
  FROM parts
  WHERE t.day <> ''
),
bars AS (
  SELECT seq, file, symbol, date_trunc('minute', wall) - to_minutes(offset_minutes) AS minute,
    open, high, low, close, volume
  FROM typed
  WHERE wall IS NOT NULL AND open > 0 AND high > 0 AND low > 0 AND close > 0 AND volume >= 0
),
firsts AS (
  SELECT * FROM bars
  QUALIFY row_number() OVER (PARTITION BY symbol, file, minute ORDER BY seq) = 1
),
processed AS (
  SELECT * FROM firsts
  QUALIFY minute > coalesce(max(minute) OVER (PARTITION BY symbol ORDER BY file
                              RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), TIMESTAMP '-infinity')
),
figures AS (
  SELECT symbol, minute, open, high, low, close, volume,
    lag(close) OVER by_minute AS prev_close,
    lag(minute) OVER by_minute AS prev_minute,
    count(*) OVER recent AS window_bars,
    sum(volume) OVER recent AS window_volume
  FROM processed
  WINDOW by_minute AS (PARTITION BY symbol ORDER BY minute),
         recent AS (PARTITION BY symbol ORDER BY minute
                    RANGE BETWEEN INTERVAL 10 MINUTE PRECEDING AND INTERVAL 1 MINUTE PRECEDING)
),
fired AS (
  SELECT *,
    prev_close IS NOT NULL AND abs(close - prev_close) > 0.005 * prev_close AS a1,
    window_bars > 0 AND volume * window_bars > 1.02 * window_volume AS a2
  FROM figures
)
SELECT symbol, strftime(minute, '%Y-%m-%dT%H:%M:00Z') AS timestamp,
  CASE WHEN a1 AND a2 THEN 'A1 A2' WHEN a1 THEN 'A1' ELSE 'A2' END AS rules,
  open, high, low, close, volume,
  CASE WHEN a1 THEN prev_close END AS prev_close,
  CASE WHEN a1 THEN strftime(prev_minute, '%Y-%m-%dT%H:%M:00Z') END AS prev_timestamp,
  CASE WHEN a1 THEN round(CAST((close - prev_close) / prev_close * 100 AS DOUBLE), 6) END AS change_pct,
  CASE WHEN a2 THEN round(CAST(window_volume / window_bars AS DOUBLE), 6) END AS avg_volume,
  CASE WHEN a2 THEN window_bars END AS window_bars,
  CASE WHEN a2 AND window_volume > 0
       THEN round(CAST(volume * window_bars / window_volume AS DOUBLE), 6) END AS volume_ratio
FROM fired
WHERE a1 OR a2
ORDER BY symbol, minute`;
}

/**
 * Runs the query over `files` with DuckDB's default threads (every core) and writes the alerts as CSV to
 * `alertsPath`, timed from opening the database to the file written.
 * @param memoryLimit DuckDB's `memory_limit` (`6GB`), past which it spills to `tempDirectory`; its default is
 *   80% of the machine's memory, which the seed's 42M bars come close to using on a shared machine
 */
export async function runDuckdb(
  files: readonly string[],
  alertsPath: string,
  limits: { memoryLimit?: string; tempDirectory?: string } = {},
): Promise<SqlRun> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  if (limits.memoryLimit !== undefined)
    await connection.run(`SET memory_limit = ${sqlText(limits.memoryLimit)}`);
  if (limits.tempDirectory !== undefined) {
    await connection.run(`SET temp_directory = ${sqlText(limits.tempDirectory)}`);
  }
  await connection.run(`COPY (${detectSql(files)}) TO ${sqlText(alertsPath)} (HEADER, DELIMITER ',')`);
  const seconds = (performance.now() - started) / 1000;
  connection.closeSync();
  instance.closeSync();
  return { seconds };
}

/** The (symbol, minute, rules) of alerts written by {@link runDuckdb}. */
export function sqlAlerts(csv: string): SqlAlert[] {
  const lines = csv.split('\n').filter((line) => line !== '');
  return lines.slice(1).map((line) => {
    const [symbol = '', timestamp = '', rules = ''] = line.split(',');
    return { symbol, timestamp, rules };
  });
}

/** The same three of `detect --format jsonl`'s lines. */
export function jsonAlerts(jsonl: string): SqlAlert[] {
  return jsonl
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const alert = JSON.parse(line) as { symbol: string; timestamp: string; rules: string[] };
      return { symbol: alert.symbol, timestamp: alert.timestamp, rules: alert.rules.join(' ') };
    });
}
