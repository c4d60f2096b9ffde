/**
 * Episodes (contract §5) as records: what `detect --episodes` writes, and what detect's function stores. The
 * detector itself groups alerts into episodes as it runs (rules.ts); this module only keeps and shows them.
 */
import type { AlertCollector } from './objectSeriesDetection.js';
import type { Finding } from './finding.js';
import type { EpisodeState } from './symbolState.js';
import { SCORE_FACTORS } from './suspicion/suspicionScore.js';
import { formatMinute } from './timestamp.js';

export interface Episode {
  symbol: string;
  /** Minutes of its first and last alert, ISO 8601 UTC. */
  start: string;
  end: string;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
}

export function episodeOf(symbol: string, state: EpisodeState): Episode {
  return {
    symbol,
    start: formatMinute(state.start),
    end: formatMinute(state.end),
    count: state.count,
    a1: state.a1,
    a2: state.a2,
    peakSeverity: state.peakSeverity,
  };
}

/**
 * Passes each finding on, and keeps the episodes they belong to. A detector changes an episode in place while
 * alerts join it, so holding the episode itself is enough to see it whole once the run ends.
 */
export class EpisodeCollector implements AlertCollector {
  readonly #episodes: Array<{ symbol: string; state: EpisodeState }> = [];
  readonly #seen = new WeakSet<EpisodeState>();
  #last: EpisodeState | undefined;

  constructor(private readonly next: AlertCollector) {}

  found(finding: Finding): void {
    const episode = finding.episode;
    if (episode !== this.#last) {
      this.#last = episode;
      if (!this.#seen.has(episode)) {
        this.#seen.add(episode);
        this.#episodes.push({ symbol: finding.symbol, state: episode });
      }
    }
    this.next.found(finding);
  }

  /** Every episode, by symbol (in code-unit order) then start. */
  episodes(): Episode[] {
    return this.#episodes.map(({ symbol, state }) => episodeOf(symbol, state)).sort(compareEpisodes);
  }
}

/** The order episodes are written in: by symbol (in code-unit order), then start. */
export function compareEpisodes(a: Episode, b: Episode): number {
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/** The columns of `detect --episodes FILE.csv`: the episode, its score, then each score factor's points. */
export const EPISODE_CSV_COLUMNS = [
  'symbol',
  'start',
  'end',
  'count',
  'a1',
  'a2',
  'peakSeverity',
  'score',
  'scoreBaseline',
  ...SCORE_FACTORS,
] as const;
