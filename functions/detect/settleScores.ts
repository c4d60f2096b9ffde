/**
 * Settling scores (contract §6): the pipeline's episodes scored from the stored bars, once the market's bars are
 * in. detect's commits mark the days they change; settle rescores every episode a change can reach (any symbol's
 * over the market's parts of the changed minutes, the changed symbol's own over its baselines' span) and marks
 * the days settled. The dispatcher asks for it whenever detect has caught up; a change that comes later makes
 * the next settle rescore what it reaches, so the scores end where the batch CLI's are, whatever the order.
 */
import type { DetectionConfig } from '../../shared/core/detectionParameters.js';
import type { ScoredEpisode } from '../../shared/core/suspicion/episodeScore.js';
import type { PeerGroups } from '../../shared/core/suspicion/peerGroups.js';
import {
  HISTORY_DAYS_BEFORE,
  MARKET_DAYS_BEFORE,
  marketOf,
  scoreFromHistory,
} from '../../shared/core/suspicion/historyScoring.js';
import { BASELINE_SPAN_DAYS } from '../../shared/core/suspicion/baseline.js';
import { RETURN_SPAN_MINUTES } from '../../shared/core/suspicion/symbolScoring.js';
import { dayOf } from '../../shared/pipeline/barBytes.js';
import type { ChangedDay, EpisodeToScore, ScoreStore } from '../../shared/state/scoreStore.js';
import { shouldEscalate } from '../../shared/pipeline/escalationDecision.js';
import { buildEscalationMessage, type EscalationMessage } from '../../shared/pipeline/escalationMessage.js';
import { formatMinute } from '../../shared/core/timestamp.js';

const DAY = 1440;
/** Changed days taken per round. */
const ROUND_DAYS = 500;
/** Scores written, or days marked settled, a step (see settleScores' `gap`). */
const WRITES_PER_STEP = 50;
/**
 * Episodes are found by their end: one that ends this long after a changed minute's reach can still have begun
 * inside it only if it lasts longer, which an episode (alerts at most a few minutes apart) does not in practice.
 */
const LONGEST_EPISODE = DAY;

const startOfDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / 60_000;

export interface SettleOutcome {
  days: number;
  episodes: number;
  written: number;
  escalated: number;
  /** Whether changed days were left when the time was up (the caller asks again). */
  more: boolean;
}

/** What scores are made with: the rules' parameters (to replay them) and who is whose peer. */
export interface Scoring {
  config: DetectionConfig;
  peerGroups: PeerGroups;
}

/** Where an episode whose settled score crosses the threshold goes, once (the escalate function posts it). */
export interface Escalation {
  threshold: number;
  publish: (messages: readonly EscalationMessage[]) => Promise<unknown>;
}

