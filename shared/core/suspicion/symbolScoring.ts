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

/** An episode without its bars: what it is and what it was judged against. */
export type EpisodeHead = Omit<EpisodeFigures, 'bars'>;

/** A row's numbers: its figures as {@link EpisodeBar} has them, a flag a number. */
const ROW = 11;

/**
 * The figures of an episode's bars as numbers, a row a bar, in room reused from episode to episode: the batch CLI
 * follows 25 million episode bars at the seed's scale and sets them aside as numbers (episodeRecords.ts), and an
 * object each (two, with its market part) on the way was about a twelfth of the main thread's rules and figures.
 * The rows after the episode's latest alert are pending: its bars only if another alert joins it.
 */
export class EpisodeRows {
  #numbers = new Float64Array(ROW * 64);
  /** Rows in use: the episode's bars, then the pending ones. */
  #length = 0;
  /** The episode's bars: the rows up to its latest alert. */
  #committed = 0;

  /** The episode's bars (the pending rows are not among them). */
  get count(): number {
    return this.#committed;
  }

  /** Adds a pending row. */
  push(
    minute: number,
    alert: boolean,
    logReturn: number,
    volatility: number,
    volume: number,
    surprise: number,
    usualVolume: number | null,
    volumeSpread: number,
    returnUnits: number,
    surpriseUnits: number,
  ): void {
    if ((this.#length + 1) * ROW > this.#numbers.length) {
      const grown = new Float64Array(this.#numbers.length * 2);
      grown.set(this.#numbers);
      this.#numbers = grown;
    }
    const r = this.#numbers;
    const at = this.#length++ * ROW;
    r[at] = minute;
    r[at + 1] = alert ? 1 : 0;
    r[at + 2] = logReturn;
    r[at + 3] = volatility;
    r[at + 4] = volume;
    r[at + 5] = surprise;
    r[at + 6] = usualVolume ?? 0;
    r[at + 7] = usualVolume === null ? 0 : 1;
    r[at + 8] = volumeSpread;
    r[at + 9] = returnUnits;
    r[at + 10] = surpriseUnits;
  }

  /** Every row so far is the episode's (an alert joined them). */
  commit(): void {
    this.#committed = this.#length;
  }

  /** No rows: for the next episode. */
  clear(): void {
    this.#length = 0;
    this.#committed = 0;
  }

  // A row's figures, as EpisodeBar names them.
  minute(row: number): number {
    return this.#numbers[row * ROW]!;
  }
  alert(row: number): boolean {
    return this.#numbers[row * ROW + 1] === 1;
  }
  logReturn(row: number): number {
    return this.#numbers[row * ROW + 2]!;
  }
  volatility(row: number): number {
    return this.#numbers[row * ROW + 3]!;
  }
  volume(row: number): number {
    return this.#numbers[row * ROW + 4]!;
  }
  surprise(row: number): number {
    return this.#numbers[row * ROW + 5]!;
  }
  usualVolume(row: number): number | null {
    return this.#numbers[row * ROW + 7] === 1 ? this.#numbers[row * ROW + 6]! : null;
  }
  volumeSpread(row: number): number {
    return this.#numbers[row * ROW + 8]!;
  }
  returnUnits(row: number): number {
    return this.#numbers[row * ROW + 9]!;
  }
  surpriseUnits(row: number): number {
    return this.#numbers[row * ROW + 10]!;
  }

  /** The episode's bars as objects. */
  bars(): EpisodeBar[] {
    const bars: EpisodeBar[] = [];
    for (let row = 0; row < this.#committed; row++) {
      bars.push({
        minute: this.minute(row),
        alert: this.alert(row),
        logReturn: this.logReturn(row),
        volatility: this.volatility(row),
        volume: this.volume(row),
        surprise: this.surprise(row),
        usualVolume: this.usualVolume(row),
        volumeSpread: this.volumeSpread(row),
        part: { returnUnits: this.returnUnits(row), surpriseUnits: this.surpriseUnits(row) },
      });
    }
    return bars;
  }
}

/** An episode done: its head, and its bars as rows (valid only until the call it is given to returns). */
export interface DoneEpisode {
  head: EpisodeHead;
  rows: EpisodeRows;
}

/** The rows of an episode's figures (as SymbolScoring would have given them). */
export function episodeRowsOf(figures: EpisodeFigures): DoneEpisode {
  const { bars, ...head } = figures;
  const rows = new EpisodeRows();
  for (const bar of bars) {
    rows.push(
      bar.minute,
      bar.alert,
      bar.logReturn,
      bar.volatility,
      bar.volume,
      bar.surprise,
      bar.usualVolume,
      bar.volumeSpread,
      bar.part.returnUnits,
      bar.part.surpriseUnits,
    );
  }
  rows.commit();
  return { head, rows };
}

/** Where a bar's figures go: the market's minute. */
export interface MarketSink {
  add(minute: number, part: MarketPart, sign?: 1 | -1): void;
}

export class SymbolScoring {
  readonly symbol: string;
  readonly #baseline = new SymbolBaseline();
  readonly #returns = new MarketParts();
  /** The episode being followed (its end: its latest alert). */
  #open: EpisodeHead | undefined;
  /** Its bars' figures, and the bars after its latest alert. */
  readonly #rows = new EpisodeRows();
  /** The recent volatility at the open episode's start. */
  #startVolatility = Number.NaN;
  readonly #done: EpisodeFigures[] = [];
  /** Where each episode goes once no later alert can join it; without one, kept for {@link episodes}. */
  readonly #onDone: ((episode: DoneEpisode) => void) | undefined;
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
    onDone?: (episode: DoneEpisode) => void,
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
      this.#rows.clear();
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
      };
      this.#rows.clear();
    }
    if (this.#open !== undefined) {
      const volatility = Number.isNaN(this.#startVolatility)
        ? baseline.volatility
        : Math.max(baseline.volatility, this.#startVolatility);
      this.#rows.push(
        minute,
        episodeStart !== null,
        logReturn,
        volatility,
        volume,
        Number.isNaN(surprise) ? 0 : surprise,
        baseline.kind === 'none' ? null : baseline.usualVolume,
        baseline.volumeSpread,
        part.returnUnits,
        part.surpriseUnits,
      );
      if (episodeStart !== null) {
        // The bars pending since the latest alert join the episode with this one.
        this.#open.end = minute;
        this.#rows.commit();
      }
    }
    this.#baseline.add(minute, logReturn, volume);
  }

  /** After the symbol's last bar: its last episode is done too. */
  finish(): void {
    if (this.#open !== undefined) this.#finished(this.#open);
    this.#open = undefined;
    this.#rows.clear();
  }

  #finished(head: EpisodeHead): void {
    if (this.#onDone === undefined) this.#done.push({ ...head, bars: this.#rows.bars() });
    else this.#onDone({ head, rows: this.#rows });
  }

  /** Every episode followed, in minute order (the last one as it stands); none when given to `onDone`. */
  episodes(): EpisodeFigures[] {
    return this.#open === undefined
      ? [...this.#done]
      : [...this.#done, { ...this.#open, bars: this.#rows.bars() }];
  }
}
