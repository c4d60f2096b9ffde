/**
 * Contract §6 `volume`: its detail gives the usual volume an analyst compares with, written as people read large
 * counts. The symbol trades 1,234,567 a minute on its earlier dates and the day judged, and 9,876,543 at 04:31.
 */
import { describe, expect, it } from 'vitest';
import {
  barsCsv,
  DAY,
  detailOf,
  EARLIER_DATES,
  scoredEpisodes,
  session,
} from '../../../helpers/scoreBars.js';

describe("the volume factor's detail (contract §6)", () => {
  it('writes the usual volume with its thousands set apart', async () => {
    const csv = barsCsv([
      ...EARLIER_DATES.flatMap((date) => session(date, { volume: 1234567 })),
      ...session(DAY, { volume: 1234567, changes: { '04:31': ['100.1', 9876543] } }),
    ]);
    const episodes = await scoredEpisodes([['BIG.csv', csv]]);
    expect(episodes.map((episode) => episode.start)).toEqual([`${DAY}T04:31:00Z`]);
    // Every minute of 04:30–04:44 on its earlier dates traded 1,234,567: that is its usual U, and the floor is 5% of
    // it, f = 61,728.35. The bar traded (9,876,543 + f) / (U + f) = 9,938,271.35 / 1,296,295.35 = 7.667 times it.
    expect(detailOf(episodes[0]!, 'volume')).toMatch(
      /^7\.7× its usual 1,234,567 at that time of day over 1 min /,
    );
  });
});
