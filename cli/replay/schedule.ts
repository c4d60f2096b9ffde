/**
 * When `replay` uploads each minute object. Pure but for the clock, which is injected.
 *
 * The gap rule: consecutive objects are one interval (60 s / speed) apart, whatever the market time between
 * their minutes, so object k (counting from 0, one per minute that has rows) is due at start + k × interval.
 * Within a session that is the market's own pace sped up; a minute in which nothing traded has no object and
 * takes no time, and the night, a weekend or a holiday between two sessions costs one interval like any other
 * step, so a replay never sleeps for hours. Due times are counted from the start rather than from the last
 * upload, so a slow upload delays the ones after it only until the replay has caught up.
 */

/** `--speed max`: every object as soon as the one before it is uploaded. */
export const MAX_SPEED = Number.POSITIVE_INFINITY;

/** The speed `--speed` gives (a positive number, fractions allowed, or `max`); undefined when it is neither. */
export function parseSpeed(text: string): number | undefined {
  if (text.trim().toLowerCase() === 'max') return MAX_SPEED;
  if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text)) return undefined;
  const speed = Number(text);
  return speed > 0 && Number.isFinite(speed) ? speed : undefined;
}

/** Wall-clock milliseconds between consecutive objects: a market minute divided by the speed. */
export function intervalMs(speed: number): number {
  return speed === MAX_SPEED ? 0 : 60_000 / speed;
}

/** When object k is due, in milliseconds after the first. */
export function dueMs(k: number, speed: number): number {
  return k * intervalMs(speed);
}

export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How one upload went against the schedule; times in milliseconds after the start. */
export interface UploadTiming {
  index: number;
  due: number;
  started: number;
  took: number;
  /**
   * How far the replay is behind once this upload is done: past the next object's due time by this much
   * (for the last object, past where a next one would be due). 0 when on time; always 0 at `--speed max`.
   */
  behind: number;
}

/**
 * Runs `count` uploads in order, each at its due time or, when the one before it finished late, at once.
 * One at a time: ingest takes each minute after the one before it only if it receives them in that order.
 * @returns the number of uploads that left the replay behind, and the time the whole run took
 */
export async function runOnSchedule(
  count: number,
  speed: number,
  clock: Clock,
  upload: (index: number) => Promise<void>,
  uploaded: (timing: UploadTiming) => void,
): Promise<{ behind: number; elapsed: number }> {
  const start = clock.now();
  const interval = intervalMs(speed);
  let behind = 0;
  for (let index = 0; index < count; index++) {
    const due = dueMs(index, speed);
    const wait = due - (clock.now() - start);
    if (wait > 0) await clock.sleep(wait);
    const started = clock.now() - start;
    await upload(index);
    const finished = clock.now() - start;
    const late = speed === MAX_SPEED ? 0 : Math.max(0, finished - (due + interval));
    if (late > 0) behind++;
    uploaded({ index, due, started, took: finished - started, behind: late });
  }
  return { behind, elapsed: clock.now() - start };
}
