/**
 * The truth file: the events a data set is known to hold, which a ranking of episodes is measured against
 * (bench:ranking writes one beside each market it makes; `stock-anomalies calibrate --truth` reads it).
 *
 * CSV, one event a line, the header first:
 *
 *     kind,symbol,start,end,planted
 *     pump-and-dump,ACME,2021-01-04T05:10Z,2021-01-04T05:39Z,true
 *     market-shock,,2021-01-05T07:00Z,2021-01-05T07:00Z,false
 *
 * - `kind`: a name (letters, digits, `.`, `_`, `-`); it only labels the event.
 * - `symbol`: the stock (contract §1 Symbol); empty for a market-wide event, which must be legitimate.
 * - `start`, `end`: its first and last minute, both included, ISO 8601 UTC (`2021-01-04T05:10Z`, seconds `:00`
 *   allowed); `end` not before `start`.
 * - `planted`: `true` for what a ranking should find (a manipulation), `false` for a legitimate hard case
 *   that it should not rank high (a market shock, a news jump). Recall and average precision count the planted.
 *
 * Blank lines are skipped; a CRLF line end is fine. Anything else wrong is an error naming its line.
 */
import { FinalError } from '../errors.js';
import type { TruthEvent } from './rankingQuality.js';
import { symbolProblem } from './symbolGrammar.js';
import { formatMinute } from './timestamp.js';

export const TRUTH_COLUMNS = ['kind', 'symbol', 'start', 'end', 'planted'] as const;

export interface Truth {
  /** What a ranking should find. */
  planted: TruthEvent[];
  /** Hard cases it should not rank high. */
  legitimate: TruthEvent[];
}

/** A truth file that does not keep to the format: `line` is its line (1 the header), 0 for the file as a whole. */
export class TruthFileError extends FinalError {
  override name = 'TruthFileError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

/** The truth as a truth file's text: the planted events, then the legitimate ones. */
export function truthCsv(truth: Truth): string {
  const line = (event: TruthEvent, planted: boolean) =>
    [event.kind, event.symbol ?? '', formatMinute(event.start), formatMinute(event.end), planted].join(',');
  return [
    TRUTH_COLUMNS.join(','),
    ...truth.planted.map((event) => line(event, true)),
    ...truth.legitimate.map((event) => line(event, false)),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

const KIND = /^[A-Za-z0-9._-]+$/;
const MINUTE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?Z$/;

/** Minutes since the epoch of an ISO 8601 UTC minute, or undefined when `text` is not one. */
function minuteOf(text: string): number | undefined {
  const match = MINUTE.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second = '00'] = match.slice(1).map((part) => part ?? '00');
  if (second !== '00') return undefined;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  const parsed = ms / 60_000;
  // Date.UTC rolls a 13th month or a 25th hour over into the next; a real minute reads back as written.
  return formatMinute(parsed).slice(0, 16) === `${year}-${month}-${day}T${hour}:${minute}`
    ? parsed
    : undefined;
}

/**
 * The events of a truth file.
 * @throws TruthFileError naming the first line that is wrong, and what is wrong with it
 */
export function parseTruthCsv(text: string): Truth {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const header = lines.findIndex((line) => line.trim() !== '');
  const expected = TRUTH_COLUMNS.join(',');
  if (header < 0) throw new TruthFileError(0, `the file is empty; it needs the header ${expected}`);
  const names = lines[header]!.split(',').map((name) => name.trim().toLowerCase());
  if (names.join(',') !== expected) {
    throw new TruthFileError(header + 1, `the header must be ${expected}, got '${lines[header]}'`);
  }
  const truth: Truth = { planted: [], legitimate: [] };
  for (let i = header + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const { event, planted } = eventOf(lines[i]!, i + 1);
    (planted ? truth.planted : truth.legitimate).push(event);
  }
  if (truth.planted.length === 0) {
    throw new TruthFileError(0, 'no planted event (planted=true): recall and average precision need one');
  }
  return truth;
}

function eventOf(text: string, line: number): { event: TruthEvent; planted: boolean } {
  const fields = text.split(',').map((field) => field.trim());
  if (fields.length !== TRUTH_COLUMNS.length) {
    throw new TruthFileError(
      line,
      `${fields.length} fields, expected ${TRUTH_COLUMNS.length} (${TRUTH_COLUMNS.join(',')})`,
    );
  }
  const [kind, symbol, startText, endText, plantedText] = fields as [string, string, string, string, string];
  if (!KIND.test(kind)) {
    throw new TruthFileError(line, `kind '${kind}' must be a name of letters, digits, '.', '_' and '-'`);
  }
  const problem = symbol === '' ? undefined : symbolProblem(symbol);
  if (problem !== undefined) throw new TruthFileError(line, `symbol '${symbol}' ${problem}`);
  const start = minuteOf(startText);
  const end = minuteOf(endText);
  for (const [name, value, minute] of [
    ['start', startText, start],
    ['end', endText, end],
  ] as const) {
    if (minute === undefined) {
      throw new TruthFileError(
        line,
        `${name} '${value}' is not an ISO 8601 UTC minute such as 2021-01-04T05:10Z`,
      );
    }
  }
  if (end! < start!) throw new TruthFileError(line, `end ${endText} is before start ${startText}`);
  if (plantedText !== 'true' && plantedText !== 'false') {
    throw new TruthFileError(line, `planted must be true or false, got '${plantedText}'`);
  }
  const planted = plantedText === 'true';
  if (planted && symbol === '') {
    throw new TruthFileError(
      line,
      'a planted event needs a symbol (only a legitimate event may be market-wide)',
    );
  }
  return { event: { kind, symbol: symbol === '' ? null : symbol, start: start!, end: end! }, planted };
}
