/** The replay's schedule on a fake clock: due times, the gap rule, slow uploads, `--speed max`. */
import { describe, expect, it } from 'vitest';
import {
  dueMs,
  intervalMs,
  MAX_SPEED,
  parseSpeed,
  runOnSchedule,
  type Clock,
  type UploadTiming,
} from '../../../../cli/replay/schedule.js';

/** A clock that moves only when the schedule sleeps or an upload takes time. */
function fakeClock(): Clock & { advance(ms: number): void; sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}

/** Runs uploads taking the given times; returns each upload's timing and the run's result. */
async function run(speed: number, took: number[]) {
  const clock = fakeClock();
  const timings: UploadTiming[] = [];
  const result = await runOnSchedule(
    took.length,
    speed,
    clock,
    async (index) => clock.advance(took[index]!),
    (timing) => timings.push(timing),
  );
  return { timings, result, sleeps: clock.sleeps };
}

describe('parseSpeed', () => {
  it.each([
    ['60', 60],
    ['2', 2],
    ['0.5', 0.5],
    ['.25', 0.25],
    [' 600 ', 600],
    ['max', MAX_SPEED],
    ['MAX', MAX_SPEED],
  ])('reads %j as %d', (text, speed) => expect(parseSpeed(text)).toBe(speed));

  it.each(['0', '0.0', '-1', '', 'fast', '1e3', '0x10', 'Infinity', '1/2'])('refuses %j', (text) =>
    expect(parseSpeed(text)).toBeUndefined(),
  );
});

describe('the schedule', () => {
  it('is a market minute divided by the speed between objects', () => {
    expect(intervalMs(60)).toBe(1000);
    expect(intervalMs(2)).toBe(30_000);
    expect(intervalMs(600)).toBe(100);
    expect(intervalMs(0.5)).toBe(120_000);
    expect(intervalMs(MAX_SPEED)).toBe(0);
    expect([0, 1, 2, 3].map((k) => dueMs(k, 60))).toEqual([0, 1000, 2000, 3000]);
    expect([0, 1, 2].map((k) => dueMs(k, 2))).toEqual([0, 30_000, 60_000]);
  });

  it('uploads object k at start + k × 60 s / N: speed 60 and speed 2', async () => {
    const at60 = await run(60, [10, 10, 10, 10]);
    expect(at60.timings.map((t) => t.started)).toEqual([0, 1000, 2000, 3000]);
    expect(at60.sleeps).toEqual([990, 990, 990]);
    expect(at60.result).toEqual({ behind: 0, elapsed: 3010 });
    const at2 = await run(2, [5, 5, 5]);
    expect(at2.timings.map((t) => t.started)).toEqual([0, 30_000, 60_000]);
    expect(at2.timings.map((t) => t.behind)).toEqual([0, 0, 0]);
  });

  it('says when an upload leaves the replay behind, and catches up without shifting later objects', async () => {
    // Speed 60: the first upload takes 2.5 s, so the second (due at 1 s) and third (due at 2 s) go at once;
    // the fourth is on time again at 3 s.
    const { timings, result } = await run(60, [2500, 100, 100, 100]);
    expect(timings).toEqual([
      { index: 0, due: 0, started: 0, took: 2500, behind: 1500 },
      { index: 1, due: 1000, started: 2500, took: 100, behind: 600 },
      { index: 2, due: 2000, started: 2600, took: 100, behind: 0 },
      { index: 3, due: 3000, started: 3000, took: 100, behind: 0 },
    ]);
    expect(result.behind).toBe(2);
  });

  it('at --speed max uploads one after the other without waiting, and is never behind', async () => {
    const { timings, sleeps, result } = await run(MAX_SPEED, [30, 40, 50]);
    expect(timings.map((t) => t.started)).toEqual([0, 30, 70]);
    expect(sleeps).toEqual([]);
    expect(result).toEqual({ behind: 0, elapsed: 120 });
  });
});
