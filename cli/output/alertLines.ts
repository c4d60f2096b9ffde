/**
 * Alerts as lines of text (JSON, CSV), written as UTF-8 bytes straight into a buffer, from an alert record or
 * straight from what the rules found (the batch CLI's way: no record in between). The batch CLI writes
 * hundreds of thousands of alerts, and building each line as a string, then encoding it, cost more than
 * reading and checking the bars did.
 *
 * Every format writes the same fields in the same order (contract §3); a layout says what stands between
 * them.
 */
import type { Alert } from '../../shared/core/alert.js';
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../shared/core/barTable.js';
import type { AlertSource, Finding } from '../../shared/core/finding.js';
import {
  MinuteText,
  NUMBER_BYTES,
  put,
  putNumber,
  putTableValue,
  TIMESTAMP_BYTES,
  utf8,
  type ByteTarget,
} from './byteText.js';

/** Texts by which rules fired. */
export interface ByRules {
  A1: Uint8Array;
  A2: Uint8Array;
  both: Uint8Array;
}

/**
 * What a format writes around an alert's values. The parts named `before…` stand just before that value;
 * a timestamp written from a minute stops at its minutes, so the part after it in `…AfterMinute` carries the
 * `:00Z` (see MinuteText).
 */
export interface AlertLayout {
  /** Written once, before the first line. */
  readonly header?: Uint8Array;
  /** The most bytes the format writes for a character of a name or a timestamp (escaped, as UTF-8). */
  readonly bytesPerCharacter: number;
  /** The line's start, up to the timestamp. */
  head(symbol: string): Uint8Array;
  /** A timestamp read back as text (from a record), as the format writes it. */
  timestamp(text: string): Uint8Array;
  /** After the timestamp: the rules, up to the open. */
  readonly rules: ByRules;
  readonly rulesAfterMinute: ByRules;
  readonly beforeHigh: Uint8Array;
  readonly beforeLow: Uint8Array;
  readonly beforeClose: Uint8Array;
  readonly beforeVolume: Uint8Array;
  readonly beforePrevClose: Uint8Array;
  readonly beforePrevTimestamp: Uint8Array;
  readonly beforeChangePct: Uint8Array;
  readonly beforeChangePctAfterMinute: Uint8Array;
  /** In place of A1's figures when it did not fire. */
  readonly noA1: Uint8Array;
  readonly beforeAvgVolume: Uint8Array;
  readonly beforeAvgVolumeWithoutA1: Uint8Array;
  readonly beforeWindowBars: Uint8Array;
  readonly beforeVolumeRatio: Uint8Array;
  /** A volume ratio of a window with a zero mean. */
  readonly noVolumeRatio: Uint8Array;
  /** Before a rule's own severity, the last of its figures. */
  readonly beforeRuleSeverity: Uint8Array;
  /** A severity that has no value (contract §4). */
  readonly noSeverity: Uint8Array;
  /** In place of A2's figures when it did not fire. */
  readonly noA2: Uint8Array;
  /** From the rules' figures (or, with `afterFigures` false, the volume) to the alert's severity. */
  beforeSeverity(afterFigures: boolean): Uint8Array;
  /** From the severity to the episode's start. */
  readonly beforeEpisodeStart: Uint8Array;
  /** From the episode's start to the line number. */
  source(source: AlertSource): Uint8Array;
  /** After the line number. */
  readonly end: Uint8Array;
}

/** What a timestamp written from a minute lacks (see MinuteText). */
const SECONDS = utf8(':00Z');

/** Bytes of every part of a line that is not a name, a number or a timestamp, with room to spare. */
const FIXED_BYTES = 512;

export class AlertLineWriter {
  readonly #minutes = new MinuteText();

  constructor(readonly layout: AlertLayout) {}

  /** The most bytes {@link writeFinding} can add for this finding. */
  maxFindingBytes(finding: Finding): number {
    const { source } = finding;
    const names = finding.symbol.length + source.object.length + (source.generation?.length ?? 0);
    return FIXED_BYTES + 13 * NUMBER_BYTES + 3 * TIMESTAMP_BYTES + this.layout.bytesPerCharacter * names;
  }

