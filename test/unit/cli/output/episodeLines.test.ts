import { describe, expect, it } from 'vitest';
import { addEpisodeJson } from '../../../../cli/output/episodeLines.js';
import { LineBytes } from '../../../../cli/output/lineBytes.js';
import type { MinuteScore } from '../../../../shared/core/suspicion/episodeScore.js';
import type { EpisodeState } from '../../../../shared/core/symbolState.js';

/** A minute's text as the contract writes it (ISO 8601 UTC, to the minute), from the Date built in. */
const textOf = (minute: number) => new Date(minute * 60_000).toISOString().replace(':00.000Z', ':00Z');
const minuteOf = (text: string) => Date.parse(text) / 60_000;

interface Line {
  symbol: string;
  episode: EpisodeState;
  score: MinuteScore;
}

/**
 * The line's definition (contract §6): the episode with its score's fields after it, minutes as text, as JSON
 * writes it.
 */
const asJsonWritesIt = ({ symbol, episode, score }: Line) =>
  JSON.stringify({
    symbol,
    start: textOf(episode.start),
    end: textOf(episode.end),
    count: episode.count,
    a1: episode.a1,
    a2: episode.a2,
    peakSeverity: episode.peakSeverity,
    score: score.score,
    scoreBaseline: score.baseline,
    scoreFactors: score.factors,
    scoreAlerts: score.alerts.map(({ minute, points }) => ({ minute: textOf(minute), points })),
  });

const line: Line = {
  symbol: 'M&M',
  episode: {
    start: minuteOf('2017-01-05T04:31:00Z'),
    end: minuteOf('2017-01-06T00:09:00Z'),
    count: 3,
    a1: 1,
    a2: 2,
    peakSeverity: 2.5,
  },
  score: {
    score: 23.7,
    factors: [
      { factor: 'move', points: 0, detail: '+0.4% in 3 min, 2.3σ of its volatility (0.09%/min)' },
      {
        factor: 'volume',
        points: 27.4,
        detail: '2.0× its usual 70,555 at that time of day over 1 min (1.2σ)',
      },
      {
        factor: 'market',
        points: -0,
        detail: 'its peers (banks "big" \\ small) moved −0.2% in the same minutes',
      },
      { factor: 'shape', points: 10, detail: 'heavy volume on a flat price' },
      { factor: 'close', points: 0, detail: 'not at the close' },
      { factor: 'liquidity', points: -13.7, detail: 'volume from a zero usual: counted half' },
    ],
    baseline: 'usual',
    settled: true,
    // Minutes on three dates, at the hours' and the day's edges.
    alerts: [
      { minute: minuteOf('2017-01-05T04:31:00Z'), points: 11.9 },
      { minute: minuteOf('2017-01-05T23:59:00Z'), points: 0 },
      { minute: minuteOf('2017-01-06T00:09:00Z'), points: 11.8 },
      { minute: minuteOf('2020-02-29T10:00:00Z'), points: 0.1 },
    ],
  },
};

/** The episode's line as addEpisodeJson writes it, as bytes. */
function lineBytes({ symbol, episode, score }: Line): Buffer {
  const lines = new LineBytes();
  addEpisodeJson(lines, symbol, episode, score);
  return Buffer.from(lines.take());
}

/** The UTF-8 bytes of the line JSON.stringify gives, with its newline. */
const expectedBytes = (of: Line) => Buffer.from(`${asJsonWritesIt(of)}\n`, 'utf8');

