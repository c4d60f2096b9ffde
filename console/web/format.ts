/**
 * Numbers and times as the console shows them, and the sentences made of them (what a late bar did). Times are
 * always shown in the exchange's time zone (the server's `timeZone`), never the browser's, with the zone named,
 * because an analyst compares them with the exchange's own records. No DOM here: pure functions, unit-tested.
 */
import type { AlertMark, EpisodeWithdrawal } from '../api/contract.js';

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `timeZone` at the instant `ms` (milliseconds since the epoch). */
export function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/**
 * How far `timeZone` is ahead of UTC at the instant `ms`, in seconds (Asia/Kolkata: 19800). The chart has no
 * time-zone support, so its times are UTC shifted by this.
 */
export function zoneOffsetSeconds(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 1000);
}

/** The instant at which `timeZone`'s clock reads the given wall-clock time (the earlier one in a repeat). */
export function zonedToUtcMs(wall: WallClock, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  let guess = asUtc - zoneOffsetSeconds(asUtc, timeZone) * 1000;
  // A second pass settles a guess that crossed an offset change.
  guess = asUtc - zoneOffsetSeconds(guess, timeZone) * 1000;
  return guess;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function toMs(time: string | number | Date): number {
  if (typeof time === 'number') return time;
  if (time instanceof Date) return time.getTime();
  return Date.parse(time);
}

/** `2017-01-02 10:36` in the zone (seconds only when not zero). */
export function formatDateTime(time: string | number | Date, timeZone: string): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return String(time);
  const w = wallClock(ms, timeZone);
  const seconds = w.second === 0 ? '' : `:${pad(w.second)}`;
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}${seconds}`;
}

/** `10:36` in the zone. */
export function formatTime(time: string | number | Date, timeZone: string): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return String(time);
  const w = wallClock(ms, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}${w.second === 0 ? '' : `:${pad(w.second)}`}`;
}

/** `2017-01-02` in the zone. */
export function formatDate(time: string | number | Date, timeZone: string): string {
  const ms = toMs(time);
  if (Number.isNaN(ms)) return String(time);
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** A range on one day as `2017-01-02 10:36–10:52`, across days in full on both sides. */
export function formatRange(start: string, end: string, timeZone: string): string {
  if (formatDate(start, timeZone) === formatDate(end, timeZone)) {
    return `${formatDateTime(start, timeZone)}–${formatTime(end, timeZone)}`;
  }
  return `${formatDateTime(start, timeZone)} – ${formatDateTime(end, timeZone)}`;
}

/** The zone as people read it next to a time: `Asia/Kolkata (UTC+05:30)`. */
export function zoneLabel(timeZone: string, at: number = Date.now()): string {
  const offset = zoneOffsetSeconds(at, timeZone);
  const sign = offset < 0 ? '−' : '+';
  const abs = Math.abs(offset);
  return `${timeZone} (UTC${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))})`;
}

/** Whether `timeZone` is one this browser knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
    numberFormats.set(key, format);
  }
  return format;
}

/**
 * How long something has waited, in the two largest units that matter: `42 s`, `5 min`, `3 h 20 min`,
 * `8 d 4 h`. A negative span (clocks a little apart) reads `0 s`. The CLI's is shared/core/age.ts, which the
 * front end may not import: the two must read alike.
 */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat(0, 0).format(n);
}

/** A price with at least two decimals and at most four: `123.15`, `0.0525`. */
export function formatPrice(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat(2, 4).format(n);
}

/** A plain number with up to `digits` decimals. */
export function formatNumber(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined ? '—' : numberFormat(0, digits).format(n);
}

/** A signed percentage from a value already in percent: `-0.525%`, `+1.200%`. */
export function formatSignedPct(pct: number | null | undefined, digits = 3): string {
  if (pct === null || pct === undefined) return '—';
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '';
  return `${sign}${numberFormat(digits, digits).format(Math.abs(pct))}%`;
}

/** A severity as a number with three decimals, or `—` when it has none. */
export function formatSeverity(severity: number | null | undefined): string {
  return severity === null || severity === undefined ? '—' : numberFormat(3, 3).format(severity);
}

/** A ratio as `2.00×`. */
export function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${numberFormat(2, 2).format(ratio)}×`;
}

/** What a late bar did to an alert (contract §2), as the alert page says it; the time in the zone. */
export function alertMarkText(mark: AlertMark, timeZone: string): string {
  const at = formatDateTime(mark.at, timeZone);
  switch (mark.kind) {
    case 'late':
      return `Raised late at ${at}: a late bar from ${mark.object}, detected in its place after later minutes, made this minute fire.`;
    case 'revised':
      return `Revised at ${at}: a late bar from ${mark.object} changed this minute's figures; those below are the revised ones.`;
    case 'withdrawn':
      return `Withdrawn at ${at}: a late bar from ${mark.object} means this minute no longer fires; figures below are as they were.`;
  }
}

/**
 * The start of what the episode page says of a withdrawn episode (contract §5); the page follows it with the
 * link to the episode it merged into, or says it is no longer an episode.
 */
export function episodeWithdrawalText(withdrawal: EpisodeWithdrawal, timeZone: string): string {
  return `Withdrawn at ${formatDateTime(withdrawal.at, timeZone)}: a late bar from ${withdrawal.object} regrouped its alerts`;
}
