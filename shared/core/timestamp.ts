/**
 * Timestamps as the contract (docs/contract.md §1) reads them, reduced to the bar's minute: whole minutes
 * since the Unix epoch (UTC).
 *
 * `YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]`, optionally followed by `Z`, `±HH:MM` or `±HHMM`. Without an offset
 * the wall time is read in the exchange time zone.
 */

const MS_PER_MINUTE = 60_000;
export const MINUTES_PER_DAY = 1440;

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * What {@link twoDigits} gives for characters that are not two digits: out of range for every field, and large
 * enough that no date key made with it (see parseMinute) equals the key of a valid date.
 */
const NOT_DIGITS = 10_000;

/**
 * The two-digit number at `at`, or NOT_DIGITS: whole-number arithmetic throughout, which keeps the per-row
 * parse on the fast integer path.
 */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : NOT_DIGITS;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Offsets of one IANA time zone. Asking Intl is slow, so offsets are cached by UTC day: a day whose start and
 * end share an offset has it throughout (zones change offset at most twice a year); a day with a change is
 * cached by hour, as every zone changes on a whole hour.
 */
export class ZoneOffsets {
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  /** Offset by UTC day, or NaN for a day with a change. */
  readonly #byDay = new Map<number, number>();
  readonly #byHour = new Map<number, number>();
  #lastDay = Number.NaN;
  #lastDayOffset = Number.NaN;
  /** A UTC day with no change on it nor on the days either side: a wall time there has one reading. */
  #quietDay = Number.NaN;

  /** @throws RangeError when the zone is not a known IANA time zone */
  constructor(zone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    this.zone = this.#format.resolvedOptions().timeZone;
  }

