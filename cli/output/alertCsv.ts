/**
 * Alerts as CSV rows (RFC 4180, after a header naming the columns), written as alertLines.ts writes lines.
 * Numbers are written as String writes them; a figure of a rule that did not fire is an empty cell.
 */
import type { AlertSource } from '../../shared/core/finding.js';
import type { AlertLayout } from './alertLines.js';
import { TextCache, utf8 } from './byteText.js';
import { csvField, spreadsheetText } from '../../shared/core/csvText.js';

export const CSV_COLUMNS = [
  'symbol',
  'timestamp',
  'rules',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'prevClose',
  'prevTimestamp',
  'changePct',
  'a1Severity',
  'avgVolume',
  'windowBars',
  'volumeRatio',
  'a2Severity',
  'severity',
  'episodeStart',
  'object',
  'line',
] as const;

// The symbol and the object name come from the uploaded data: a spreadsheet must not run them as formulas.
const heads = new TextCache((symbol) => `${spreadsheetText(symbol)},`);
const objects = new TextCache((object) => `,${spreadsheetText(object)},`);
const COMMA = utf8(',');
/** The four cells of a rule that did not fire. */
const NO_FIGURES = utf8(',,,,');
const NOTHING = new Uint8Array(0);

export const CSV_LAYOUT: AlertLayout = {
  header: utf8(`${CSV_COLUMNS.join(',')}\n`),
  // A quote is doubled; UTF-8 takes at most three bytes per UTF-16 unit.
  bytesPerCharacter: 6,
  head: (symbol) => heads.get(symbol),
  timestamp: (text) => utf8(csvField(text)),
  rules: { A1: utf8(',A1,'), A2: utf8(',A2,'), both: utf8(',A1+A2,') },
  rulesAfterMinute: { A1: utf8(':00Z,A1,'), A2: utf8(':00Z,A2,'), both: utf8(':00Z,A1+A2,') },
  beforeHigh: COMMA,
  beforeLow: COMMA,
  beforeClose: COMMA,
  beforeVolume: COMMA,
  beforePrevClose: COMMA,
  beforePrevTimestamp: COMMA,
  beforeChangePct: COMMA,
  beforeChangePctAfterMinute: utf8(':00Z,'),
  noA1: NO_FIGURES,
  beforeAvgVolume: COMMA,
  beforeAvgVolumeWithoutA1: COMMA,
  beforeWindowBars: COMMA,
  beforeVolumeRatio: COMMA,
  noVolumeRatio: NOTHING,
  beforeRuleSeverity: COMMA,
  noSeverity: NOTHING,
  noA2: NO_FIGURES,
  beforeSeverity: () => COMMA,
  beforeEpisodeStart: COMMA,
  source: (source: AlertSource) => objects.get(source.object),
  end: utf8('\n'),
};
