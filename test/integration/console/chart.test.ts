/**
 * An alert's chart: the bars and the window mean equal a hand computation; the score's context is its episode's
 * as seeded.
 */
import { describe, expect, it } from 'vitest';
import { alertId } from '../../../shared/pipeline/documentIds.js';
import { get, seededConsole } from './consoleUnderTest.js';
import { HAND_MINUTE, HAND_VOLUMES, HAND_ALERT, hand, scoreFields } from './seeds.js';

seededConsole();

describe('the console server on the real emulator: the chart', () => {
  it("draws an alert's chart: the day's bars, the previous close, the window mean by hand", async () => {
    const id = alertId(HAND_ALERT);
    const { status, body } = await get(`/api/alerts/${encodeURIComponent(id)}/chart`);
    expect(status).toBe(200);
    const t = HAND_MINUTE * 60;
    expect(body.bars.map((bar: { time: number }) => bar.time)).toEqual(
      HAND_VOLUMES.map(([offset]) => t + offset * 60),
    );
    expect(body.bars.at(-1)).toEqual({ time: t, open: 100, high: 102, low: 99, close: 100, volume: 16 });
    // The window [05:56 − 10, 05:05]: 10 + 0 + 7 + 17 + 26 + 12 + 7 + 0 + 1 = 80 over 9 bars.
    expect(body.window.from).toBe(t - 600);
    expect(body.window.to).toBe(t - 60);
    expect(body.window.mean).toBeCloseTo(80 / 9, 12);
    expect(body.window.limit).toBeCloseTo((80 / 9) * 1.02, 12);
    // No A1: the previous bar's close (05:05, 100 − 0.1).
    expect(body.prevClose).toBeCloseTo(99.9, 12);
    expect(body.prevTime).toBe(t - 60);
    expect(body.thresholds).toEqual({ a1: 0.005, a2: 0.02, windowMinutes: 10 });
    expect(body.timeZone).toBe('Asia/Kolkata');
    expect(body.sessionAlerts).toEqual([
      { id, timestamp: HAND_ALERT.timestamp, rules: ['A2'], severity: hand.alerts[0]!.data.severity },
    ]);
    expect(body.alert.id).toBe(id);
    // HAND's episode is scored: one minute, a usual volume of 10 and a market move of 0.1% (seeds.ts).
    expect(scoreFields.get(hand.episodes[0]!.id)?.scoreContext.minutes).toEqual([HAND_MINUTE]);
    expect(body.scoreContext).toEqual([{ time: t, usualVolume: 10, marketMovePct: 0.1 }]);
    expect(body.alert.score).toBe(scoreFields.get(hand.episodes[0]!.id)?.score);
  });
});
