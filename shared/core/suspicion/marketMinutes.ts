/**
 * What the whole market did each minute (contract §6 Market): the sum of its symbols' log returns and volume
 * surprises, and how many symbols gave each. A symbol's episode is measured against the other symbols' mean,
 * its own part taken out. Sums are kept in whole units (1e-8 of a log return, 1e-6 of a volume surprise), so
 * that adding and taking out symbols in any order gives the same figures to the last bit.
 */

/** A log return's whole units, and the most a single bar moves the market by (±10%). */
const RETURN_UNIT = 1e8;
const MAX_RETURN = 0.1;
const SURPRISE_UNIT = 1e6;
const MAX_SURPRISE = 8;
/** Other symbols a minute needs for the market's figure to mean anything. */
export const MIN_MARKET_SYMBOLS = 5;
/** Other peers a minute needs for the peers' figure to stand for the market's (peerMarket.ts). */
export const MIN_PEER_SYMBOLS = 3;

/** A bar's part in its minute's market figures: NaN where it gives none. */
export interface MarketPart {
  returnUnits: number;
  surpriseUnits: number;
}

const clip = (value: number, limit: number) => Math.max(-limit, Math.min(limit, value));

/** A log return's part in its minute (NaN for none): all a bar's return part needs. */
export const returnUnitsOf = (logReturn: number) =>
  Number.isNaN(logReturn) ? Number.NaN : Math.round(clip(logReturn, MAX_RETURN) * RETURN_UNIT);

export function marketPartOf(logReturn: number, surprise: number): MarketPart {
  return {
    returnUnits: returnUnitsOf(logReturn),
    surpriseUnits: Number.isNaN(surprise)
      ? Number.NaN
      : Math.round(clip(surprise, MAX_SURPRISE) * SURPRISE_UNIT),
  };
}

/** The other symbols' mean that minute, or null with too few of them. */
export interface MarketMinute {
  logReturn: number | null;
  surprise: number | null;
  /** How many other symbols gave a return that minute. */
  symbols: number;
  /** The peer group whose mean the return is, or null for the whole market's (peerMarket.ts). */
  peers: string | null;
}

/** Numbers a minute keeps: how many symbols gave a return and their sum, how many gave a surprise and their sum. */
const FIGURES = 4;
const DAY_MINUTES = 1440;

/**
 * A market's minutes, complete, in memory that threads share: what scoring workers read (cli/detect/scorePool.ts)
 * instead of a copy each. Its days in ascending order, each day's slots (1440 of them) in `slots` in that order.
 */
export interface SharedMarketMinutes {
  days: Float64Array;
  slots: Int32Array;
  sums: Float64Array;
}

export class MarketMinutes {
  /**
   * Per UTC day that has any, each of its minutes' place in {@link #sums} plus 1 (0: none). Kept in typed arrays
   * rather than an object a minute in a Map: three years of minutes (281,000) took 124 bytes a minute that way,
   * 33 MB of heap for the market and as much again for each peer group, and the collector let the heap grow to
   * four times what it held; here about 50 bytes a minute (with the room to grow), outside the heap.
   */
  readonly #days = new Map<number, Int32Array>();
  #sums: Float64Array = new Float64Array(FIGURES * 1024);
  #used = 0;
  /**
   * The day last looked up, and its slots: a symbol's bars come in minute order, and its episodes' too, so that
   * nearly every minute asked for is on the day before it (a Map lookup a bar was a fiftieth of `detect --episodes`'
   * main thread).
   */
  #lastDay = Number.NaN;
  #lastSlots: Int32Array | undefined;

  /** A copy of the minutes, to be read only, in memory shared between threads. */
  share(): SharedMarketMinutes {
    const days = Float64Array.from([...this.#days.keys()].sort((a, b) => a - b));
    const slots = new Int32Array(new SharedArrayBuffer(days.length * DAY_MINUTES * 4));
    days.forEach((day, i) => slots.set(this.#days.get(day)!, i * DAY_MINUTES));
    const sums = new Float64Array(new SharedArrayBuffer(this.#used * 8));
    sums.set(this.#sums.subarray(0, this.#used));
    return { days, slots, sums };
  }

  /** The minutes {@link share}d, read where they are: to ask, never to add to. */
  static fromShared(shared: SharedMarketMinutes): MarketMinutes {
    const minutes = new MarketMinutes();
    shared.days.forEach((day, i) =>
      minutes.#days.set(day, shared.slots.subarray(i * DAY_MINUTES, (i + 1) * DAY_MINUTES)),
    );
    minutes.#sums = shared.sums;
    minutes.#used = shared.sums.length;
    return minutes;
  }

  /** Adds a bar's part (sign 1), or takes it out again (sign -1). */
  add(minute: number, part: MarketPart, sign: 1 | -1 = 1): void {
    const day = Math.floor(minute / DAY_MINUTES);
    let slots = this.#slotsOf(day);
    if (slots === undefined) {
      slots = new Int32Array(DAY_MINUTES);
      this.#days.set(day, slots);
      this.#lastSlots = slots;
    }
    const at = minute - day * DAY_MINUTES;
    let slot = slots[at]! - 1;
    if (slot < 0) {
      slot = this.#used;
      this.#used += FIGURES;
      if (this.#used > this.#sums.length) {
        const grown = new Float64Array(this.#sums.length * 2);
        grown.set(this.#sums);
        this.#sums = grown;
      }
      slots[at] = slot + 1;
    }
    const sums = this.#sums;
    if (!Number.isNaN(part.returnUnits)) {
      sums[slot] = sums[slot]! + sign;
      sums[slot + 1] = sums[slot + 1]! + sign * part.returnUnits;
    }
    if (!Number.isNaN(part.surpriseUnits)) {
      sums[slot + 2] = sums[slot + 2]! + sign;
      sums[slot + 3] = sums[slot + 3]! + sign * part.surpriseUnits;
    }
  }

  /**
   * The market that minute without `own` (the part of the symbol being judged, if it gave one).
   * @param fewest the fewest other symbols a figure needs
   */
  without(minute: number, own: MarketPart, fewest = MIN_MARKET_SYMBOLS): MarketMinute {
    const day = Math.floor(minute / DAY_MINUTES);
    const slot = (this.#slotsOf(day)?.[minute - day * DAY_MINUTES] ?? 0) - 1;
    if (slot < 0) return { logReturn: null, surprise: null, symbols: 0, peers: null };
    const sums = this.#sums;
    // A part the symbol did not give (NaN) is not taken out: 0 × NaN would make the others' figure NaN.
    const ownReturn = Number.isNaN(own.returnUnits) ? 0 : own.returnUnits;
    const ownSurprise = Number.isNaN(own.surpriseUnits) ? 0 : own.surpriseUnits;
    const returns = sums[slot]! - (Number.isNaN(own.returnUnits) ? 0 : 1);
    const surprises = sums[slot + 2]! - (Number.isNaN(own.surpriseUnits) ? 0 : 1);
    return {
      logReturn: returns >= fewest ? (sums[slot + 1]! - ownReturn) / returns / RETURN_UNIT : null,
      surprise: surprises >= fewest ? (sums[slot + 3]! - ownSurprise) / surprises / SURPRISE_UNIT : null,
      symbols: returns,
      peers: null,
    };
  }

  /** The day's slots, if it has any. */
  #slotsOf(day: number): Int32Array | undefined {
    if (day !== this.#lastDay) {
      this.#lastDay = day;
      this.#lastSlots = this.#days.get(day);
    }
    return this.#lastSlots;
  }
}
