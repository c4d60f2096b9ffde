/**
 * What a symbol may be (contract §1 "Symbol"): the one place that decides it, for the reader of objects.
 *
 * A symbol names documents in the pipeline (`symbol-state/{symbol}`, `alerts/{symbol}@{minute}`, ...) and is the
 * prefix of their id-range queries, so it must never hold the `@` that ends it, nor a form Firestore refuses as a
 * document id (`__name__`, `.`, `..`, more than 1,500 bytes); `/` and `%` would be escaped in ids and be read
 * back otherwise than written. Whitespace and control characters are never part of a real ticker and only hide
 * mistakes. What is left is what real tickers use: letters and digits of any script (with their combining
 * marks) and a little punctuation (`M&M`, `BAJAJ-AUTO`, `BRK.B`, `^NSEI`, `EURUSD=X`, `ES1!`, `BTC-PERP`).
 */

/** The most characters (Unicode code points) a symbol may have: the longest real tickers (F&O contracts such
 * as `BANKNIFTY24JAN48000CE`) have about 20, and 32 keeps every id built from one short. */
export const MAX_SYMBOL_CHARACTERS = 32;

/** The punctuation a symbol may hold besides letters, marks and digits. */
export const SYMBOL_PUNCTUATION = '.-_&^=+!#$:~';

const ALLOWED = /^[\p{L}\p{M}\p{Nd}.\-_&^=+!#$:~]+$/u;
/** Firestore reserves ids of this form; `.` and `..` are path segments. */
const RESERVED = /^(__.*__|\.|\.\.)$/su;

/**
 * Why `symbol` (already trimmed, not empty) is not a symbol, or undefined when it is one.
 */
export function symbolProblem(symbol: string): string | undefined {
  let characters = 0;
  for (const _ of symbol) if (++characters > MAX_SYMBOL_CHARACTERS) break;
  if (characters > MAX_SYMBOL_CHARACTERS) return `longer than ${MAX_SYMBOL_CHARACTERS} characters`;
  if (RESERVED.test(symbol)) return 'a form reserved for document ids (__name__, . or ..)';
  if (!ALLOWED.test(symbol)) {
    return `holds a character other than letters, digits and ${SYMBOL_PUNCTUATION.split('').join(' ')}`;
  }
  return undefined;
}

/** The detail of a row set aside for its symbol: the symbol, cut short when long, and what is wrong. */
export function symbolDetail(symbol: string, problem: string): string {
  const shown = [...symbol];
  const text = shown.length > 40 ? `${shown.slice(0, 40).join('')}… (${shown.length} characters)` : symbol;
  return `symbol '${text}' ${problem}`;
}