describe('addEpisodeJson', () => {
  it('writes the UTF-8 bytes of the text JSON.stringify writes of the episode and its score', () => {
    const written = lineBytes(line);
    expect(written.toString('utf8')).toBe(`${asJsonWritesIt(line)}\n`);
    expect(written.equals(expectedBytes(line))).toBe(true);
    expect(JSON.parse(written.toString('utf8'))).toMatchObject({
      symbol: 'M&M',
      start: '2017-01-05T04:31:00Z',
      end: '2017-01-06T00:09:00Z',
      score: 23.7,
      scoreAlerts: [{ minute: '2017-01-05T04:31:00Z' }, {}, {}, { minute: '2020-02-29T10:00:00Z' }],
    });
  });

  it('encodes two- and three-byte characters itself, and a pair of surrogates as JSON leaves it', () => {
    const accented: Line = { ...line, symbol: 'SOCIÉTÉ-Ω' };
    const emoji: Line = {
      ...line,
      score: {
        ...line.score,
        factors: line.score.factors.map((factor) => ({
          ...factor,
          detail: `${factor.detail} ñ → \u{1F600}`,
        })),
      },
    };
    expect(lineBytes(accented).equals(expectedBytes(accented))).toBe(true);
    expect(lineBytes(emoji).equals(expectedBytes(emoji))).toBe(true);
  });

  it('escapes what JSON escapes in names and details, and writes what JSON cannot hold as null', () => {
    const odd: Line = {
      symbol: 'A"B\\C\n\u2028\u0001é',
      episode: {
        ...line.episode,
        peakSeverity: null,
        count: Number.NaN,
        a1: Number.POSITIVE_INFINITY,
        a2: 1e21,
      },
      score: {
        ...line.score,
        score: -0,
        // One thing JSON escapes in each, alone (a line's text is checked before it is quoted as it is).
        factors: line.score.factors.map((factor, i) => ({
          ...factor,
          detail: `${factor.detail} ${['\uD800', 'a\\b', '\t', '"q"', '\u{1F600}', '\u001f x'][i]}`,
        })),
        alerts: [],
      },
    };
    expect(lineBytes(odd).equals(expectedBytes(odd))).toBe(true);
    // Lines after one with escapes are written from where it ended.
    const lines = new LineBytes();
    addEpisodeJson(lines, odd.symbol, odd.episode, odd.score);
    addEpisodeJson(lines, line.symbol, line.episode, line.score);
    expect(Buffer.from(lines.take()).toString('utf8')).toBe(
      `${asJsonWritesIt(odd)}\n${asJsonWritesIt(line)}\n`,
    );
  });
});

describe('LineBytes', () => {
  it('gives the UTF-8 bytes of the lines added since the last take, past its first room', () => {
    const lines = new LineBytes();
    const first = ['σ × − é 😀\n', 'plain\n'];
    for (const line of first) lines.add(line);
    expect(Buffer.from(lines.take()).toString()).toBe(first.join(''));
    // Past the first megabyte: it grows, and keeps what was added before it grew.
    const long = Array.from({ length: 3000 }, (_, i) => `${i}:${'σ'.repeat(400)}\n`);
    for (const line of long) lines.add(line);
    expect(lines.size).toBe(Buffer.byteLength(long.join('')));
    const bytes = lines.take();
    expect(bytes.length).toBe(Buffer.byteLength(long.join('')));
    expect(Buffer.from(bytes).toString()).toBe(long.join(''));
    lines.add('dropped\n');
    lines.clear();
    lines.add('kept\n');
    expect(Buffer.from(lines.take()).toString()).toBe('kept\n');
  });

  it('writes into the buffer handed back when the lines fit in it, else into a new one', () => {
    const lines = new LineBytes();
    const handedBack = new Uint8Array(new ArrayBuffer(16), 0, 3);
    lines.add('σ line\n');
    const fits = lines.take(handedBack);
    expect(fits.buffer).toBe(handedBack.buffer);
    expect(Buffer.from(fits).toString()).toBe('σ line\n');
    lines.add('a line longer than sixteen bytes\n');
    const larger = lines.take(handedBack);
    expect(larger.buffer).not.toBe(handedBack.buffer);
    expect(Buffer.from(larger).toString()).toBe('a line longer than sixteen bytes\n');
  });
});
