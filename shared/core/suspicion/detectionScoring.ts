/**
 * The scores of a whole detection's episodes (the batch CLI's): follows every symbol's processed bars as the rules
 * run (an observer per symbol), and scores each episode once every object is in, when the market's minutes are
 * complete.
 */
import type { BarObserver } from '../rules.js';
import { formatMinute } from '../timestamp.js';
import { scoreEpisode, type ScoredEpisode } from './episodeScore.js';
import { NO_PEER_GROUPS, type PeerGroups } from './peerGroups.js';
import { PeerMarket } from './peerMarket.js';
import { SymbolScoring } from './symbolScoring.js';

/** An episode's key in {@link DetectionScoring.scores}: its symbol and first minute (ISO 8601 UTC). */
export const episodeKey = (symbol: string, start: string) => `${symbol}@${start}`;

export class DetectionScoring {
  readonly #market: PeerMarket;
  readonly #symbols = new Map<string, SymbolScoring>();

  /**
   * @param gapMinutes contract §5's episode gap
   * @param peerGroups who is whose peer (contract §6 Market); none: the whole market for every symbol
   */
  constructor(
    private readonly gapMinutes: number,
    peerGroups: PeerGroups = NO_PEER_GROUPS,
  ) {
    this.#market = new PeerMarket(peerGroups);
  }

  /** The observer of a symbol's bars; a symbol asked for again starts over, its earlier bars taken back. */
  readonly observe = (symbol: string): BarObserver => {
    this.#symbols.get(symbol)?.withdraw();
    const scoring = new SymbolScoring(symbol, this.#market.sinkOf(symbol), this.gapMinutes);
    this.#symbols.set(symbol, scoring);
    return scoring;
  };

  /** Every episode's score, by {@link episodeKey}: call once every object is in. */
  scores(): Map<string, ScoredEpisode> {
    const scores = new Map<string, ScoredEpisode>();
    for (const scoring of this.#symbols.values()) {
      for (const figures of scoring.episodes()) {
        scores.set(
          episodeKey(figures.symbol, formatMinute(figures.start)),
          scoreEpisode(figures, this.#market.viewOf(figures.symbol), true),
        );
      }
    }
    return scores;
  }
}
