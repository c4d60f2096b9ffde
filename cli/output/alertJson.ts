/**
 * Alerts as JSON lines: the exact text `JSON.stringify` gives for an alert, fields in the contract §3 order
 * (see alertLines.ts for how a line is written).
 */
import type { AlertSource } from '../../shared/core/finding.js';
import type { AlertLayout } from './alertLines.js';
import { TextCache, utf8 } from './byteText.js';

const heads = new TextCache((symbol) => `{"symbol":${JSON.stringify(symbol)},"timestamp":"`);
/** Per source (one per object detected): its part of the line, after the rules' figures. */
const sourceParts = new WeakMap<AlertSource, Uint8Array>();
let lastSource: AlertSource | undefined;
let lastSourcePart: Uint8Array = new Uint8Array(0);
const NOTHING = new Uint8Array(0);
const BEFORE_SEVERITY = utf8(',"severity":');
const CLOSED_BEFORE_SEVERITY = utf8('},"severity":');

function sourcePart(source: AlertSource): string {
  const generation =
    source.generation === undefined ? '' : `,"generation":${JSON.stringify(source.generation)}`;
  // The episode's start stands before it, its quote still open.
  return `","source":{"object":${JSON.stringify(source.object)}${generation},"line":`;
}

export const JSON_LAYOUT: AlertLayout = {
  // JSON escapes a control character as six bytes; UTF-8 takes at most three per UTF-16 unit.
  bytesPerCharacter: 6,
  head: (symbol) => heads.get(symbol),
  timestamp: (text) => utf8(JSON.stringify(text).slice(1, -1)),
  rules: {
    A1: utf8('","rules":["A1"],"open":'),
    A2: utf8('","rules":["A2"],"open":'),
    both: utf8('","rules":["A1","A2"],"open":'),
  },
  rulesAfterMinute: {
    A1: utf8(':00Z","rules":["A1"],"open":'),
    A2: utf8(':00Z","rules":["A2"],"open":'),
    both: utf8(':00Z","rules":["A1","A2"],"open":'),
  },
  beforeHigh: utf8(',"high":'),
  beforeLow: utf8(',"low":'),
  beforeClose: utf8(',"close":'),
  beforeVolume: utf8(',"volume":'),
  beforePrevClose: utf8(',"a1":{"prevClose":'),
  beforePrevTimestamp: utf8(',"prevTimestamp":"'),
  beforeChangePct: utf8('","changePct":'),
  beforeChangePctAfterMinute: utf8(':00Z","changePct":'),
  noA1: NOTHING,
  beforeAvgVolume: utf8('},"a2":{"avgVolume":'),
  beforeAvgVolumeWithoutA1: utf8(',"a2":{"avgVolume":'),
  beforeWindowBars: utf8(',"windowBars":'),
  beforeVolumeRatio: utf8(',"volumeRatio":'),
  noVolumeRatio: utf8('null'),
  beforeRuleSeverity: utf8(',"severity":'),
  noSeverity: utf8('null'),
  noA2: NOTHING,
  // The figures' object is closed before the severity; a line without figures is only a record's.
  beforeSeverity: (afterFigures) => (afterFigures ? CLOSED_BEFORE_SEVERITY : BEFORE_SEVERITY),
  beforeEpisodeStart: utf8(',"episodeStart":"'),
  source(source) {
    // An object's lines come together: its source is nearly always the one before.
    if (source === lastSource) return lastSourcePart;
    let part = sourceParts.get(source);
    if (part === undefined) {
      part = utf8(sourcePart(source));
      sourceParts.set(source, part);
    }
    lastSource = source;
    lastSourcePart = part;
    return part;
  },
  end: utf8('}}\n'),
};
