/**
 * Follows one symbol's processed bars in minute order (the bars the rules ran on), gives each its figures
 * against the symbol's baseline, its part in the market's minute, and keeps the figures of each episode's bars
 * for its score. The batch CLI drives it from the rules as they run; the pipeline from the stored history.
 */
import { SymbolBaseline, type BaselineKind } from './baseline.js';
import { marketPartOf, type MarketPart } from './marketMinutes.js';

/** The longest time from a bar to the one before it over which its log return is taken (a week). */
export const RETURN_SPAN_MINUTES = 7 * 1440;

/**
 * A symbol's bars' parts in the market's minutes, and their log returns, from its processed bars in minute order:
 * all the market needs of a symbol (historyScoring.ts follows every symbol with this alone).
 */
export class MarketParts {
  #lastClose = Number.NaN;
  #lastMinute = Number.NEGATIVE_INFINITY;
  /** The log return of the bar last given (NaN without one). */
  logReturn = Number.NaN;

  /** @param windowMean the mean volume of A2's window before the bar (NaN for an empty window) */
  part(minute: number, close: number, volume: number, windowMean: number): MarketPart {
    // A return over more than a week says nothing about a minute: it is not one (and the pipeline, which reads a
    // week back for a day's returns, gets the same figures).
    this.logReturn =
      this.#lastClose > 0 && close > 0 && minute - this.#lastMinute <= RETURN_SPAN_MINUTES
        ? Math.log(close / this.#lastClose)
        : Number.NaN;
    this.#lastClose = close;
    this.#lastMinute = minute;
    // Its part in the market's minute needs nothing but the rules' own state (the last close and A2's window), so
    // that the pipeline can work out any symbol's part from its stored bars of the day alone.
    return marketPartOf(
      this.logReturn,
      volume > 0 && windowMean > 0 ? Math.log(volume / windowMean) : Number.NaN,
    );
  }
}

/** The figures of one bar of an episode. */
export interface EpisodeBar {
  minute: number;
  /** Whether a rule fired on it (an alert), or it only lies between two alerts. */
  alert: boolean;
  /** Its log return from the bar before (NaN for the symbol's first). */
  logReturn: number;
  /** The volatility it is measured against: its time of day's, or the day's recent one if higher. */
  volatility: number;
  volume: number;
  /** log((volume + floor) / (usual + floor)): how far above its usual volume at that time of day. */
  surprise: number;
  /** The usual volume at that time of day, or null without a baseline. */
  usualVolume: number | null;
  /** The spread of log volume at that time of day. */
  volumeSpread: number;
  /** Its own part in the market's minute (taken out when the market is asked about it). */
  part: MarketPart;
}

/** An episode's bars with their figures, and the baseline it was judged against. */
export interface EpisodeFigures {
  symbol: string;
  start: number;
  end: number;
  baseline: BaselineKind;
  /** The share of the baseline's minutes that traded nothing. */
  zeroShare: number;
  /** The minute of the day the symbol's session usually closes at (UTC), or null. */
  closeMinute: number | null;
  bars: EpisodeBar[];
}

/** Where a bar's figures go: the market's minute. */
export interface MarketSink {
  add(minute: number, part: MarketPart, sign?: 1 | -1): void;
}

export class SymbolScoring {
  readonly symbol: string;
  readonly #baseline = new SymbolBaseline();
  readonly #returns = new MarketParts();
  /** The episode being followed, its bars up to its latest alert. */
  #open: EpisodeFigures | undefined;
  /** Bars after the open episode's latest alert: its bars if another alert joins it. */
  #pending: EpisodeBar[] = [];
  /** The recent volatility at the open episode's start. */
  #startVolatility = Number.NaN;
  readonly #done: EpisodeFigures[] = [];
  /** Where each episode goes once no later alert can join it; without one, kept for {@link episodes}. */
  readonly #onDone: ((figures: EpisodeFigures) => void) | undefined;
  /**
   * Every part given to the market (minute, return units, surprise units), to take back on {@link withdraw};
   * not kept with `onDone` (24 bytes a bar of every bar, where the caller can work them out again).
   */
  readonly #parts: number[] | undefined;

