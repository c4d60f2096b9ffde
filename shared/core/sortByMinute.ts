/** The sort of a symbol's rows by minute that object intake uses when they were read out of order. */
import type { BarTable } from './barTable.js';

/**
 * Minutes of span per row up to which rows are sorted through a bitmap of the span: its two arrays take a
 * bit and a counter per 32 minutes, no more than the 8 bytes a row the key sort takes. Minute bars in session
 * fill about one minute in five of any span (375 of 1440 minutes, five days in seven).
 */
const BITMAP_SORT_MINUTES_PER_ROW = 32;

/** Sorts a symbol's rows by minute in place; minutes are unique within a symbol once duplicates are out. */
export function sortByMinute(table: BarTable, rows: Uint32Array): void {
  const original = rows.slice();
  const n = original.length;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const minute = table.minute(original[i]!);
    if (minute < first) first = minute;
    if (minute > last) last = minute;
  }
  const range = last - first + 1;
  if (range <= BITMAP_SORT_MINUTES_PER_ROW * n) {
    // Minutes are unique: mark each in a bitmap of the span, and a row's place is the number of marks before
    // its own (the marks of the words before it, counted once, plus those below it in its word).
    const words = Math.ceil(range / 32);
    const marks = new Uint32Array(words);
    for (let i = 0; i < n; i++) {
      const offset = table.minute(original[i]!) - first;
      marks[offset >>> 5] = marks[offset >>> 5]! | (1 << (offset & 31));
    }
    const before = new Uint32Array(words);
    let count = 0;
    for (let word = 0; word < words; word++) {
      before[word] = count;
      count += bitCount(marks[word]!);
    }
    for (let i = 0; i < n; i++) {
      const offset = table.minute(original[i]!) - first;
      const word = offset >>> 5;
      const below = marks[word]! & ((1 << (offset & 31)) - 1);
      rows[before[word]! + bitCount(below)] = original[i]!;
    }
    return;
  }
  if (range * n > Number.MAX_SAFE_INTEGER) {
    rows.set(Array.from(original).sort((a, b) => table.minute(a) - table.minute(b)));
    return;
  }
  // Sort numeric keys that carry the row's position, instead of calling a comparator a million times.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (table.minute(original[i]!) - first) * n + i;
  keys.sort();
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    rows[i] = original[key - Math.floor(key / n) * n]!;
  }
}

/** The number of bits set in a 32-bit word. */
function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
