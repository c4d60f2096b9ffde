/**
 * The rules A1 and A2 (contract §2) over one symbol's state.
 *
 * Each comparison is first made in doubles with an error bound far above any rounding the doubles can carry;
 * only a result inside that bound (a move within a hair of the threshold, such as exactly 0.5%) is decided
 * again in exact decimal arithmetic. Fast for every bar, exact for every bar.
 */
import { BarTable, CLOSE, VOLUME } from './barTable.js';
import {
  absExact,
  addExact,
  compareExact,
  exactOf,
  formatDecimal,
  multiplyExact,
  OVERFLOW_SCALE,
  scanDecimal,
  scanned,
  scannedValue,
  subtractExact,
  type ExactDecimal,
} from './decimal.js';
import type { DetectionConfig } from './detectionParameters.js';
import { roundFigure } from './figures.js';
import { Finding, NO_TABLE, type AlertSource } from './finding.js';
import { higherSeverity } from './severity.js';
import type { EpisodeState, SymbolState } from './symbolState.js';
import { VolumeWindow } from './volumeWindow.js';

/** Relative size of the band around a threshold inside which doubles are not trusted. */
const DOUBLE_TRUST = 1e-12;

export interface DetectionCounts {
  /** Bars the rules ran on, late ones included. */
  processed: number;
  /** Bars detected in their place, before their symbol's latest minute already detected (contract §2). */
  late: number;
  /** Bars whose (symbol, minute) an earlier object brought: counted, not detected (contract §2). */
  repeats: number;
  /** Bars more than the lateness horizon before their symbol's latest minute: counted, not detected. */
  tooLate: number;
  a1: number;
  a2: number;
  alerts: number;
}

export function emptyCounts(): DetectionCounts {
  return { processed: 0, late: 0, repeats: 0, tooLate: 0, a1: 0, a2: 0, alerts: 0 };
}

/** Sees every bar the rules ran on, in minute order, after they ran (the suspicion score's figures follow them). */
export interface BarObserver {
  /**
   * @param windowMean the mean volume of A2's window before the bar (NaN for an empty window)
   * @param episodeStart the start of the episode the bar's alert joined, or null when no rule fired on it
   */
  bar(minute: number, close: number, volume: number, windowMean: number, episodeStart: number | null): void;
}

function scanStateDecimal(text: string): void {
  if (!scanDecimal(text)) throw new RangeError(`state holds a value that is not a decimal: '${text}'`);
}

function overflowText(text: string): string | undefined {
  return scanned.scale === OVERFLOW_SCALE ? text.trim() : undefined;
}

/** One symbol's rolling state, in working form; {@link toState} gives the plain serializable value. */
export class SymbolDetector {
  readonly symbol: string;
  readonly #config: DetectionConfig;
  #lastMinute = -Infinity;
  /** The last processed close (NaN before the first bar), in the fast form. */
  #lastClose = Number.NaN;
  #lastCloseMantissa = 0;
  #lastCloseScale = 0;
  #lastCloseText: string | undefined;
  /** Processed bars of the recent minutes. */
  readonly #window: VolumeWindow;
  /** The latest episode, changed in place while alerts join it (the batch CLI keeps hold of it). */
  #episode: EpisodeState | null = null;
  readonly #finding: Finding;
  readonly #observer: BarObserver | undefined;

  constructor(symbol: string, config: DetectionConfig, state?: SymbolState, observer?: BarObserver) {
    this.symbol = symbol;
    this.#config = config;
    this.#observer = observer;
    this.#window = new VolumeWindow(config.windowMinutes + 1);
    this.#finding = new Finding(symbol);
    if (state?.lastMinute != null && state.lastClose != null) {
      this.#lastMinute = state.lastMinute;
      scanStateDecimal(state.lastClose);
      this.#setLastClose(scannedValue(), scanned.mantissa, scanned.scale, overflowText(state.lastClose));
      for (const { minute, volume } of state.window) {
        scanStateDecimal(volume);
        this.#window.push(minute, scannedValue(), scanned.mantissa, scanned.scale, overflowText(volume));
      }
      this.#episode = state.episode === null ? null : { ...state.episode };
    }
  }

