/**
 * Decimal numbers as the contract (docs/contract.md §1) reads them: `[+-]digits[.digits][e±digits]`,
 * compared exactly.
 *
 * The hot path keeps a decimal as an integer mantissa and a scale (value = mantissa × 10^-scale) in plain
 * numbers, which is exact while the mantissa is a safe integer and the scale is within ±22 (the powers of ten
 * a double holds exactly). Anything larger keeps its text and is handled with BigInt on the rare slow path.
 */

/** Scale marking a decimal that did not fit the fast representation; its text is kept instead. */
export const OVERFLOW_SCALE = -128;

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * The result of the last {@link scanDecimal} call: the mantissa and scale, or for a decimal that overflowed the
 * fast form, OVERFLOW_SCALE and its nearest double (read either way with {@link scannedValue}). A module-level
 * record, not a returned object, because the reader scans five numbers per row and an allocation per number
 * costs a measurable share of the throughput; the double is not made unless asked for, for the same reason.
 */
export const scanned = { mantissa: 0, scale: 0, overflowValue: 0 };

/** The last scanned decimal as a double (correctly rounded). */
export function scannedValue(): number {
  return scanned.scale === OVERFLOW_SCALE ? scanned.overflowValue : valueOf(scanned.mantissa, scanned.scale);
}

/** The sign of the last scanned decimal: negative, zero (either sign) or positive, as the number is. */
export function scannedSign(): number {
  return scanned.scale === OVERFLOW_SCALE ? scanned.overflowValue : scanned.mantissa;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13;
}

/**
 * Scans `text` as a decimal (surrounding spaces, tabs and a stray CR are ignored) into {@link scanned}.
 * @returns false when the text is not a finite decimal number.
 */
export function scanDecimal(text: string): boolean {
  return scanDecimalIn(text, 0, text.length);
}

/**
 * {@link scanDecimal} of `text[from, to)`: the reader scans a row's fields where they lie in the line, without
 * a string of each.
 */
export function scanDecimalIn(text: string, from: number, to: number): boolean {
  // The common form first, `digits[.digits]` and nothing else, in one pass.
  return scanPlainDecimal(text, from, to) === to || scanGeneral(text, from, to);
}

/**
 * Reads the common form of a decimal, `digits[.digits]` in the fast form (a safe-integer mantissa, at most 22
 * places), from `from` on and not past `to`, into {@link scanned}: where the text goes on after it (a row's comma),
 * the reader learns where the field ends as it reads it.
 * @returns where it stopped (the first character after the form); -1 where the text there is not that form
 */
export function scanPlainDecimal(text: string, from: number, to: number): number {
  let mantissa = 0;
  let point = -1;
  let i = from;
  for (; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) mantissa = mantissa * 10 + (code - 48);
    else if (code === 46 && point < 0 && i > from) point = i;
    else break;
  }
  if (i === from || point === i - 1 || mantissa > Number.MAX_SAFE_INTEGER) return -1;
  const scale = point < 0 ? 0 : i - point - 1;
  if (scale > 22) return -1;
  scanned.mantissa = mantissa;
  scanned.scale = scale;
  return i;
}