/** Intervals [from, to) merged where they overlap. */
function merged(intervals: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** The episodes the changed days can reach, withdrawn ones left out. */
async function reachedEpisodes(store: ScoreStore, changed: readonly ChangedDay[]): Promise<EpisodeToScore[]> {
  // A symbol's bar changes its part in the market from that minute to its next bar (at most a week on) and its
  // A2 window; its own baselines for the baseline span after that, and its returns a week more.
  const market = merged(changed.map((day) => [day.from, startOfDay(day.day) + DAY + RETURN_SPAN_MINUTES]));
  const own = new Map<string, Array<[number, number]>>();
  for (const day of changed) {
    const reach: [number, number] = [day.from, startOfDay(day.day) + (BASELINE_SPAN_DAYS + 1) * DAY];
    own.set(day.symbol, [...(own.get(day.symbol) ?? []), reach]);
  }
  const inside = (intervals: ReadonlyArray<[number, number]>, episode: EpisodeToScore) =>
    intervals.some(([from, to]) => episode.end >= from && episode.start < to);
  const found = new Map<string, EpisodeToScore>();
  // One query per stretch of time, whatever the number of symbols (each of the symbol's own reaches is a filter
  // of what it returns): a query per symbol costs a live market's settle a query for every symbol.
  const everything = merged([...market, ...[...own.values()].flat()]);
  for (const [from, to] of everything) {
    for (const episode of await store.episodesEnding(from, to + LONGEST_EPISODE)) {
      if (episode.withdrawn) continue;
      if (inside(market, episode) || inside(own.get(episode.symbol) ?? [], episode))
        found.set(episode.id, episode);
    }
  }
  return [...found.values()];
}

/**
 * Scores the episodes from the stored bars, a few days of episodes at a time: what is held is every symbol's days
 * from the baselines' span before them, whatever the span of all the episodes (a whole history uploaded at once).
 */
async function scoreEpisodes(
  episodes: readonly EpisodeToScore[],
  store: ScoreStore,
  scoring: Scoring,
  gap: () => Promise<void>,
): Promise<Array<{ episode: EpisodeToScore; scored: ScoredEpisode }>> {
  const sorted = [...episodes].sort((a, b) => a.start - b.start);
  const scored: Array<{ episode: EpisodeToScore; scored: ScoredEpisode }> = [];
  for (let i = 0; i < sorted.length;) {
    const windowEnd = (Math.floor(sorted[i]!.start / DAY) + WINDOW_DAYS) * DAY;
    let j = i;
    while (j < sorted.length && sorted[j]!.start < windowEnd) j++;
    scored.push(...(await scoreWindow(sorted.slice(i, j), store, scoring, gap)));
    i = j;
  }
  return scored;
}

/** Days of episode starts scored together. */
const WINDOW_DAYS = 3;

async function scoreWindow(
  episodes: readonly EpisodeToScore[],
  store: ScoreStore,
  { config, peerGroups }: Scoring,
  gap: () => Promise<void>,
): Promise<Array<{ episode: EpisodeToScore; scored: ScoredEpisode }>> {
  if (episodes.length === 0) return [];
  const first = Math.min(...episodes.map((episode) => episode.start));
  const last = Math.max(...episodes.map((episode) => episode.end));
  // Every symbol's days from far enough back for the episodes' own baselines too: one read (kept between settles,
  // scoreStore.ts) instead of one per symbol. The market's parts need only the last week of it.
  const everySymbol = await store.daysOfEverySymbol(dayOf(first - HISTORY_DAYS_BEFORE * DAY), dayOf(last));
  await gap();
  const marketFrom = first - MARKET_DAYS_BEFORE * DAY;
  const market = marketOf(
    new Map(
      [...everySymbol].map(([symbol, bars]) => [
        symbol,
        bars.filter((bar) => bar.table.minute(bar.row) >= Math.floor(marketFrom / DAY) * DAY),
      ]),
    ),
    config,
    peerGroups,
  );
  const bySymbol = new Map<string, EpisodeToScore[]>();
  for (const episode of episodes)
    bySymbol.set(episode.symbol, [...(bySymbol.get(episode.symbol) ?? []), episode]);
  const scored: Array<{ episode: EpisodeToScore; scored: ScoredEpisode }> = [];
  for (const [symbol, mine] of bySymbol) {
    const from = Math.min(...mine.map((episode) => episode.start));
    const to = Math.max(...mine.map((episode) => episode.end));
    const fromDay = Math.floor((from - HISTORY_DAYS_BEFORE * DAY) / DAY) * DAY;
    const bars = (everySymbol.get(symbol) ?? []).filter((bar) => {
      const minute = bar.table.minute(bar.row);
      return minute >= fromDay && minute <= to;
    });
    // detect's deliveries share this process: they go first, between symbols.
    await gap();
    const scores = scoreFromHistory(symbol, bars, mine, config, market, true);
    for (const episode of mine) {
      const score = scores.get(episode.start);
      // An episode the stored bars no longer make (a revision regrouped it after it was read) is left: the
      // revision's commit unsettled its days, and it is scored as it stands next time.
      if (score !== undefined) scored.push({ episode, scored: score });
    }
  }
  return scored;
}

/**
 * Settles until no changed day is left, or the time is up (then `more` says so, and the caller asks again).
 * @param budgetMs how long it may go on starting new rounds
 */
export async function settleScores(
  deps: {
    store: ScoreStore;
    scoring: Scoring;
    escalation?: Escalation;
    /**
     * Resolves when detect's deliveries leave room (deliveryGaps.ts): awaited before each step, so that a settle
     * does its work between a live market's minutes, not during them. By default, the next turn of the loop.
     */
    gap?: () => Promise<void>;
  },
  budgetMs: number,
): Promise<SettleOutcome> {
  const outcome: SettleOutcome = { days: 0, episodes: 0, written: 0, escalated: 0, more: false };
  const until = Date.now() + budgetMs;
  const gap = deps.gap ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  for (;;) {
    await gap();
    const changed = await deps.store.changedDays(ROUND_DAYS);
    if (changed.length === 0) return outcome;
    await gap();
    const episodes = await reachedEpisodes(
      deps.store,
      changed.filter((day) => Number.isFinite(day.from)),
    );
    const scored = await scoreEpisodes(episodes, deps.store, deps.scoring, gap);
    const escalation = deps.escalation;
    const escalating =
      escalation === undefined
        ? []
        : scored.filter(({ episode, scored: { score } }) =>
            shouldEscalate(
              { score: 0, settled: false, escalated: episode.escalated },
              { score: score.score, settled: true },
              escalation.threshold,
            ),
          );
    if (escalating.length > 0) {
      // Published before the mark is written: a failure in between publishes again, which escalate posts once.
      await escalation!.publish(
        escalating.map(({ episode, scored: { score } }) =>
          buildEscalationMessage(
            {
              symbol: episode.symbol,
              start: formatMinute(episode.start),
              end: formatMinute(episode.end),
              count: episode.count,
            },
            score,
          ),
        ),
      );
      outcome.escalated += escalating.length;
    }
    const marked = new Set(escalating.map(({ episode }) => episode.id));
    const writes = scored.map((entry) => ({ ...entry, escalated: marked.has(entry.episode.id) }));
    // A few writes a step: a live market's settle writes hundreds of scores, which all at once kept Firestore
    // from the minute's commits.
    for (let at = 0; at < writes.length; at += WRITES_PER_STEP) {
      await gap();
      outcome.written += await deps.store.writeScores(writes.slice(at, at + WRITES_PER_STEP));
    }
    outcome.episodes += episodes.length;
    for (let at = 0; at < changed.length; at += WRITES_PER_STEP) {
      await gap();
      outcome.days += await deps.store.markSettled(changed.slice(at, at + WRITES_PER_STEP));
    }
    // Round after round until nothing is left (a commit during this one left its change), or the time is up.
    if (Date.now() > until) {
      outcome.more = (await deps.store.changedDays(1)).length > 0;
      return outcome;
    }
  }
}
