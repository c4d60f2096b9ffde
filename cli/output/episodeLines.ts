/**
 * The lines of `detect --episodes FILE` (contract §6): each episode with its score, as JSON lines, or as CSV with
 * each factor's points in a column. Made from the records the episodes were set aside as (episodeRecords.ts),
 * on the main thread or on a scoring worker (scoreWorker.ts): the same function either way, so the same bytes.
 */
import { spreadsheetText } from '../../shared/core/csvText.js';
import { EPISODE_CSV_COLUMNS, episodeOf, type Episode } from '../../shared/core/episodes.js';
import type { MinuteScore } from '../../shared/core/suspicion/episodeScore.js';
import type { EpisodeState } from '../../shared/core/symbolState.js';
import type { SuspicionScore } from '../../shared/core/suspicion/suspicionScore.js';
import { readRecords } from '../../shared/core/suspicion/episodeRecords.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { SCORE_FACTORS } from '../../shared/core/suspicion/suspicionScore.js';
import { utf8 } from './byteText.js';
import type { LineBytes } from './lineBytes.js';

/** The CSV file's first line. */
export const EPISODE_CSV_HEADER = `${EPISODE_CSV_COLUMNS.join(',')}\n`;

/** An episode's CSV line, with its newline. */
function episodeCsvLine(
  episode: Episode,
  score: Pick<SuspicionScore, 'score' | 'baseline' | 'factors'>,
): string {
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

const SYMBOL = utf8('{"symbol":');
const START = utf8(',"start":');
const END = utf8(',"end":');
const COUNT = utf8(',"count":');
const A1 = utf8(',"a1":');
const A2 = utf8(',"a2":');
const PEAK_SEVERITY = utf8(',"peakSeverity":');
const NULL = utf8('null');
const SCORE = utf8(',"score":');
const SCORE_BASELINE = utf8(',"scoreBaseline":');
const SCORE_FACTORS_START = utf8(',"scoreFactors":[');
const FIRST_FACTOR = utf8('{"factor":');
const NEXT_FACTOR = utf8(',{"factor":');
const POINTS = utf8(',"points":');
const DETAIL = utf8(',"detail":');
const OBJECT_END = utf8('}');
const SCORE_ALERTS_START = utf8('],"scoreAlerts":[');
const FIRST_ALERT = utf8('{"minute":');
const NEXT_ALERT = utf8(',{"minute":');
const LINE_END = utf8(']}\n');

/**
 * Appends the episode's line as JSON, with its newline: the text `JSON.stringify` gives of the episode with its
 * score's fields after it (`{...episodeOf(symbol, episode), score, scoreBaseline, scoreFactors, scoreAlerts}`, the
 * alerts' minutes as text), written field by field as UTF-8 (see LineBytes.jsonString), minutes straight from
 * their numbers. Two million times at the seed's scale, the general walk over the object, then building the line as
 * a string and encoding it, were the largest part of writing a line.
 */
export function addEpisodeJson(
  lines: LineBytes,
  symbol: string,
  episode: EpisodeState,
  score: MinuteScore,
): void {
  lines.bytes(SYMBOL);
  lines.jsonString(symbol);
  lines.bytes(START);
  lines.jsonMinute(episode.start);
  lines.bytes(END);
  lines.jsonMinute(episode.end);
  lines.bytes(COUNT);
  lines.jsonNumber(episode.count);
  lines.bytes(A1);
  lines.jsonNumber(episode.a1);
  lines.bytes(A2);
  lines.jsonNumber(episode.a2);
  lines.bytes(PEAK_SEVERITY);
  if (episode.peakSeverity === null) lines.bytes(NULL);
  else lines.jsonNumber(episode.peakSeverity);
  lines.bytes(SCORE);
  lines.jsonNumber(score.score);
  lines.bytes(SCORE_BASELINE);
  lines.jsonString(score.baseline);
  lines.bytes(SCORE_FACTORS_START);
  const { factors, alerts } = score;
  for (let i = 0; i < factors.length; i++) {
    const factor = factors[i]!;
    lines.bytes(i === 0 ? FIRST_FACTOR : NEXT_FACTOR);
    lines.jsonString(factor.factor);
    lines.bytes(POINTS);
    lines.jsonNumber(factor.points);
    lines.bytes(DETAIL);
    lines.jsonString(factor.detail);
    lines.bytes(OBJECT_END);
  }
  lines.bytes(SCORE_ALERTS_START);
  for (let i = 0; i < alerts.length; i++) {
    const alert = alerts[i]!;
    lines.bytes(i === 0 ? FIRST_ALERT : NEXT_ALERT);
    lines.jsonMinute(alert.minute);
    lines.bytes(POINTS);
    lines.jsonNumber(alert.points);
    lines.bytes(OBJECT_END);
  }
  lines.bytes(LINE_END);
}

/**
 * Appends the lines of a piece of `symbol`'s records (whole records), each episode scored by `score`, in their
 * order: JSON, or CSV.
 */
export function addRecordLines(
  lines: LineBytes,
  symbol: string,
  numbers: Float64Array,
  score: (figures: EpisodeFigures) => MinuteScore,
  csv: boolean,
): void {
  for (const { counts, figures } of readRecords(symbol, numbers)) {
    if (csv) lines.add(episodeCsvLine(episodeOf(symbol, counts), score(figures)));
    else addEpisodeJson(lines, symbol, counts, score(figures));
  }
}
