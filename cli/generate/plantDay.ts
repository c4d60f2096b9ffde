/**
 * Plants one day's faults into one file's rows: gaps (minutes removed), bad rows (replacing a good row, whose
 * minute then goes missing, or inserted beside one), shuffled blocks (consecutive rows moved earlier or later),
 * duplicates (copies of valid rows inserted later, exact or with a different close or volume) and blank lines.
 *
 * It only decides what the lines are; expectedReport.ts derives the reader's figures from the result.
 */
import { BAD_REASONS, badRow, type BadReason } from './badRows.js';
import { timestampText, type TradingDay } from './calendar.js';
import type { FaultCounts } from './faultPlan.js';
import type { Bar } from './marketModel.js';
import type { Random } from './random.js';
import { rowText } from './rowText.js';

/** Share of bad rows that replace a good row (the rest are inserted beside one). */
export const REPLACED_SHARE = 0.5;
const LONGEST_GAP = 30;
const LONGEST_BLOCK = 12;
const FARTHEST_MOVE = 40;
const FARTHEST_DUPLICATE = 200;

/** One line of the file body. */
export interface LineEntry {
  kind: 'row' | 'bad' | 'blank';
  text: string;
  /** The row's UTC minute (a bad row: the minute of the good row it was made from); NaN for a blank line. */
  minute: number;
  /** The values of a row; undefined for bad and blank lines. */
  bar: Bar | undefined;
  reason: BadReason | undefined;
  /** 1-based line number in the file (the header is line 1), set when the day is written. */
  line: number;
  isCopy: boolean;
  /** Already used by a bad-row fault. */
  touched: boolean;
  /** The shuffled block this row was moved with (0 = none). */
  block: number;
}

export type PendingItem =
  | { kind: 'bad-row'; entry: LineEntry; reason: BadReason; mode: 'replaced' | 'inserted'; detail: string }
  | { kind: 'duplicate'; entry: LineEntry; original: LineEntry; conflicting: boolean }
  | { kind: 'shuffled-block'; first: LineEntry; last: LineEntry; rows: number; displacement: number }
  | { kind: 'gap'; firstMinute: number; minutes: number }
  | { kind: 'blank-line'; entry: LineEntry };

export interface PlantedDay {
  entries: LineEntry[];
  items: PendingItem[];
}

function lineEntry(kind: LineEntry['kind'], text: string, minute: number, bar?: Bar): LineEntry {
  return { kind, text, minute, bar, reason: undefined, line: 0, isCopy: false, touched: false, block: 0 };
}

/** A random index whose entry satisfies `fits` (a few random tries, then a scan from a random start); -1 if none. */
function pickIndex(length: number, fits: (index: number) => boolean, random: Random): number {
  if (length <= 0) return -1;
  for (let attempt = 0; attempt < 32; attempt++) {
    const index = random.int(0, length - 1);
    if (fits(index)) return index;
  }
  const start = random.int(0, length - 1);
  for (let step = 0; step < length; step++) {
    const index = (start + step) % length;
    if (fits(index)) return index;
  }
  return -1;
}

/** Inserting at `at` would put a line inside a moved block, hiding it from the block's line range. */
function splitsBlock(entries: readonly LineEntry[], at: number): boolean {
  const before = entries[at - 1];
  const after = entries[at];
  return before !== undefined && after !== undefined && before.block !== 0 && before.block === after.block;
}

/** Removes runs of minutes strictly inside the day's bars, never touching or joining another removed run. */
function removeGaps(
  day: TradingDay,
  bars: readonly Bar[],
  count: number,
  random: Random,
  items: PendingItem[],
): Bar[] {
  const present = bars.map(() => true);
  for (let n = 0; n < count; n++) {
    const minutes = Math.min(1 + Math.floor(random.next() ** 2 * LONGEST_GAP), bars.length - 2);
    if (minutes < 1) break;
    const start = pickIndex(
      bars.length - minutes - 1,
      (index) => index >= 1 && present.slice(index - 1, index + minutes + 1).every(Boolean),
      random,
    );
    if (start < 0) continue;
    present.fill(false, start, start + minutes);
    const firstBar = bars[start] as Bar;
    items.push({ kind: 'gap', firstMinute: day.openMinute + firstBar.index, minutes });
  }
  return bars.filter((_, index) => present[index]);
}

