/**
 * The scores of a whole detection's episodes in bounded memory (the batch CLI's `detect --episodes`): follows
 * every symbol's processed bars as the rules run, adds each bar's part to the market's minutes, and hands each
 * episode, with the figures its score needs, to a sink as soon as no later bar can change it. A score needs the
 * whole market's minutes, complete only once every object is in, so the sink sets the figures aside and they are
 * scored afterwards ({@link score}), a symbol at a time; what is held here is the market's sums (a few numbers a
 * minute) and each symbol's open episode, not every episode bar's figures (detectionScoring.ts holds those, about
 * 600 bytes a bar).
 */
import type { AlertCollector } from '../objectSeriesDetection.js';
import type { BarObserver } from '../rules.js';
import type { EpisodeState } from '../symbolState.js';
import { episodeScore, type MinuteScore } from './episodeScore.js';
import type { EpisodeCounts } from './episodeRecords.js';
import type { PeerGroups } from './peerGroups.js';
import { PeerMarket, type SharedPeerMarket } from './peerMarket.js';
import { MarketParts, SymbolScoring, type EpisodeFigures } from './symbolScoring.js';

/** Where done episodes go. */
export interface DoneEpisodeSink {
  /** An episode no later bar changes; a symbol's come in minute order. */
  done(symbol: string, counts: EpisodeCounts, figures: EpisodeFigures): void;
  /** Forgets every episode `symbol` gave so far (it is followed again from scratch). */
  withdraw(symbol: string): void;
}

interface Followed {
  scoring: SymbolScoring;
  /** The symbol's latest episode as the rules keep it (its alerts' counts), from the findings. */
  state: EpisodeState | undefined;
}

export class DoneEpisodes {
  readonly #market: PeerMarket;
  readonly #symbols = new Map<string, Followed>();

  /**
   * @param gapMinutes contract §5's episode gap
   * @param peerGroups who is whose peer (contract §6 Market); NO_PEER_GROUPS for the whole market
   */
  constructor(
    private readonly gapMinutes: number,
    peerGroups: PeerGroups,
    private readonly sink: DoneEpisodeSink,
  ) {
    this.#market = new PeerMarket(peerGroups);
  }

  /**
   * The observer of a symbol's bars. A symbol asked for again starts over: its episodes so far are withdrawn
   * from the sink, and its parts in the market must be taken back through {@link takeBack}.
   */
  readonly observe = (symbol: string): BarObserver => {
    if (this.#symbols.has(symbol)) this.sink.withdraw(symbol);
    const followed: Followed = {
      scoring: new SymbolScoring(symbol, this.#market.sinkOf(symbol), this.gapMinutes, (figures) =>
        this.#done(symbol, followed, figures),
      ),
      state: undefined,
    };
    this.#symbols.set(symbol, followed);
    return followed.scoring;
  };

  /**
   * An observer that takes a symbol's parts back out of the market, given the same bars in the same order as
   * its {@link observe}r was (the second pass runs the first pass's rules again over them): the parts are worked
   * out again rather than kept, 24 bytes a bar of every symbol for the few symbols that come out of order.
   */
  readonly takeBack = (symbol: string): BarObserver => {
    const parts = new MarketParts();
    const market = this.#market.sinkOf(symbol);
    return {
      bar: (minute, close, volume, windowMean) =>
        market.add(minute, parts.part(minute, close, volume, windowMean), -1),
    };
  };

  /** Passes each finding on, noting its episode's counts for {@link DoneEpisodeSink.done}. */
  collector(next: AlertCollector): AlertCollector {
    const symbols = this.#symbols;
    return {
      found: (finding) => {
        const followed = symbols.get(finding.symbol);
        // The rules ask for a symbol's observer before its first bar: a finding without one is a bug.
        if (followed === undefined) throw new Error(`${finding.symbol}: a finding for a symbol not followed`);
        followed.state = finding.episode;
        next.found(finding);
      },
    };
  }

  /** After the last bar (both passes): every symbol's last episode is done too. */
  finish(): void {
    for (const { scoring } of this.#symbols.values()) scoring.finish();
  }

  /** An episode's score against the market: call once every object is in and {@link finish}ed. */
  score(figures: EpisodeFigures): MinuteScore {
    return episodeScore(figures, this.#market.viewOf(figures.symbol), true);
  }

  /** The market, for scoring elsewhere (another thread): call once every object is in and {@link finish}ed. */
  sharedMarket(): SharedPeerMarket {
    return this.#market.share();
  }

  #done(symbol: string, followed: Followed, figures: EpisodeFigures): void {
    // An episode is done when a bar comes past the gap or starts the next one, before the rules' finding for that
    // bar is passed on: the state noted is still this episode's, and final.
    const state = followed.state;
    if (state === undefined || state.start !== figures.start || state.end !== figures.end) {
      throw new Error(`${symbol}: the episode at ${figures.start} has no counts of its own (a bug)`);
    }
    this.sink.done(symbol, { ...state }, figures);
  }
}