/** Every other form: signs, surrounding spaces, exponents, and decimals beyond the fast form. */
function scanGeneral(text: string, from: number, to: number): boolean {
  let start = from;
  let end = to;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  let i = start;
  let negative = false;
  // Never past `end`: the text may go on with the row's next field.
  let code = i < end ? text.charCodeAt(i) : Number.NaN;
  if (code === 43 || code === 45) {
    negative = code === 45;
    i++;
  }
  let mantissa = 0;
  let intDigits = 0;
  while (i < end && (code = text.charCodeAt(i)) >= 48 && code <= 57) {
    mantissa = mantissa * 10 + (code - 48);
    intDigits++;
    i++;
  }
  if (intDigits === 0) return false;
  let fractionDigits = 0;
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end && (code = text.charCodeAt(i)) >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      fractionDigits++;
      i++;
    }
    if (fractionDigits === 0) return false;
  }
  let exponent = 0;
  if (i < end && ((code = text.charCodeAt(i)) === 101 || code === 69)) {
    i++;
    let exponentNegative = false;
    code = i < end ? text.charCodeAt(i) : Number.NaN;
    if (code === 43 || code === 45) {
      exponentNegative = code === 45;
      i++;
    }
    let exponentDigits = 0;
    while (i < end && (code = text.charCodeAt(i)) >= 48 && code <= 57) {
      exponent = exponent * 10 + (code - 48);
      exponentDigits++;
      i++;
    }
    if (exponentDigits === 0) return false;
    if (exponentNegative) exponent = -exponent;
  }
  if (i !== end) return false;

  const scale = fractionDigits - exponent;
  if (mantissa <= Number.MAX_SAFE_INTEGER && scale >= -22 && scale <= 22) {
    scanned.mantissa = negative ? -mantissa : mantissa;
    scanned.scale = scale;
    return true;
  }
  const value = Number(text.slice(start, end));
  if (!Number.isFinite(value)) return false;
  scanned.mantissa = Number.NaN;
  scanned.scale = OVERFLOW_SCALE;
  scanned.overflowValue = value;
  return true;
}

/** The double nearest to mantissa × 10^-scale, for a mantissa and scale in the fast form. */
export function valueOf(mantissa: number, scale: number): number {
  // Both operands are exact doubles, so one IEEE division or multiplication rounds correctly.
  return scale >= 0 ? mantissa / POW10[scale]! : mantissa * POW10[-scale]!;
}

/** A decimal held exactly: value = mantissa × 10^-scale (scale may be negative). */
export interface ExactDecimal {
  mantissa: bigint;
  scale: number;
}

/** Parses a decimal exactly; the text must already be known to be valid (see {@link scanDecimal}). */
export function exactFromText(text: string): ExactDecimal {
  const match = /^\s*([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match) throw new RangeError(`not a decimal: '${text}'`);
  const [, sign, integer, fraction = '', exponent = '0'] = match;
  const mantissa = BigInt(`${sign}${integer}${fraction}`);
  return { mantissa, scale: fraction.length - Number(exponent) };
}

/** The exact form of a decimal held as mantissa and scale, or as text when it overflowed. */
export function exactOf(mantissa: number, scale: number, text: string | undefined): ExactDecimal {
  if (scale === OVERFLOW_SCALE) {
    if (text === undefined) throw new RangeError('overflowed decimal without its text');
    return exactFromText(text);
  }
  return { mantissa: BigInt(mantissa), scale };
}

function rescale(value: ExactDecimal, scale: number): bigint {
  return value.mantissa * 10n ** BigInt(scale - value.scale);
}

/** Exact comparison: negative, zero or positive as a < b, a = b, a > b. */
export function compareExact(a: ExactDecimal, b: ExactDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const left = rescale(a, scale);
  const right = rescale(b, scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function multiplyExact(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return { mantissa: a.mantissa * b.mantissa, scale: a.scale + b.scale };
}

export function addExact(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  const scale = Math.max(a.scale, b.scale);
  return { mantissa: rescale(a, scale) + rescale(b, scale), scale };
}

export function subtractExact(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return addExact(a, { mantissa: -b.mantissa, scale: b.scale });
}

export function absExact(a: ExactDecimal): ExactDecimal {
  return a.mantissa < 0n ? { mantissa: -a.mantissa, scale: a.scale } : a;
}

/**
 * Writes a decimal held as mantissa and scale back as text, keeping its scale (`110`, 1 gives `11.0`), so
 * that it reads back to the same mantissa and scale.
 */
export function formatDecimal(mantissa: number, scale: number): string {
  if (scale <= 0) return scale === 0 ? String(mantissa) : `${mantissa}e${-scale}`;
  const negative = mantissa < 0 || Object.is(mantissa, -0);
  const digits = String(Math.abs(mantissa)).padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}
