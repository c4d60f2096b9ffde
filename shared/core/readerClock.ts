/**
 * The present as the reader of an object knows it, to set aside bars from the future (contract §1, `future`).
 * The core never reads a clock: the edge (the `detect` command, the ingest function) passes its time in, so that
 * what the core decides is a function of its inputs and tests fix the time.
 *
 * Why it matters: a symbol's state moves to its latest processed minute, and every later bar of the symbol at or
 * before that minute is late (contract §2). One bar dated 2099 would make every real bar after it late, and
 * never detected.
 */
import { formatMinute } from './timestamp.js';

export interface ReaderClock {
  /** The reader's time when it reads the object, in minutes since the epoch (rounded down). */
  nowMinute: number;
  /** How many minutes past `nowMinute` a bar's minute may lie (FUTURE_SKEW_MINUTES). */
  futureSkewMinutes: number;
}

/** The clock at `nowMs` (milliseconds since the epoch, as Date.now() gives it). */
export function readerClock(nowMs: number, futureSkewMinutes: number): ReaderClock {
  return { nowMinute: Math.floor(nowMs / 60_000), futureSkewMinutes };
}

/** The latest minute a bar may have; a later one is from the future. */
export function latestMinute(clock: ReaderClock): number {
  return clock.nowMinute + clock.futureSkewMinutes;
}

/** The detail of a bar set aside as `future`: its minute and the limit it passed. */
export function futureDetail(minute: number, clock: ReaderClock): string {
  return (
    `minute ${formatMinute(minute)} is after ${formatMinute(latestMinute(clock))}, ` +
    `the reader's clock plus ${clock.futureSkewMinutes} minutes (FUTURE_SKEW_MINUTES)`
  );
}
