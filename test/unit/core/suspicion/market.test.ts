/**
 * Contract §6 The market: a symbol's move is judged against the other symbols' mean that minute, when at least
 * five others gave one. Expected figures worked out by hand from the contract (see test/helpers/scoreBars.ts for
 * the quiet session's σ = 0.0014819).
 *
 * Every symbol here has 40 quiet bars from 03:45 (a *recent* baseline: 39 returns of ±0.0009995, σ = 0.0014819;
 * volume 1,000 all along, so U = 1,000, f = 50, s = 0.25 and u = 0: no volume points anywhere, and the market's
 * volume surprise M = 0). At 04:25 a symbol jumps from 100 and at 04:26 it is back at 100: A1 fires on both, one
 * episode of two bars.
 * - +2%: r = ln(1.02) = 0.0198026, raw z = 13.3634 (bar 04:26 the same, down; the two together net 0):
 *   move = 40 × (1 − e^(−10.3634 / 6)) = 32.889 → **32.9**.
 * - A move the market does not explain gives back all of it at once: g = 1, E = |z| of the peak bar, so
 *   revert = 12 × c((E − 3) / 3).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/runCli.js';
import {
  barsCsv,
  detailOf,
  episodeAt,
  pointsOf,
  scoredEpisodes,
  session,
  writeFiles,
} from '../../../helpers/scoreBars.js';

const DATE = '2017-01-02';
/** The points of a +2% jump and its return when the market made the same move: the market takes it all out. */
const WHOLE_MOVE_TAKEN_OUT = { move: 32.9, volume: 0, market: -32.9, shape: 0, close: 0, liquidity: 0 };
/** 40 quiet bars, then 04:25 at `jump` and 04:26 back at `back`. */
const jumpFile = (jump: string, back = '100') =>
  barsCsv(session(DATE, { bars: 40, changes: { '04:25': [jump], '04:26': [back] } }));
/** `count` symbols P1, P2, … whose 04:25 and 04:26 close at `jump` and 100. */
const others = (count: number, jump: string): Array<[string, string]> =>
  Array.from({ length: count }, (_, i) => [`P${i + 1}.csv`, jumpFile(jump)]);

describe('the market factor (contract §6 The market)', () => {
  it('takes the whole move out when six other symbols jump with it: market −32.9, score 0', async () => {
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '102')]);
    // Each symbol's market is the mean of the six others, +2% and −2% like its own (to 1e-8): z with the market
    // out is about 0 on both bars, so the market factor is 0 + 0 − 32.889 − 0 → −32.9; shape: the residual path
    // is ~1e-10 (E ≈ 0): no revert, and a hold of half of 0 points.
    expect(episodes).toHaveLength(7);
    for (const episode of episodes) {
      expect(episode.start).toBe(`${DATE}T04:25:00Z`);
      expect(pointsOf(episode)).toEqual(WHOLE_MOVE_TAKEN_OUT);
      expect(episode.score).toBe(0);
    }
  });

  it('takes out the share the market explains: +2% against a market of +1.5% keeps 3.4', async () => {
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '101.5')]);
    // JUMP: the market is +1.5% at 04:25 (m = ln(1.015) = 0.0148886) and −1.5% at 04:26. With the market out,
    // z = (0.0198026 − 0.0148886) / 0.0014819 = 3.3161 each way: 40 × (1 − e^(−0.3161 / 6)) = 2.053, so
    // market = 2.053 − 32.889 = −30.836 → −30.8. Shape: the residual path peaks at 0.004914 after 1 bar and
    // ends at 0 (g = 1), E = 3.3161: revert = 12 × 1 × (0.3161 / 3) = 1.264 → 1.3. Score 32.9 − 30.8 + 1.3 = 3.4.
    const jump = episodeAt(episodes, 'JUMP', `${DATE}T04:25`);
    expect(pointsOf(jump)).toEqual({
      move: 32.9,
      volume: 0,
      market: -30.8,
      shape: 1.3,
      close: 0,
      liquidity: 0,
    });
    expect(jump.score).toBe(3.4);
    // Each P: raw z = ln(1.015) / σ = 10.0473, move 40 × (1 − e^(−7.0473 / 6)) = 27.642 → 27.6; its market is
    // five +1.5% and one +2%, m = 0.0157076, z = −0.5527 with it out: market −27.6, no shape, score 0.
    for (const symbol of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) {
      const episode = episodeAt(episodes, symbol, `${DATE}T04:25`);
      expect(pointsOf(episode)).toEqual({
        move: 27.6,
        volume: 0,
        market: -27.6,
        shape: 0,
        close: 0,
        liquidity: 0,
      });
      expect(episode.score).toBe(0);
    }
  });

  it('leaves a symbol moving alone against a flat market of six its whole move: market 0, score 44.9', async () => {
    // The six others close at 100 at 04:25 and 04:26 (r = 0): m = 0, so z is the raw z and market = 0.
    // Shape: path +0.0198026 after 1 bar, back to 0 (g = 1), E = 13.363: revert 12. Score 32.9 + 12 = 44.9.
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '100')]);
    expect(episodes.map((episode) => episode.symbol)).toEqual(['JUMP']);
    const [jump] = episodes;
    expect(pointsOf(jump!)).toEqual({ move: 32.9, volume: 0, market: 0, shape: 12, close: 0, liquidity: 0 });
    expect(jump!.score).toBe(44.9);
    expect(detailOf(jump!, 'market')).not.toContain('too few other symbols');
  });

  it('judges a bar that traded nothing against the others as they are: volume 1.0× usual, not NaN', async () => {
    // JUMP's 04:25 bar trades nothing, so it gives that minute no volume surprise (none from a volume of 0): its
    // market that minute is the six others' own, M = ln(1,000 / 1,000) = 0 both minutes, so "volume 1.0× usual";
    // their returns, +2% then −2%, sum to 0 in whole units: "+0.0%". Taking out a part it never gave must leave
    // the others' figures as they are (it once made them NaN).
    const jump = barsCsv(session(DATE, { bars: 40, changes: { '04:25': ['102', 0], '04:26': ['100'] } }));
    const episodes = await scoredEpisodes([['JUMP.csv', jump], ...others(6, '102')]);
    const episode = episodeAt(episodes, 'JUMP', `${DATE}T04:25`);
    expect(detailOf(episode, 'market')).toBe(
      'the market moved +0.0% in the same minutes, volume 1.0× usual (6+ symbols)',
    );
    // As in the first case, the market takes the whole move out (its 0 volume gives no volume points either way).
    expect(pointsOf(episode)).toEqual(WHOLE_MOVE_TAKEN_OUT);
  });

  it('needs five other symbols: with five the market takes the move out, with four there is none', async () => {
    const withFive = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(5, '102')]);
    expect(pointsOf(episodeAt(withFive, 'JUMP', `${DATE}T04:25`)).market).toBe(-32.9);
    expect(episodeAt(withFive, 'JUMP', `${DATE}T04:25`).score).toBe(0);

    // Four others: no market (taken as 0, and said so): the move and the revert stand, 32.9 + 12 = 44.9.
    const withFour = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(4, '102')]);
    expect(withFour).toHaveLength(5);
    for (const episode of withFour) {
      expect(pointsOf(episode)).toEqual({
        move: 32.9,
        volume: 0,
        market: 0,
        shape: 12,
        close: 0,
        liquidity: 0,
      });
      expect(episode.score).toBe(44.9);
      expect(detailOf(episode, 'market')).toContain('too few other symbols');
    }
  });
});

