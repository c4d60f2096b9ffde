/**
 * `calibrate`'s work: one detection per pair of thresholds, all fed the same parsed objects, so that each file is
 * read once whatever the number of settings; then, per setting, the alerts and episodes a day and, against a
 * truth, the recall and the average precision of the episodes' ranking.
 *
 * Each detection keeps only its episodes (the alerts are counted in them) and what scoring them needs (contract
 * §6: the figures of every bar the rules ran on, as `detect --episodes` keeps), not its alerts. A symbol whose bars come out of minute order across the objects is detected
 * again from the objects that hold it, as `detect` does (objectSeriesDetection.ts): the caller gives those objects
 * again, once, and every detection replays them.
 */
import type { DetectionConfig } from '../../shared/core/detectionParameters.js';
import { EpisodeCollector } from '../../shared/core/episodes.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import { ObjectSeriesDetection, type AlertCollector } from '../../shared/core/objectSeriesDetection.js';
import { rankingFigures } from '../../shared/core/rankingQuality.js';
import { DetectionScoring, episodeKey } from '../../shared/core/suspicion/detectionScoring.js';
import { NO_PEER_GROUPS, type PeerGroups } from '../../shared/core/suspicion/peerGroups.js';
import { MINUTES_PER_DAY } from '../../shared/core/timestamp.js';
import type { Truth } from '../../shared/core/truthFile.js';
import { passesMinScore, rankEpisodes, type ScoredEpisode } from './episodeRanking.js';
import type { Setting } from './settings.js';

/** A pair of thresholds, in percent as given, and the configuration the rules run with. */
export interface Thresholds {
  a1Pct: string;
  a2Pct: string;
  config: DetectionConfig;
}

/** What a setting gives. */
export interface SettingFigures extends Setting {
  /** Alerts in the episodes that pass the minimum score, and those episodes. */
  alerts: number;
  episodes: number;
  /** The same per day with bars; null when no file had a bar. */
  alertsPerDay: number | null;
  episodesPerDay: number | null;
  /** Against a truth: planted events inside a passing episode, of all planted; null without a truth. */
  recall: number | null;
  /** Against a truth: the average precision of the passing episodes, ranked (episodeRanking.ts). */
  averagePrecision: number | null;
}

/** Episodes only: the alerts themselves go nowhere. */
const NOWHERE: AlertCollector = { found: () => undefined };

interface Run extends Thresholds {
  detection: ObjectSeriesDetection;
  episodes: EpisodeCollector;
  /** Follows the bars the rules run on, to score the episodes once every object is in (as detect's). */
  scoring: DetectionScoring;
  /** The second pass's episodes of the disordered symbols. */
  replayed?: EpisodeCollector;
}

export class Calibration {
  readonly #runs: Run[];
  /** UTC days (days since the epoch) with an accepted bar. */
  readonly #days = new Set<number>();
  #finished = false;

  /** @param peerGroups who is whose peer, for the scores (contract §6 Market) */
  constructor(thresholds: readonly Thresholds[], peerGroups: PeerGroups = NO_PEER_GROUPS) {
    this.#runs = thresholds.map((pair) => {
      const episodes = new EpisodeCollector(NOWHERE);
      const scoring = new DetectionScoring(pair.config.episodeGapMinutes, peerGroups);
      const detection = new ObjectSeriesDetection(pair.config, episodes, undefined, scoring.observe);
      return { ...pair, episodes, scoring, detection };
    });
  }

  /**
   * Runs every detection over an object's bars, after the objects added before.
   * @param onDetected called as each detection is done with the object (for a progress bar)
   */
  addObject(bars: ObjectBars, onDetected?: () => void): void {
    const { table } = bars;
    for (const run of bars.runs) {
      for (const row of run.rows) this.#days.add(Math.floor(table.minute(row) / MINUTES_PER_DAY));
    }
    for (const run of this.#runs) {
      run.detection.addObject(bars);
      onDetected?.();
    }
  }

  /**
   * The symbols to detect again, whose objects the caller gives back with {@link replayObject}. The same for
   * every detection: whether a bar comes after its symbol's latest minute depends on the minutes alone.
   */
  disorderedSymbols(): string[] {
    return this.#runs[0]?.detection.disorderedSymbols() ?? [];
  }

  /** An object added before, given again as `index` (its place among the objects added). */
  replayObject(index: number, bars: ObjectBars): void {
    for (const run of this.#runs) run.detection.replayObject(index, bars);
  }

  /** Ends the runs: detects the disordered symbols again, when there are any. */
  finish(): void {
    if (this.disorderedSymbols().length > 0) {
      for (const run of this.#runs) {
        run.replayed = new EpisodeCollector(NOWHERE);
        run.detection.finishReplay(run.replayed);
      }
    }
    this.#finished = true;
  }

  /** Days with bars: distinct UTC days on which some object had an accepted bar. */
  get days(): number {
    return this.#days.size;
  }

  /** Each setting's figures, in the order of the thresholds, then of `minScores`. */
  figures(minScores: readonly number[], truth?: Truth): SettingFigures[] {
    if (!this.#finished) throw new TypeError('figures asked for before the calibration finished');
    const disordered = new Set(this.disorderedSymbols());
    const days = this.days;
    return this.#runs.flatMap((run) => {
      const scores = run.scoring.scores();
      const all: ScoredEpisode[] = [
        ...run.episodes.episodes().filter((episode) => !disordered.has(episode.symbol)),
        ...(run.replayed?.episodes() ?? []),
      ].map((episode) => {
        const scored = scores.get(episodeKey(episode.symbol, episode.start));
        // Every episode the rules made was followed: a missing score is a bug, not a property of the data.
        if (scored === undefined)
          throw new Error(`no score for the episode ${episode.symbol} at ${episode.start}`);
        return { ...episode, score: scored.score.score };
      });
      return minScores.map((minScore) => {
        const passing = all.filter((episode) => passesMinScore(episode, minScore));
        const alerts = passing.reduce((sum, episode) => sum + episode.count, 0);
        const quality =
          truth === undefined
            ? undefined
            : rankingFigures(rankEpisodes(passing), truth.planted, truth.legitimate);
        return {
          a1Pct: run.a1Pct,
          a2Pct: run.a2Pct,
          minScore,
          alerts,
          episodes: passing.length,
          alertsPerDay: days === 0 ? null : alerts / days,
          episodesPerDay: days === 0 ? null : passing.length / days,
          recall: quality?.recall ?? null,
          averagePrecision: quality?.averagePrecision ?? null,
        };
      });
    });
  }
}
