/**
 * The NSE trading calendar as the real data set shows it: weekdays only (exchange holidays are not modelled),
 * one continuous session 09:15–15:29 IST, one bar per minute, timestamps printed with the +05:30 offset.
 */

export const SESSION_MINUTES = 375;
/** 09:15 IST as minutes after local midnight. */
const SESSION_OPEN_LOCAL = 9 * 60 + 15;
/** IST is UTC+05:30 all year (India has no daylight saving time). */
export const IST_OFFSET_MINUTES = 330;
const MINUTES_PER_DAY = 1440;

/** A trading day: its local date text and the UTC minute (since the epoch) of its 09:15 bar. */
export interface TradingDay {
  date: string;
  openMinute: number;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:00+05:30` for each of the 375 session minutes, computed once. */
const TIME_TEXTS: readonly string[] = Array.from({ length: SESSION_MINUTES }, (_, index) => {
  const local = SESSION_OPEN_LOCAL + index;
  return `${pad2(Math.floor(local / 60))}:${pad2(local % 60)}:00+05:30`;
});

/** The timestamp text of a session minute: `2017-01-02 09:15:00+05:30`. */
export function timestampText(day: TradingDay, sessionIndex: number): string {
  return `${day.date} ${TIME_TEXTS[sessionIndex]}`;
}

/** A minute (UTC, since the epoch) as ISO 8601 without milliseconds: `2017-01-02T03:45:00Z`. */
export function isoMinute(minute: number): string {
  return `${new Date(minute * 60_000).toISOString().slice(0, 19)}Z`;
}

/** The exchange-local (IST) calendar day of a UTC minute, as whole days since the epoch. */
export function localDayOf(minute: number): number {
  return Math.floor((minute + IST_OFFSET_MINUTES) / MINUTES_PER_DAY);
}

/**
 * Parses a strict `YYYY-MM-DD` and returns it as days since the epoch.
 * @throws RangeError when the text is not a real calendar date
 */
export function parseDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${text}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`not a calendar date: ${text}`);
  }
  return ms / 86_400_000;
}

/** The first `count` weekdays on or after `start` (YYYY-MM-DD). */
export function tradingDays(start: string, count: number): TradingDay[] {
  const days: TradingDay[] = [];
  for (let epochDay = parseDate(start); days.length < count; epochDay++) {
    const weekday = new Date(epochDay * 86_400_000).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    days.push({
      date: new Date(epochDay * 86_400_000).toISOString().slice(0, 10),
      openMinute: epochDay * MINUTES_PER_DAY + SESSION_OPEN_LOCAL - IST_OFFSET_MINUTES,
    });
  }
  return days;
}