describe("the peers' market (contract §6 The market, peer groups)", () => {
  // A sector moves together: JUMP and its peers P1–P3 jump +2% at 04:25 and come back at 04:26, while six
  // other symbols M1–M6 stay flat (no alerts: only the four have episodes).
  const files: Array<[string, string]> = [
    ['JUMP.csv', jumpFile('102')],
    ...others(3, '102'),
    ...Array.from({ length: 6 }, (_, i): [string, string] => [`M${i + 1}.csv`, jumpFile('100')]),
  ];
  const groupsFile = (text: string) => writeFiles([['peers.txt', text]])[0]!;
  const SECTOR = ['JUMP', 'P1', 'P2', 'P3'];

  it('takes the sector move out for its members when three or more peers traded: market −32.9, score 0', async () => {
    // JUMP's peers are P1–P3 (three others: enough), all +2% and −2% like it: z ≈ 0 with them out, as in the first
    // market case. The same for each P (JUMP and the two other Ps).
    const episodes = await scoredEpisodes(files, ['--peer-groups', groupsFile('tech=JUMP,P1,P2,P3\n')]);
    expect(episodes.map((episode) => episode.symbol)).toEqual(SECTOR);
    for (const episode of episodes) {
      expect(pointsOf(episode)).toEqual(WHOLE_MOVE_TAKEN_OUT);
      expect(episode.score).toBe(0);
      expect(detailOf(episode, 'market')).toMatch(/^its peers \(tech\) moved /);
    }
  });

  it('without a grouping, or with too few peers, judges them against the whole market: score 37.1', async () => {
    // The market of each of the four is the nine others: three at +2%, six flat, m = ln(1.02) / 3 = 0.0066009 at
    // 04:25 (−0.0066009 at 04:26). z = (0.0198026 − 0.0066009) / 0.0014819 = 8.9087 each way:
    // 40 × (1 − e^(−5.9087 / 6)) = 25.059, market = 25.059 − 32.889 = −7.829 → −7.8. Shape: the residual path
    // peaks at 0.0132017 after 1 bar and is back to 0 (g = 1), E = 8.9087: revert 12. Score 32.889 − 7.829 + 12 =
    // 37.06 → 37.1.
    const expected = { move: 32.9, volume: 0, market: -7.8, shape: 12, close: 0, liquidity: 0 };
    // Two others in the group are too few (three needed): the market stands in for the peers.
    for (const options of [[], ['--peer-groups', groupsFile('tech=JUMP,P1,P2\nrest=P3,M1')]]) {
      const episodes = await scoredEpisodes(files, options);
      expect(episodes.map((episode) => episode.symbol)).toEqual(SECTOR);
      for (const episode of episodes) {
        expect(pointsOf(episode)).toEqual(expected);
        expect(episode.score).toBe(37.1);
        expect(detailOf(episode, 'market')).toMatch(/^the market moved /);
      }
    }
  });

  it('refuses a grouping it cannot read, naming the file and the group', async () => {
    const paths = writeFiles(files.slice(0, 1));
    const bad = groupsFile('tech=JUMP,P1\nbanks=P1,P2\n');
    const run = await runCli([
      'detect',
      '--episodes',
      `${paths[0]}.episodes.jsonl`,
      '--peer-groups',
      bad,
      ...paths,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `--peer-groups ${bad}: peer group 2 ('banks=P1,P2'): P1 is already in the group tech`,
    );
  });
});