  /**
   * Runs the rules over rows of one symbol in ascending minute order, updating the state.
   * @param found receives each bar a rule fired on, in minute order (the record is reused: see {@link Finding})
   */
  run(
    table: BarTable,
    rows: ArrayLike<number>,
    source: AlertSource,
    counts: DetectionCounts,
    found: (finding: Finding) => void,
  ): void {
    const finding = this.#finding;
    finding.table = table;
    finding.source = source;
    for (let i = 0; i < rows.length; i++) {
      if (this.#processRow(table, rows[i]!, counts)) found(finding);
    }
    // The detector outlives the object; holding on to its table would keep every object's bars alive.
    finding.table = NO_TABLE;
  }

  /** Runs the rules over one row; true when one fired (the finding then describes the bar). */
  #processRow(table: BarTable, row: number, counts: DetectionCounts): boolean {
    const minute = table.minute(row);
    if (!(minute > this.#lastMinute)) {
      counts.late++;
      return false;
    }
    counts.processed++;
    const config = this.#config;
    const window = this.#window;
    window.dropBefore(minute - config.windowMinutes);

    const close = table.value(row, CLOSE);
    const p = this.#lastClose;
    let a1 = false;
    if (!Number.isNaN(p)) {
      const difference = Math.abs(close - p) - config.a1 * p;
      const band = DOUBLE_TRUST * (close + p) * (1 + config.a1);
      a1 =
        difference > band ||
        (difference >= -band &&
          compareExact(
            absExact(subtractExact(table.exact(row, CLOSE), this.#lastCloseExact())),
            multiplyExact(config.a1Exact, this.#lastCloseExact()),
          ) > 0);
    }

    const volume = table.value(row, VOLUME);
    const n = window.size;
    const sum = window.sum();
    let a2 = false;
    // A bar that traded nothing never fires A2: 0 × n > (1 + a2) × sum is false for any window of volumes ≥ 0, and
    // where the window traded nothing too (an illiquid symbol's quiet minutes) the doubles tie, which the exact
    // check would settle with a BigInt sum of the window: 700,000 times at the seed's scale, 1.5 s of the rules.
    if (n > 0 && volume > 0) {
      const left = volume * n;
      const right = config.a2Factor * sum;
      const difference = left - right;
      const band = DOUBLE_TRUST * (left + right);
      a2 = difference > band || (difference >= -band && this.#exactA2(table, row, n));
    }

    if (a1 || a2) {
      const finding = this.#finding;
      finding.row = row;
      finding.minute = minute;
      finding.a1 = a1;
      finding.a2 = a2;
      let severity: number | null = null;
      if (a1) {
        finding.prevMinute = this.#lastMinute;
        finding.prevClose = p;
        finding.changePct = roundFigure(((close - p) / p) * 100);
        // Contract §4: |change| / threshold; a zero threshold has no scale to measure against.
        finding.a1Severity = config.a1 > 0 ? roundFigure(Math.abs(close - p) / p / config.a1) : null;
        severity = finding.a1Severity;
        counts.a1++;
      }
      if (a2) {
        finding.avgVolume = roundFigure(sum / n);
        finding.windowBars = n;
        finding.volumeRatio = sum > 0 ? roundFigure((volume * n) / sum) : null;
        // Contract §4: volume / (mean × (1 + threshold)); a zero mean has no scale either.
        finding.a2Severity = sum > 0 ? roundFigure((volume * n) / (sum * config.a2Factor)) : null;
        severity = higherSeverity(severity, finding.a2Severity);
        counts.a2++;
      }
      finding.severity = severity;
      finding.episode = this.#joinEpisode(minute, a1, a2, severity);
      counts.alerts++;
    }
    this.#observer?.bar(
      minute,
      close,
      volume,
      n > 0 ? sum / n : Number.NaN,
      a1 || a2 ? this.#finding.episode.start : null,
    );

    this.#lastMinute = minute;
    const closeScale = table.scale(row, CLOSE);
    this.#setLastClose(
      close,
      table.mantissa(row, CLOSE),
      closeScale,
      closeScale === OVERFLOW_SCALE ? table.overflowText(row, CLOSE) : undefined,
    );
    const volumeScale = table.scale(row, VOLUME);
    window.push(
      minute,
      volume,
      table.mantissa(row, VOLUME),
      volumeScale,
      volumeScale === OVERFLOW_SCALE ? table.overflowText(row, VOLUME) : undefined,
    );
    return a1 || a2;
  }

  /** Contract §5: the alert joins the latest episode when it is at most the gap after its last alert. */
  #joinEpisode(minute: number, a1: boolean, a2: boolean, severity: number | null): EpisodeState {
    const episode = this.#episode;
    if (episode !== null && minute - episode.end <= this.#config.episodeGapMinutes) {
      episode.end = minute;
      episode.count++;
      if (a1) episode.a1++;
      if (a2) episode.a2++;
      episode.peakSeverity = higherSeverity(episode.peakSeverity, severity);
      return episode;
    }
    const started: EpisodeState = {
      start: minute,
      end: minute,
      count: 1,
      a1: a1 ? 1 : 0,
      a2: a2 ? 1 : 0,
      peakSeverity: severity,
    };
    this.#episode = started;
    return started;
  }

  #setLastClose(value: number, mantissa: number, scale: number, text: string | undefined): void {
    this.#lastClose = value;
    this.#lastCloseMantissa = mantissa;
    this.#lastCloseScale = scale;
    this.#lastCloseText = text;
  }

  #lastCloseExact(): ExactDecimal {
    return exactOf(this.#lastCloseMantissa, this.#lastCloseScale, this.#lastCloseText);
  }

  #exactA2(table: BarTable, row: number, n: number): boolean {
    let sum: ExactDecimal = { mantissa: 0n, scale: 0 };
    for (let i = 0; i < n; i++) sum = addExact(sum, this.#window.exact(i));
    const left = multiplyExact(table.exact(row, VOLUME), { mantissa: BigInt(n), scale: 0 });
    return compareExact(left, multiplyExact(this.#config.a2FactorExact, sum)) > 0;
  }

  /** The state as a plain value: what any later bar of this symbol needs, and nothing more. */
  toState(): SymbolState {
    if (Number.isNaN(this.#lastClose))
      return { lastMinute: null, lastClose: null, window: [], episode: null };
    // Only bars within `window` minutes of the last one can fall in a later bar's window.
    const keepFrom = this.#lastMinute - this.#config.windowMinutes + 1;
    const window: SymbolState['window'] = [];
    for (let i = 0; i < this.#window.size; i++) {
      const minute = this.#window.minute(i);
      if (minute >= keepFrom) window.push({ minute, volume: this.#window.text(i) });
    }
    const lastClose = this.#lastCloseText ?? formatDecimal(this.#lastCloseMantissa, this.#lastCloseScale);
    const episode = this.#episode === null ? null : { ...this.#episode };
    return { lastMinute: this.#lastMinute, lastClose, window, episode };
  }
}