  /** Appends the finding's alert as a line; the target must have {@link maxFindingBytes} free. */
  writeFinding(finding: Finding, target: ByteTarget): void {
    const layout = this.layout;
    const { table, row } = finding;
    const out = target.bytes;
    let at = put(out, target.length, layout.head(finding.symbol));
    at = this.#minutes.put(out, at, finding.minute);
    const rules = layout.rulesAfterMinute;
    at = put(out, at, finding.a1 ? (finding.a2 ? rules.both : rules.A1) : rules.A2);
    at = putTableValue(out, at, table, row, OPEN);
    at = put(out, at, layout.beforeHigh);
    at = putTableValue(out, at, table, row, HIGH);
    at = put(out, at, layout.beforeLow);
    at = putTableValue(out, at, table, row, LOW);
    at = put(out, at, layout.beforeClose);
    at = putTableValue(out, at, table, row, CLOSE);
    at = put(out, at, layout.beforeVolume);
    at = putTableValue(out, at, table, row, VOLUME);
    if (finding.a1) {
      at = put(out, at, layout.beforePrevClose);
      at = putNumber(out, at, finding.prevClose);
      at = put(out, at, layout.beforePrevTimestamp);
      at = this.#minutes.put(out, at, finding.prevMinute);
      at = put(out, at, layout.beforeChangePctAfterMinute);
      at = putNumber(out, at, finding.changePct);
      at = put(out, at, layout.beforeRuleSeverity);
      at = putSeverity(out, at, layout, finding.a1Severity);
    } else at = put(out, at, layout.noA1);
    if (finding.a2) {
      at = put(out, at, finding.a1 ? layout.beforeAvgVolume : layout.beforeAvgVolumeWithoutA1);
      at = putNumber(out, at, finding.avgVolume);
      at = put(out, at, layout.beforeWindowBars);
      at = putNumber(out, at, finding.windowBars);
      at = put(out, at, layout.beforeVolumeRatio);
      at =
        finding.volumeRatio === null
          ? put(out, at, layout.noVolumeRatio)
          : putNumber(out, at, finding.volumeRatio);
      at = put(out, at, layout.beforeRuleSeverity);
      at = putSeverity(out, at, layout, finding.a2Severity);
    } else at = put(out, at, layout.noA2);
    at = put(out, at, layout.beforeSeverity(true));
    at = putSeverity(out, at, layout, finding.severity);
    at = put(out, at, layout.beforeEpisodeStart);
    at = this.#minutes.put(out, at, finding.episode.start);
    at = put(out, at, SECONDS);
    at = put(out, at, layout.source(finding.source));
    at = putNumber(out, at, table.line(row));
    target.length = put(out, at, layout.end);
  }

  /** The most bytes {@link write} can add for this alert. */
  maxBytes(alert: Alert): number {
    const { source } = alert;
    const texts =
      alert.symbol.length +
      alert.timestamp.length +
      (alert.a1?.prevTimestamp.length ?? 0) +
      alert.episodeStart.length +
      source.object.length +
      (source.generation?.length ?? 0);
    return FIXED_BYTES + 13 * NUMBER_BYTES + this.layout.bytesPerCharacter * texts;
  }

  /** Appends the alert as a line; the target must have {@link maxBytes} free. */
  write(alert: Alert, target: ByteTarget): void {
    const layout = this.layout;
    const out = target.bytes;
    let at = put(out, target.length, layout.head(alert.symbol));
    at = put(out, at, layout.timestamp(alert.timestamp));
    const rules = alert.rules;
    at = put(
      out,
      at,
      rules.length === 2 ? layout.rules.both : rules[0] === 'A1' ? layout.rules.A1 : layout.rules.A2,
    );
    at = putNumber(out, at, alert.open);
    at = put(out, at, layout.beforeHigh);
    at = putNumber(out, at, alert.high);
    at = put(out, at, layout.beforeLow);
    at = putNumber(out, at, alert.low);
    at = put(out, at, layout.beforeClose);
    at = putNumber(out, at, alert.close);
    at = put(out, at, layout.beforeVolume);
    at = putNumber(out, at, alert.volume);
    const { a1, a2 } = alert;
    if (a1 !== undefined) {
      at = put(out, at, layout.beforePrevClose);
      at = putNumber(out, at, a1.prevClose);
      at = put(out, at, layout.beforePrevTimestamp);
      at = put(out, at, layout.timestamp(a1.prevTimestamp));
      at = put(out, at, layout.beforeChangePct);
      at = putNumber(out, at, a1.changePct);
      at = put(out, at, layout.beforeRuleSeverity);
      at = putSeverity(out, at, layout, a1.severity);
    } else at = put(out, at, layout.noA1);
    if (a2 !== undefined) {
      at = put(out, at, a1 !== undefined ? layout.beforeAvgVolume : layout.beforeAvgVolumeWithoutA1);
      at = putNumber(out, at, a2.avgVolume);
      at = put(out, at, layout.beforeWindowBars);
      at = putNumber(out, at, a2.windowBars);
      at = put(out, at, layout.beforeVolumeRatio);
      at = a2.volumeRatio === null ? put(out, at, layout.noVolumeRatio) : putNumber(out, at, a2.volumeRatio);
      at = put(out, at, layout.beforeRuleSeverity);
      at = putSeverity(out, at, layout, a2.severity);
    } else at = put(out, at, layout.noA2);
    at = put(out, at, layout.beforeSeverity(a1 !== undefined || a2 !== undefined));
    at = putSeverity(out, at, layout, alert.severity);
    at = put(out, at, layout.beforeEpisodeStart);
    at = put(out, at, layout.timestamp(alert.episodeStart));
    at = put(out, at, layout.source(alert.source));
    at = putNumber(out, at, alert.source.line);
    target.length = put(out, at, layout.end);
  }
}

function putSeverity(out: Uint8Array, at: number, layout: AlertLayout, severity: number | null): number {
  return severity === null ? put(out, at, layout.noSeverity) : putNumber(out, at, severity);
}
