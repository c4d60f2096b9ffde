/**
 * The lines of `detect --episodes FILE` (contract §6): each episode with its score, as JSON lines, or as CSV with
 * each factor's points in a column. Made from the records the episodes were set aside as (episodeRecords.ts),
 * on the main thread or on a scoring worker (scoreWorker.ts): the same function either way, so the same bytes.
 */
import { spreadsheetText } from '../../shared/core/csvText.js';
import { EPISODE_CSV_COLUMNS, episodeOf, type Episode } from '../../shared/core/episodes.js';
import type { SuspicionScore } from '../../shared/core/suspicion/suspicionScore.js';
import { readRecords } from '../../shared/core/suspicion/episodeRecords.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { SCORE_FACTORS } from '../../shared/core/suspicion/suspicionScore.js';

/** The CSV file's first line. */
export const EPISODE_CSV_HEADER = `${EPISODE_CSV_COLUMNS.join(',')}\n`;

/** An episode's line, with its newline. */
export function episodeLine(episode: Episode, score: SuspicionScore, csv: boolean): string {
  if (!csv) return `${episodeJson(episode, score)}\n`;
  const points = SCORE_FACTORS.map((id) => score.factors.find((factor) => factor.factor === id)!.points);
  const row = [
    spreadsheetText(episode.symbol),
    episode.start,
    episode.end,
    episode.count,
    episode.a1,
    episode.a2,
    episode.peakSeverity ?? '',
    score.score,
    score.baseline,
    ...points,
  ].join(',');
  return `${row}\n`;
}

/**
 * The episode's line as JSON: the text `JSON.stringify` gives of the episode with its score's fields after it
 * (`{...episode, score, scoreBaseline, scoreFactors, scoreAlerts}`), put together field by field. Two million
 * times at the seed's scale, the general walk over the object was the largest part of writing a line.
 */
export function episodeJson(episode: Episode, score: SuspicionScore): string {
  let text =
    `{"symbol":${jsonString(episode.symbol)},"start":${jsonString(episode.start)},` +
    `"end":${jsonString(episode.end)},"count":${jsonNumber(episode.count)},"a1":${jsonNumber(episode.a1)},` +
    `"a2":${jsonNumber(episode.a2)},"peakSeverity":${episode.peakSeverity === null ? 'null' : jsonNumber(episode.peakSeverity)},` +
    `"score":${jsonNumber(score.score)},"scoreBaseline":${jsonString(score.baseline)},"scoreFactors":[`;
  score.factors.forEach((factor, i) => {
    text +=
      `${i === 0 ? '' : ','}{"factor":${jsonString(factor.factor)},"points":${jsonNumber(factor.points)},` +
      `"detail":${jsonString(factor.detail)}}`;
  });
  text += '],"scoreAlerts":[';
  score.alerts.forEach((alert, i) => {
    text += `${i === 0 ? '' : ','}{"minute":${jsonString(alert.minute)},"points":${jsonNumber(alert.points)}}`;
  });
  return `${text}]}`;
}

/**
 * A string as `JSON.stringify` writes it: quoted as it is where it holds no control character, quote, backslash
 * or surrogate (JSON escapes the lone ones; a string with any goes to JSON.stringify), which is every string of a
 * line but an odd symbol's. About 23 strings a line: JSON.stringify took 170 ns a string here, this 120.
 */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

/** A number as JSON writes it: JSON has no NaN or infinities, and writes them as null. */
const jsonNumber = (value: number) => (Number.isFinite(value) ? String(value) : 'null');

/** The lines of a piece of `symbol`'s records (whole records), each episode scored by `score`, in their order. */
export function* recordLines(
  symbol: string,
  numbers: Float64Array,
  score: (figures: EpisodeFigures) => SuspicionScore,
  csv: boolean,
): Generator<string> {
  for (const { counts, figures } of readRecords(symbol, numbers)) {
    yield episodeLine(episodeOf(symbol, counts), score(figures), csv);
  }
}
