/**
 * An independent recount of a generated file, straight from its text, with deliberately simple code:
 * the manifest's figures must agree with it.
 */

export type Line =
  { kind: 'blank' } | { kind: 'bad'; reason: string } | { kind: 'row'; minute: number; values: number[] };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\+05:30$/;
const DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function minuteOf(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const back = new Date(ms);
  if (
    back.getUTCMonth() !== month! - 1 ||
    back.getUTCDate() !== day! ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59
  ) {
    return undefined;
  }
  return ms / 60_000 - 330;
}

export function classify(line: string): Line {
  if (line === '') return { kind: 'blank' };
  const fields = line.split(',');
  if (fields.length !== 6) return { kind: 'bad', reason: 'field-count' };
  const minute = minuteOf(fields[0]!);
  if (minute === undefined) return { kind: 'bad', reason: 'timestamp' };
  const texts = fields.slice(1);
  if (!texts.every((text) => DECIMAL.test(text))) return { kind: 'bad', reason: 'number' };
  const values = texts.map(Number);
  if (values.slice(0, 4).some((price) => price <= 0)) return { kind: 'bad', reason: 'price-not-positive' };
  if (values[4]! < 0) return { kind: 'bad', reason: 'volume-negative' };
  return { kind: 'row', minute, values };
}

export interface Recount {
  dataRows: number;
  accepted: number;
  bad: Record<string, number>;
  duplicates: number;
  conflicting: number;
  outOfOrder: number;
  gaps: { count: number; missingMinutes: number; largest: number };
  firstMinute: string | null;
  lastMinute: string | null;
  /** Accepted rows by minute, with their line numbers. */
  rows: Map<number, { line: number; values: number[] }>;
}

const iso = (minute: number): string => new Date(minute * 60_000).toISOString().replace('.000Z', 'Z');

/** `lines` are the file's lines without the header (so line number = index + 2). */
export function recount(lines: string[]): Recount {
  const result: Recount = {
    dataRows: 0,
    accepted: 0,
    bad: {},
    duplicates: 0,
    conflicting: 0,
    outOfOrder: 0,
    gaps: { count: 0, missingMinutes: 0, largest: 0 },
    firstMinute: null,
    lastMinute: null,
    rows: new Map(),
  };
  let latest = -Infinity;
  lines.forEach((text, index) => {
    const line = classify(text);
    if (line.kind === 'blank') return;
    result.dataRows++;
    if (line.kind === 'bad') {
      result.bad[line.reason] = (result.bad[line.reason] ?? 0) + 1;
      return;
    }
    const kept = result.rows.get(line.minute);
    if (kept) {
      result.duplicates++;
      if (kept.values.join() !== line.values.join()) result.conflicting++;
      return;
    }
    result.rows.set(line.minute, { line: index + 2, values: line.values });
    result.accepted++;
    if (line.minute < latest) result.outOfOrder++;
    latest = Math.max(latest, line.minute);
  });
  const minutes = [...result.rows.keys()].sort((a, b) => a - b);
  for (let i = 1; i < minutes.length; i++) {
    const before = minutes[i - 1]!;
    const after = minutes[i]!;
    const sameDate = Math.floor((before + 330) / 1440) === Math.floor((after + 330) / 1440);
    if (sameDate && after - before > 1) {
      result.gaps.count++;
      result.gaps.missingMinutes += after - before - 1;
      result.gaps.largest = Math.max(result.gaps.largest, after - before - 1);
    }
  }
  if (minutes.length > 0) {
    result.firstMinute = iso(minutes[0]!);
    result.lastMinute = iso(minutes[minutes.length - 1]!);
  }
  return result;
}

/** A file's text as lines: the header first, without the empty string after the final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
