/**
 * The case report's text: every value escaped for HTML, times read on the exchange's clock (Intl.DateTimeFormat
 * with the zone, never the server's own), numbers as the report prints them. Pure.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text made safe for an HTML element's content or a quoted attribute's value. Every value that reaches the
 * report goes through it: a comment, a symbol or an object name is whatever someone typed or uploaded.
 */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
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
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface ClockReading {
  date: string;
  time: string;
  /** Seconds east of UTC at that instant. */
  offset: number;
}

/** What the exchange's clock reads at `ms`. */
function clockOf(ms: number, timeZone: string): ClockReading {
  const parts: Record<string, string> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const seconds = parts.second === '00' ? '' : `:${parts.second}`;
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return {
    date,
    time: `${parts.hour}:${parts.minute}${seconds}`,
    offset: (wall - Math.floor(ms / 1000) * 1000) / 1000,
  };
}

const instant = (time: string | number): number => (typeof time === 'number' ? time : Date.parse(time));

/** `2017-01-02 10:36` on the exchange's clock (seconds only when not zero); the text itself when not a time. */
export function zonedDateTime(time: string | number, timeZone: string): string {
  const ms = instant(time);
  if (Number.isNaN(ms)) return String(time);
  const { date, time: clock } = clockOf(ms, timeZone);
  return `${date} ${clock}`;
}

/** `10:36` on the exchange's clock. */
export function zonedTime(time: string | number, timeZone: string): string {
  const ms = instant(time);
  return Number.isNaN(ms) ? String(time) : clockOf(ms, timeZone).time;
}

/** `2017-01-02` on the exchange's clock. */
export function zonedDate(time: string | number, timeZone: string): string {
  const ms = instant(time);
  return Number.isNaN(ms) ? String(time) : clockOf(ms, timeZone).date;
}

/** The zone as a reader checks it: `Asia/Kolkata (UTC+05:30)`, the offset of the instant `at`. */
export function zoneName(timeZone: string, at: string | number): string {
  const ms = instant(at);
  const offset = Number.isNaN(ms) ? 0 : clockOf(ms, timeZone).offset;
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  return `${timeZone} (UTC${offset < 0 ? '−' : '+'}${hh}:${mm})`;
}

/** How many minutes the zone's clock is ahead of UTC at `ms` (Asia/Kolkata: 330). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  return Math.round(clockOf(ms, timeZone).offset / 60);
}

/** A figure as stored (prices, volumes): no rounding, so that the report matches the exchange's data. */
export function figure(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : String(value);
}

/** A figure to `digits` decimals (severities, ratios, percentages); a dash when there is none. */
export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** Points with their sign: `+30.5`, `−8.3`, `0.0`. */
export function signedPoints(points: number): string {
  return `${points > 0 ? '+' : points < 0 ? '−' : ''}${Math.abs(points).toFixed(1)}`;
}
