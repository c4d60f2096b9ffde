/**
 * Which bars an episode's figures hold (contract §5, §6): its alerts and the bars between them, never the bars
 * after its latest alert that no later alert joined, whether the episode is handed on once done (the batch CLI's
 * way) or kept (the pipeline's). Hand-made: alerts at minutes 0, 2 and 4 (gap 5), quiet bars up to 10, then an alert
 * at 20 that starts the next episode.
 */
import { describe, expect, it } from 'vitest';
import { SymbolScoring, type EpisodeFigures } from '../../../../shared/core/suspicion/symbolScoring.js';

const BASE = 27_000_000;
const GAP = 5;
/** [minute from BASE, episode start from BASE or null: no rule fired] */
const BARS: Array<[number, number | null]> = [
  [0, 0],
  [1, null],
  [2, 0],
  [3, null],
  [4, 0],
  [5, null],
  [6, null],
  [7, null],
  [8, null],
  [9, null],
  [10, null],
  [20, 20],
  [21, null],
];

function feed(scoring: SymbolScoring): void {
  for (const [minute, start] of BARS) {
    scoring.bar(BASE + minute, 100 + minute / 10, 1000 + minute, 1000, start === null ? null : BASE + start);
  }
}

const market = { add: () => {} };
/** An episode's bounds and bars, in minutes from BASE. */
const shape = (figures: EpisodeFigures) => ({
  start: figures.start - BASE,
  end: figures.end - BASE,
  minutes: figures.bars.map((bar) => bar.minute - BASE),
  alerts: figures.bars.map((bar) => bar.alert),
});

describe("an episode's bars", () => {
  it('are its alerts and the bars between them, handed on once done', () => {
    const done: unknown[] = [];
    const scoring = new SymbolScoring('S', market, GAP, (figures) => done.push(shape(figures)));
    feed(scoring);
    // The first is done at minute 10, more than the gap after its latest alert; the second only at the end.
    expect(done).toEqual([
      { start: 0, end: 4, minutes: [0, 1, 2, 3, 4], alerts: [true, false, true, false, true] },
    ]);
    scoring.finish();
    expect(done[1]).toEqual({ start: 20, end: 20, minutes: [20], alerts: [true] });
  });

  it('are the same kept as objects, the open one as it stands', () => {
    const scoring = new SymbolScoring('S', market, GAP);
    feed(scoring);
    expect(scoring.episodes().map(shape)).toEqual([
      { start: 0, end: 4, minutes: [0, 1, 2, 3, 4], alerts: [true, false, true, false, true] },
      // Minute 21 is pending: no alert came after it.
      { start: 20, end: 20, minutes: [20], alerts: [true] },
    ]);
  });
});