function plantBadRow(
  day: TradingDay,
  entries: LineEntry[],
  reason: BadReason,
  random: Random,
  items: PendingItem[],
) {
  const at = pickIndex(
    entries.length,
    (index) => entries[index]?.kind === 'row' && !entries[index]?.touched,
    random,
  );
  const source = entries[at];
  if (source?.bar === undefined) return;
  const { text, detail } = badRow(reason, timestampText(day, source.bar.index), source.bar, random);
  source.touched = true;
  if (random.chance(REPLACED_SHARE)) {
    source.kind = 'bad';
    source.text = text;
    source.reason = reason;
    source.bar = undefined;
    items.push({ kind: 'bad-row', entry: source, reason, mode: 'replaced', detail });
  } else {
    const entry = { ...lineEntry('bad', text, source.minute), reason, touched: true };
    entries.splice(at + (random.chance(0.5) ? 1 : 0), 0, entry);
    items.push({ kind: 'bad-row', entry, reason, mode: 'inserted', detail });
  }
}

function moveBlock(entries: LineEntry[], block: number, random: Random, items: PendingItem[]): void {
  const rows = random.int(2, LONGEST_BLOCK);
  if (entries.length < rows + 2) return;
  const start = pickIndex(
    entries.length - rows + 1,
    (index) => entries.slice(index, index + rows).every((entry) => entry.block === 0),
    random,
  );
  if (start < 0) return;
  const moved = entries.splice(start, rows);
  let to = -1;
  for (let attempt = 0; attempt < 16 && to < 0; attempt++) {
    const target = Math.min(
      Math.max(start + random.sign() * random.int(1, FARTHEST_MOVE), 0),
      entries.length,
    );
    if (target !== start && !splitsBlock(entries, target)) to = target;
  }
  if (to < 0) {
    entries.splice(start, 0, ...moved);
    return;
  }
  for (const entry of moved) entry.block = block;
  entries.splice(to, 0, ...moved);
  items.push({
    kind: 'shuffled-block',
    first: moved[0] as LineEntry,
    last: moved[rows - 1] as LineEntry,
    rows,
    displacement: to - start,
  });
}

/** A valid row for the same minute with a different close (within low–high) or a larger volume. */
function conflictingBar(bar: Bar, random: Random): Bar {
  if (bar.high > bar.low && random.chance(0.5)) {
    let close = bar.close;
    while (close === bar.close) close = random.int(bar.low, bar.high);
    return { ...bar, close };
  }
  return { ...bar, volume: bar.volume + random.int(1, Math.max(1, Math.round(bar.volume * 0.3))) };
}

function plantDuplicate(
  day: TradingDay,
  entries: LineEntry[],
  conflicting: boolean,
  random: Random,
  items: PendingItem[],
): void {
  const at = pickIndex(
    entries.length,
    (index) => entries[index]?.kind === 'row' && !entries[index]?.isCopy,
    random,
  );
  const original = entries[at];
  if (original?.bar === undefined) return;
  const bar = conflicting ? conflictingBar(original.bar, random) : original.bar;
  const entry = {
    ...lineEntry('row', rowText(timestampText(day, bar.index), bar), original.minute, bar),
    isCopy: true,
  };
  const last = Math.min(entries.length, at + FARTHEST_DUPLICATE);
  let to = random.int(at + 1, last);
  while (splitsBlock(entries, to) && to < entries.length) to++;
  entries.splice(to, 0, entry);
  items.push({ kind: 'duplicate', entry, original, conflicting });
}

export function plantDay(
  day: TradingDay,
  bars: readonly Bar[],
  counts: FaultCounts,
  random: Random,
): PlantedDay {
  const items: PendingItem[] = [];
  const entries = removeGaps(day, bars, counts.gap, random, items).map((bar) =>
    lineEntry('row', rowText(timestampText(day, bar.index), bar), day.openMinute + bar.index, bar),
  );
  for (const reason of BAD_REASONS) {
    for (let n = 0; n < counts[reason]; n++) plantBadRow(day, entries, reason, random, items);
  }
  for (let block = 1; block <= counts['shuffled-block']; block++) moveBlock(entries, block, random, items);
  for (let n = 0; n < counts['exact-duplicate']; n++) plantDuplicate(day, entries, false, random, items);
  for (let n = 0; n < counts['conflicting-duplicate']; n++) plantDuplicate(day, entries, true, random, items);
  for (let n = 0; n < counts['blank-line']; n++) {
    let to = random.int(0, entries.length);
    while (splitsBlock(entries, to) && to < entries.length) to++;
    const entry = lineEntry('blank', '', Number.NaN);
    entries.splice(to, 0, entry);
    items.push({ kind: 'blank-line', entry });
  }
  return { entries, items };
}