  /** The zone's offset from UTC, in minutes, at a UTC minute. */
  offsetAt(utcMinute: number): number {
    const day = Math.floor(utcMinute / MINUTES_PER_DAY);
    if (day !== this.#lastDay) {
      let offset = this.#byDay.get(day);
      if (offset === undefined) {
        const start = this.#compute(day * MINUTES_PER_DAY);
        offset = start === this.#compute((day + 1) * MINUTES_PER_DAY) ? start : Number.NaN;
        this.#byDay.set(day, offset);
      }
      this.#lastDay = day;
      this.#lastDayOffset = offset;
    }
    if (!Number.isNaN(this.#lastDayOffset)) return this.#lastDayOffset;
    const hour = Math.floor(utcMinute / 60);
    let offset = this.#byHour.get(hour);
    if (offset === undefined) {
      offset = this.#compute(hour * 60);
      this.#byHour.set(hour, offset);
    }
    return offset;
  }

  #compute(utcMinute: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.#format.formatToParts(utcMinute * MS_PER_MINUTE)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const localMinute =
      daysFromCivil(parts.year!, parts.month!, parts.day!) * MINUTES_PER_DAY +
      parts.hour! * 60 +
      parts.minute!;
    return localMinute - utcMinute;
  }

  /**
   * The UTC minute of a wall-clock minute in this zone, or NaN for a wall time the zone's clocks skip (the gap
   * of a daylight-saving change: no such time is shown in the zone). A wall time the clocks show twice is its
   * first occurrence. Two passes settle every minute away from a change; near one, both readings are checked.
   */
  toUtc(localMinute: number): number {
    const utc = localMinute - this.offsetAt(localMinute - this.offsetAt(localMinute));
    const day = Math.floor(utc / MINUTES_PER_DAY);
    if (day === this.#quietDay) return utc;
    // The offsets a day either side: equal, with no change on the three days, leaves a single reading.
    const offset = this.offsetAt(utc);
    const before = this.offsetAt(utc - MINUTES_PER_DAY);
    const after = this.offsetAt(utc + MINUTES_PER_DAY);
    if (before === after && offset === before) {
      const byDay = this.#byDay;
      if (byDay.get(day - 1) === offset && byDay.get(day) === offset && byDay.get(day + 1) === offset)
        this.#quietDay = day;
      return utc;
    }
    // Near a change: the wall time read with the offset before it and with the one after it; a reading is
    // valid when the zone's clocks show that wall time at that instant.
    let first = Number.NaN;
    for (const reading of [localMinute - before, localMinute - after]) {
      if (reading + this.offsetAt(reading) === localMinute && !(reading >= first)) first = reading;
    }
    return first;
  }

  /** The zone's local calendar day (days since 1970-01-01) of a UTC minute. */
  localDay(utcMinute: number): number {
    return Math.floor((utcMinute + this.offsetAt(utcMinute)) / MINUTES_PER_DAY);
  }
}

/** The last date parsed, as year × 10^4 + month × 100 + day, and its day number. */
let lastDateKey = Number.NaN;
let lastDateDays = 0;

/**
 * Parses a timestamp to its minute (floored), or NaN when it does not parse.
 * Hand-written rather than a regular expression because it runs once per row.
 */
export function parseMinute(raw: string, zone: ZoneOffsets): number {
  return parseMinuteIn(raw, 0, raw.length, zone);
}

/**
 * {@link parseMinute} of `text[from, to)`: the reader parses a row's timestamp where it lies in the line, without
 * a string of it. Positions below are from the timestamp's first character (`s`), and never reach past its end.
 */
export function parseMinuteIn(text: string, from: number, to: number, zone: ZoneOffsets): number {
  let s = from;
  let end = to;
  while (s < end && text.charCodeAt(s) <= 32) s++;
  while (end > s && text.charCodeAt(end - 1) <= 32) end--;
  const length = end - s;
  if (length < 16) return Number.NaN;

  const century = twoDigits(text, s);
  const yearOfCentury = twoDigits(text, s + 2);
  const month = twoDigits(text, s + 5);
  const day = twoDigits(text, s + 8);
  const year = century * 100 + yearOfCentury;
  // Rows of one file share their date: its day number is reused while the date repeats.
  const dateKey = year * 10_000 + month * 100 + day;
  let days: number;
  if (dateKey === lastDateKey && text.charCodeAt(s + 4) === 45 && text.charCodeAt(s + 7) === 45)
    days = lastDateDays;
  else {
    if (
      text.charCodeAt(s + 4) !== 45 ||
      text.charCodeAt(s + 7) !== 45 ||
      century > 99 ||
      yearOfCentury > 99 ||
      !(month >= 1 && month <= 12) ||
      !(day >= 1 && day <= daysInMonth(year, month))
    ) {
      return Number.NaN;
    }
    days = daysFromCivil(year, month, day);
    lastDateKey = dateKey;
    lastDateDays = days;
  }
  const separator = text.charCodeAt(s + 10);
  const hour = twoDigits(text, s + 11);
  const minute = twoDigits(text, s + 14);
  if (
    (separator !== 32 && separator !== 84) ||
    text.charCodeAt(s + 13) !== 58 ||
    !(hour <= 23) ||
    !(minute <= 59)
  ) {
    return Number.NaN;
  }

  let i = s + 16;
  if (i < end && text.charCodeAt(i) === 58) {
    // Seconds: two digits, both before the end.
    if (i + 3 > end) return Number.NaN;
    const second = twoDigits(text, i + 1);
    if (!(second <= 59)) return Number.NaN;
    i += 3;
    if (i < end && text.charCodeAt(i) === 46) {
      i++;
      const fractionStart = i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (i === fractionStart) return Number.NaN;
    }
  }

  const wallMinute = days * MINUTES_PER_DAY + hour * 60 + minute;
  if (i === end) return zone.toUtc(wallMinute);

  const code = text.charCodeAt(i);
  if ((code === 90 || code === 122) && i + 1 === end) return wallMinute;
  if (code !== 43 && code !== 45) return Number.NaN;
  const offsetHours = twoDigits(text, i + 1);
  let offsetMinutes: number;
  if (i + 6 === end && text.charCodeAt(i + 3) === 58) offsetMinutes = twoDigits(text, i + 4);
  else if (i + 5 === end) offsetMinutes = twoDigits(text, i + 3);
  else return Number.NaN;
  if (!(offsetHours <= 23) || !(offsetMinutes <= 59)) return Number.NaN;
  const offset = offsetHours * 60 + offsetMinutes;
  return code === 43 ? wallMinute - offset : wallMinute + offset;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let formattedDay = Number.NaN;
let formattedDayPrefix = '';

/** ISO 8601 UTC text of a minute, as alerts carry it: `2017-01-02T03:45:00Z`. */
export function formatMinute(minute: number): string {
  // Called for every alert; bars come in minute order, so the date part is nearly always the last one's.
  const day = Math.floor(minute / MINUTES_PER_DAY);
  if (day !== formattedDay) {
    formattedDay = day;
    formattedDayPrefix = new Date(day * MINUTES_PER_DAY * MS_PER_MINUTE).toISOString().slice(0, 11);
  }
  const ofDay = minute - day * MINUTES_PER_DAY;
  return `${formattedDayPrefix}${TWO_DIGITS[Math.floor(ofDay / 60)]}:${TWO_DIGITS[ofDay % 60]}:00Z`;
}
