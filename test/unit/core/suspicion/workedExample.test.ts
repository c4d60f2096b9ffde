/**
 * Contract §6's worked example, through `detect --episodes`: every figure below is worked out by hand in the
 * contract, from the bars alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../cli/api.js';

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** 40 bars closing alternately at 100.1 and 100 on 1,000, then 102 on 5,000 and 100.1 on 3,000. */
function workedExample(): string {
  const minute = (i: number) => new Date(Date.UTC(2017, 0, 2, 3, 45 + i)).toISOString().slice(0, 16);
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 40; i++) {
    const close = i % 2 === 0 ? '100.1' : '100';
    lines.push(`${minute(i)}:00Z,${close},${close},${close},${close},1000`);
  }
  lines.push(`${minute(40)}:00Z,100,102,100,102,5000`, `${minute(41)}:00Z,102,102,100.1,100.1,3000`);
  return `${lines.join('\n')}\n`;
}

describe('the suspicion score (contract §6 worked example)', () => {
  it('scores the spike that reverts 63.3: move 32.9, volume 18.4, shape 12, no market, close or liquidity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'worked-'));
    const file = join(dir, 'WORKED.csv');
    writeFileSync(file, workedExample());
    const out = join(dir, 'episodes.jsonl');
    const code = await main(['detect', '--format', 'jsonl', '--episodes', out, file], {
      stdout: sink(),
      stderr: sink(),
      env: {},
      exitCode: 0,
    });
    expect(code).toBe(0);
    const [episode, ...others] = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(others).toEqual([]);
    expect(episode).toMatchObject({ start: '2017-01-02T04:25:00Z', end: '2017-01-02T04:26:00Z', count: 2 });
    expect(episode.score).toBe(63.3);
    expect(episode.scoreBaseline).toBe('recent');
    const points = Object.fromEntries(
      episode.scoreFactors.map((factor: { factor: string; points: number }) => [
        factor.factor,
        factor.points,
      ]),
    );
    expect(points).toEqual({ move: 32.9, volume: 18.4, market: 0, shape: 12, close: 0, liquidity: 0 });
    expect(episode.scoreAlerts).toEqual([
      { minute: '2017-01-02T04:25:00Z', points: 34 },
      { minute: '2017-01-02T04:26:00Z', points: 29.3 },
    ]);
    // The figures behind the points, as the analyst reads them.
    expect(episode.scoreFactors[0].detail).toBe('+2.0% in 1 min, 13.4σ of its volatility (0.15%/min)');
    expect(episode.scoreFactors[3].detail).toBe('gives back 95% of a +2.0% move');
    expect(episode.scoreFactors[2].detail).toContain('too few other symbols');
  });
});
