/**
 * The market each symbol is judged against (contract §6 Market): its peers' mean that minute where a peer group
 * gives it one and at least {@link MIN_PEER_SYMBOLS} other peers traded, else the whole market's. A sector that
 * moves together (its news, its flows) is then explained away for its members, as a market-wide move is for all.
 */
import type { MarketView } from './episodeScore.js';
import {
  MarketMinutes,
  MIN_PEER_SYMBOLS,
  type MarketMinute,
  type MarketPart,
  type SharedMarketMinutes,
} from './marketMinutes.js';
import { NO_PEER_GROUPS, type PeerGroups } from './peerGroups.js';
import type { MarketSink } from './symbolScoring.js';

/** A {@link PeerMarket} complete, in memory threads share, with who is whose peer. */
export interface SharedPeerMarket {
  market: SharedMarketMinutes;
  groups: Array<[string, SharedMarketMinutes]>;
  peerGroups: Array<[string, string]>;
}

export class PeerMarket {
  #market = new MarketMinutes();
  readonly #groups = new Map<string, MarketMinutes>();

  constructor(private readonly peerGroups: PeerGroups = NO_PEER_GROUPS) {}

  /** A copy, to be read only, in memory shared between threads (see MarketMinutes.share). */
  share(): SharedPeerMarket {
    return {
      market: this.#market.share(),
      groups: [...this.#groups].map(([name, minutes]) => [name, minutes.share()]),
      peerGroups: [...this.peerGroups],
    };
  }

  /** The market {@link share}d, read where it is: to ask, never to add to. */
  static fromShared(shared: SharedPeerMarket): PeerMarket {
    const market = new PeerMarket(new Map(shared.peerGroups));
    market.#market = MarketMinutes.fromShared(shared.market);
    for (const [name, minutes] of shared.groups) market.#groups.set(name, MarketMinutes.fromShared(minutes));
    return market;
  }

  #groupOf(symbol: string): { name: string; minutes: MarketMinutes } | undefined {
    const name = this.peerGroups.get(symbol);
    if (name === undefined) return undefined;
    let minutes = this.#groups.get(name);
    if (minutes === undefined) {
      minutes = new MarketMinutes();
      this.#groups.set(name, minutes);
    }
    return { name, minutes };
  }

  /** Where `symbol`'s bars give their parts: the whole market's minutes and its group's. */
  sinkOf(symbol: string): MarketSink {
    const group = this.#groupOf(symbol)?.minutes;
    return {
      add: (minute, part, sign = 1) => {
        this.#market.add(minute, part, sign);
        group?.add(minute, part, sign);
      },
    };
  }

  /** The market as `symbol`'s episodes are judged against it. */
  viewOf(symbol: string): MarketView {
    const market = this.#market;
    const group = this.#groupOf(symbol);
    if (group === undefined) return { without: (minute, own) => market.without(minute, own) };
    return {
      without: (minute: number, own: MarketPart): MarketMinute => {
        const peers = group.minutes.without(minute, own, MIN_PEER_SYMBOLS);
        if (peers.logReturn !== null && peers.surprise !== null) return { ...peers, peers: group.name };
        // Each figure from the peers where enough of them gave it, else from the whole market.
        const whole = market.without(minute, own);
        return peers.logReturn === null
          ? { ...whole, surprise: peers.surprise ?? whole.surprise }
          : { ...peers, surprise: whole.surprise, peers: group.name };
      },
    };
  }
}
