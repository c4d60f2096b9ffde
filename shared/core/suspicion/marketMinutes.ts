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

export function marketPartOf(logReturn: number, surprise: number): MarketPart {
  const clip = (value: number, limit: number) => Math.max(-limit, Math.min(limit, value));
  return {
    returnUnits: Number.isNaN(logReturn) ? Number.NaN : Math.round(clip(logReturn, MAX_RETURN) * RETURN_UNIT),
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

interface Sums {
  returns: number;
  returnSum: number;
  surprises: number;
  surpriseSum: number;
}

export class MarketMinutes {
  readonly #minutes = new Map<number, Sums>();

  /** Adds a bar's part (sign 1), or takes it out again (sign -1). */
  add(minute: number, part: MarketPart, sign: 1 | -1 = 1): void {
    let sums = this.#minutes.get(minute);
    if (sums === undefined) {
      sums = { returns: 0, returnSum: 0, surprises: 0, surpriseSum: 0 };
      this.#minutes.set(minute, sums);
    }
    if (!Number.isNaN(part.returnUnits)) {
      sums.returns += sign;
      sums.returnSum += sign * part.returnUnits;
    }
    if (!Number.isNaN(part.surpriseUnits)) {
      sums.surprises += sign;
      sums.surpriseSum += sign * part.surpriseUnits;
    }
  }

  /**
   * The market that minute without `own` (the part of the symbol being judged, if it gave one).
   * @param fewest the fewest other symbols a figure needs
   */
  without(minute: number, own: MarketPart, fewest = MIN_MARKET_SYMBOLS): MarketMinute {
    const sums = this.#minutes.get(minute);
    if (sums === undefined) return { logReturn: null, surprise: null, symbols: 0, peers: null };
    const ownReturn = Number.isNaN(own.returnUnits) ? 0 : 1;
    const ownSurprise = Number.isNaN(own.surpriseUnits) ? 0 : 1;
    const returns = sums.returns - ownReturn;
    const surprises = sums.surprises - ownSurprise;
    return {
      logReturn:
        returns >= fewest ? (sums.returnSum - ownReturn * own.returnUnits) / returns / RETURN_UNIT : null,
      surprise:
        surprises >= fewest
          ? (sums.surpriseSum - ownSurprise * own.surpriseUnits) / surprises / SURPRISE_UNIT
          : null,
      symbols: returns,
      peers: null,
    };
  }
}