  /**
   * @param gapMinutes contract §5's episode gap: bars further than that after an episode's latest alert are not
   *   kept for it
   * @param onDone given each episode as soon as it is done, in minute order (see {@link finish}), instead of
   *   keeping them all; such a symbol cannot be withdrawn
   */
  constructor(
    symbol: string,
    private readonly market: MarketSink,
    private readonly gapMinutes: number,
    onDone?: (figures: EpisodeFigures) => void,
  ) {
    this.symbol = symbol;
    this.#onDone = onDone;
    this.#parts = onDone === undefined ? [] : undefined;
  }

  /** Takes every part this symbol gave back out of the market (a symbol to be followed again from scratch). */
  withdraw(): void {
    const parts = this.#parts;
    if (parts === undefined) throw new TypeError(`${this.symbol}: its parts were not kept to withdraw`);
    for (let i = 0; i < parts.length; i += 3) {
      this.market.add(parts[i]!, { returnUnits: parts[i + 1]!, surpriseUnits: parts[i + 2]! }, -1);
    }
    parts.length = 0;
  }

  /**
   * A processed bar, in minute order.
   * @param windowMean the mean volume of A2's window before it (NaN for an empty window)
   * @param episodeStart the start minute of the episode its alert belongs to, or null when no rule fired
   */
  bar(minute: number, close: number, volume: number, windowMean: number, episodeStart: number | null): void {
    const part = this.#returns.part(minute, close, volume, windowMean);
    const logReturn = this.#returns.logReturn;
    this.market.add(minute, part);
    this.#parts?.push(minute, part.returnUnits, part.surpriseUnits);

    let open = this.#open;
    if (open !== undefined && minute - open.end > this.gapMinutes) {
      // No later alert can join it any more.
      this.#finished(open);
      this.#open = open = undefined;
      this.#pending = [];
    }
    const starts = episodeStart !== null && (open === undefined || open.start !== episodeStart);
    if (!starts && open === undefined) {
      // Outside every episode a bar needs no baseline (its market part does not use one). Asking for it only where
      // an episode needs it changes nothing (a baseline depends on the bars added, not on what was asked) and
      // saves most of the work: from a symbol's recent bars (before it has an earlier day) a baseline is worked
      // out afresh for each bar, and settle replays every symbol's day at each settle.
      this.#baseline.add(minute, logReturn, volume);
      return;
    }
    const baseline = this.#baseline.baselineAt(minute);
    const surprise =
      baseline.kind === 'none'
        ? Number.NaN
        : Math.log((volume + baseline.volumeFloor) / (baseline.usualVolume + baseline.volumeFloor));
    if (starts) {
      if (open !== undefined) this.#finished(open);
      this.#startVolatility = this.#baseline.recentVolatility(minute);
      this.#open = {
        symbol: this.symbol,
        start: minute,
        end: minute,
        baseline: baseline.kind,
        zeroShare: baseline.zeroShare,
        closeMinute: baseline.closeMinute,
        bars: [],
      };
      this.#pending = [];
    }
    if (this.#open !== undefined) {
      const volatility = Number.isNaN(this.#startVolatility)
        ? baseline.volatility
        : Math.max(baseline.volatility, this.#startVolatility);
      const figures: EpisodeBar = {
        minute,
        alert: episodeStart !== null,
        logReturn,
        volatility,
        volume,
        surprise: Number.isNaN(surprise) ? 0 : surprise,
        usualVolume: baseline.kind === 'none' ? null : baseline.usualVolume,
        volumeSpread: baseline.volumeSpread,
        part,
      };
      if (episodeStart !== null) {
        const episode = this.#open;
        // Pushed one by one, and a new pending array only where the old one holds any: a spread and a new array
        // for each alert bar (17 million at the seed's scale) were a twentieth of following the bars.
        const pending = this.#pending;
        for (let i = 0; i < pending.length; i++) episode.bars.push(pending[i]!);
        episode.bars.push(figures);
        episode.end = minute;
        if (pending.length > 0) this.#pending = [];
      } else {
        this.#pending.push(figures);
      }
    }
    this.#baseline.add(minute, logReturn, volume);
  }

  /** After the symbol's last bar: its last episode is done too. */
  finish(): void {
    if (this.#open !== undefined) this.#finished(this.#open);
    this.#open = undefined;
    this.#pending = [];
  }

  #finished(figures: EpisodeFigures): void {
    if (this.#onDone === undefined) this.#done.push(figures);
    else this.#onDone(figures);
  }

  /** Every episode followed, in minute order (the last one as it stands); none when given to `onDone`. */
  episodes(): EpisodeFigures[] {
    return this.#open === undefined ? [...this.#done] : [...this.#done, this.#open];
  }
}
