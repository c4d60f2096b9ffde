/**
 * Minute bars of one stock: a geometric random walk on a 0.05 tick with per-symbol price level and volatility,
 * overnight gaps, occasional real jumps, a U-shaped intraday volume profile with autocorrelated noise and
 * bursts, and, for thin stocks, many zero-volume minutes (single ones and long stretches).
 *
 * Prices are whole ticks (1 tick = 0.05 rupees) so that every printed price is exact.
 */
import { SESSION_MINUTES } from './calendar.js';
import type { Random } from './random.js';

export const TICKS_PER_RUPEE = 20;
/** NSE lists new stocks at 10:00 after a special pre-open session: the listing day's first bar is 10:00. */
export const LISTING_FIRST_INDEX = 45;

export interface SymbolProfile {
  symbol: string;
  /** A thinly traded stock: many zero-volume minutes. */
  thin: boolean;
  /** Listed on the first generated day, starting mid-session. */
  listing: boolean;
  startPrice: number;
  /** Standard deviation of one day's log return (0.02 = 2 %). */
  dailyVolatility: number;
  /** Typical shares per minute in the middle of the session. */
  baseVolume: number;
  /** Probability per minute of a real price jump of 0.6–2.5 %. */
  jumpRate: number;
  /** Probability per minute of a volume burst. */
  burstRate: number;
  /** Thin stocks: probability of a lone zero-volume minute, and of starting a 10–60 minute stretch. */
  zeroVolumeShare: number;
  zeroStretchRate: number;
}

/** One bar; `index` is the session minute (0 = 09:15, 374 = 15:29); prices in ticks. */
export interface Bar {
  index: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A run of zero-volume minutes the model planted (a feature of thin stocks, not a fault). */
export interface ZeroStretch {
  firstIndex: number;
  minutes: number;
}

export interface DayBars {
  bars: Bar[];
  stretches: ZeroStretch[];
}

export function createProfile(
  symbol: string,
  random: Random,
  role: { thin: boolean; listing: boolean },
): SymbolProfile {
  const thin = role.thin;
  const startPrice = thin ? random.logUniform(25, 800) : random.logUniform(40, 5000);
  const turnoverPerMinute = thin ? random.logUniform(2e3, 5e4) : random.logUniform(3e5, 3e7);
  return {
    symbol,
    thin,
    listing: role.listing,
    startPrice: Math.round(startPrice * TICKS_PER_RUPEE) / TICKS_PER_RUPEE,
    dailyVolatility: thin ? random.uniform(0.02, 0.04) : random.uniform(0.01, 0.03),
    baseVolume: Math.max(2, turnoverPerMinute / startPrice),
    jumpRate: thin ? 0.004 : 0.002,
    burstRate: 0.004,
    zeroVolumeShare: thin ? random.uniform(0.3, 0.6) : 0,
    zeroStretchRate: thin ? 1 / 250 : 0,
  };
}

/** Volatility by time of day: high after the open, a little higher before the close. */
const volatilityShape = (index: number): number =>
  0.8 + 1.5 * Math.exp(-index / 15) + 0.4 * Math.exp(-(SESSION_MINUTES - 1 - index) / 20);

/** The U-shaped intraday volume profile. */
const volumeShape = (index: number): number =>
  0.55 + 2.2 * Math.exp(-index / 25) + 1.3 * Math.exp(-(SESSION_MINUTES - 1 - index) / 30);

export class MarketModel {
  readonly profile: SymbolProfile;
  readonly #random: Random;
  readonly #minuteSigma: number;
  #logPrice: number;
  #noise = 0;
  #zeroLeft = 0;
  #started = false;

  constructor(profile: SymbolProfile, random: Random) {
    this.profile = profile;
    this.#random = random;
    this.#minuteSigma = profile.dailyVolatility / Math.sqrt(SESSION_MINUTES);
    this.#logPrice = Math.log(profile.startPrice);
  }

  #ticks(): number {
    return Math.max(1, Math.round(Math.exp(this.#logPrice) * TICKS_PER_RUPEE));
  }

  /** Whether a thin stock trades nothing this minute: inside a stretch, at the start of one, or on its own. */
  #zeroVolume(index: number, stretches: ZeroStretch[]): boolean {
    const random = this.#random;
    if (this.#zeroLeft > 0) {
      this.#zeroLeft--;
      return true;
    }
    if (random.chance(this.profile.zeroStretchRate)) {
      const minutes = Math.min(random.int(10, 60), SESSION_MINUTES - index);
      stretches.push({ firstIndex: index, minutes });
      this.#zeroLeft = minutes - 1;
      return true;
    }
    return random.chance(this.profile.zeroVolumeShare);
  }

  /** The next trading day's bars, from session minute `firstIndex` to 15:29. */
  day(firstIndex = 0): DayBars {
    const random = this.#random;
    const profile = this.profile;
    if (this.#started) this.#logPrice += random.normal() * profile.dailyVolatility * 0.35;
    this.#started = true;
    const volumeBoost = firstIndex > 0 ? 3 : 1;
    const bars: Bar[] = [];
    const stretches: ZeroStretch[] = [];
    let previous = this.#ticks();
    this.#zeroLeft = 0;
    let burstLeft = 0;
    let burst = 1;
    for (let index = firstIndex; index < SESSION_MINUTES; index++) {
      const sigma = this.#minuteSigma * volatilityShape(index);
      const jumped = random.chance(profile.jumpRate);
      this.#logPrice += sigma * random.normal() + (jumped ? random.sign() * random.uniform(0.006, 0.025) : 0);
      this.#noise = 0.55 * this.#noise + 0.5 * random.normal();
      if (jumped || random.chance(profile.burstRate)) {
        burstLeft = random.int(1, 5);
        burst = random.uniform(2.5, 8);
      }
      const zero = this.#zeroVolume(index, stretches);
      if (zero) {
        bars.push({ index, open: previous, high: previous, low: previous, close: previous, volume: 0 });
        continue;
      }
      const shape = volumeShape(index) * (burstLeft > 0 ? burst : 1) * volumeBoost;
      if (burstLeft > 0) burstLeft--;
      const volume = Math.max(1, Math.round(profile.baseVolume * shape * Math.exp(this.#noise - 0.2)));
      const close = this.#ticks();
      const open =
        index > firstIndex && random.chance(0.25) ? Math.max(1, previous + random.sign()) : previous;
      const wick = sigma * close * 0.6;
      const high = Math.max(open, close) + Math.round(Math.abs(random.normal()) * wick);
      const low = Math.max(1, Math.min(open, close) - Math.round(Math.abs(random.normal()) * wick));
      bars.push({ index, open, high, low, close, volume });
      previous = close;
    }
    return { bars, stretches };
  }
}
