/**
 * A late bar detected in its place (contract §2): what changes when bars are inserted into a symbol's detected
 * history. Pure: the pipeline's detect reads the history from its stores and writes what this returns.
 *
 * The rules look only backwards (A1 at the previous bar, A2 at the window before the bar), so an inserted bar
 * changes nothing before it; after it, its own alert, the next bar's A1 and the A2 of the bars whose window now
 * holds it may change. Rather than reason about which, the history from a safe starting point is detected twice,
 * as it was and with the inserted bars, and the two are compared: every difference is a revision, and nothing
 * else is. The same rules, run the same way, on the same bars, give the alerts that were stored before (by
 * induction: every earlier batch was detected in its place too).
 *
 * The safe starting point is an episode boundary (contract §5), since episodes regroup too: the start of the
 * episode the first inserted bar could join, or the inserted bar itself when no alert is within the episode gap
 * before it. Finding it needs the history to reach back far enough to be sure of the alerts there (a full
 * window and a previous bar); when it does not, the caller reads earlier bars and asks again.
 */
import { alertOf, type Alert } from './alert.js';
import type { BarTable } from './barTable.js';
import type { DetectionConfig } from './detectionParameters.js';
import { episodeOf, type Episode } from './episodes.js';
import type { AlertSource, Finding } from './finding.js';
import { emptyCounts, SymbolDetector } from './rules.js';
import type { EpisodeState, SymbolState } from './symbolState.js';

/** One bar: its row in a table (the exact values), and where it came from. */
export interface BarRef {
  table: BarTable;
  row: number;
  source: AlertSource;
}

export interface RevisionInput {
  symbol: string;
  config: DetectionConfig;
  /**
   * The symbol's detected bars in ascending minutes, up to its latest: from some point on, or from its first
   * bar ever when `complete`.
   */
  history: readonly BarRef[];
  complete: boolean;
  /** Bars to insert, ascending, each at a minute the history lacks and before its last. At least one. */
  inserted: readonly BarRef[];
  /** Bars after the history's last, ascending (the rest of the batch, detected as usual). */
  following: readonly BarRef[];
}

/** What became of one alert. `new`: a bar after the history's last fired, as any in-order bar would. */
export type AlertChangeKind = 'new' | 'late' | 'revised' | 'withdrawn';

export interface AlertChange {
  kind: AlertChangeKind;
  /** The alert as it now stands; for `withdrawn`, as it stood. */
  alert: Alert;
}

export type EpisodeChangeKind = 'created' | 'updated' | 'withdrawn';

export interface EpisodeChange {
  kind: EpisodeChangeKind;
  /** The episode as it now stands; for `withdrawn`, as it stood. */
  episode: Episode;
  /** For `withdrawn`: the start of the episode that now holds its first minute, if any (it merged into it). */
  into?: string;
}

export type RevisionOutcome =
  | { kind: 'need-earlier' }
  | {
      kind: 'revised';
      /** In minute order. */
      alerts: AlertChange[];
      /** In order of start, as they stand (withdrawn ones as they stood). */
      episodes: EpisodeChange[];
      /** The symbol's state after every bar, as detection in minute order leaves it. */
      state: SymbolState;
      /** The first minute from which alerts were compared. */
      from: number;
    };

interface Detected {
  minute: number;
  alert: Alert;
  episode: EpisodeState;
}

/** Runs the rules over the bars from a fresh state; every alert, with the episode it ended in. */
function detectAll(
  symbol: string,
  config: DetectionConfig,
  bars: readonly BarRef[],
): { detected: Detected[]; detector: SymbolDetector } {
  const detector = new SymbolDetector(symbol, config);
  const counts = emptyCounts();
  const detected: Detected[] = [];
  const found = (finding: Finding) => {
    detected.push({ minute: finding.minute, alert: alertOf(finding), episode: finding.episode });
  };
  for (const bar of bars) detector.run(bar.table, [bar.row], bar.source, counts, found);
  return { detected, detector };
}

function mergeByMinute(a: readonly BarRef[], b: readonly BarRef[]): BarRef[] {
  const merged: BarRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && minuteOf(a[i]!) < minuteOf(b[j]!))) merged.push(a[i++]!);
    else merged.push(b[j++]!);
  }
  return merged;
}

const minuteOf = (bar: BarRef) => bar.table.minute(bar.row);

/**
 * The first minute from which the two runs may differ in alerts or episodes (see the module's comment), or
 * undefined when the history does not reach back far enough to know it.
 */
function startingPoint(
  input: RevisionInput,
  before: readonly Detected[],
  firstInserted: number,
): number | undefined {
  const { config, history, complete } = input;
  const gap = config.episodeGapMinutes;
  // From here on the stored alerts are exact: each bar has its previous one and its whole window.
  const trustedFrom = complete ? -Infinity : minuteOf(history[0]!) + config.windowMinutes;
  let last: Detected | undefined;
  for (const found of before) {
    if (found.minute >= firstInserted) break;
    last = found;
  }
  if (last === undefined || firstInserted - last.minute > gap) {
    // No alert within the gap before the inserted bar: it starts afresh, if nothing unseen lies in that gap.
    return firstInserted - gap >= trustedFrom ? firstInserted : undefined;
  }
  // The episode the inserted bar may join: its start is sure when the quiet spell before it was seen whole.
  const start = last.episode.start;
  return start - gap >= trustedFrom ? start : undefined;
}

function sameAlert(a: Alert, b: Alert): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameEpisode(a: EpisodeState, b: EpisodeState): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    a.count === b.count &&
    a.a1 === b.a1 &&
    a.a2 === b.a2 &&
    a.peakSeverity === b.peakSeverity
  );
}

/** The distinct episodes the alerts ended in, by start. */
function episodesFrom(detected: readonly Detected[]): Map<number, EpisodeState> {
  const episodes = new Map<number, EpisodeState>();
  for (const { episode } of detected) episodes.set(episode.start, episode);
  return episodes;
}

/** Detects the inserted bars in their place, and says what that changes. */
export function reviseHistory(input: RevisionInput): RevisionOutcome {
  const { symbol, config, history, inserted, following } = input;
  const firstInserted = minuteOf(inserted[0]!);
  const lastStored = history.length > 0 ? minuteOf(history.at(-1)!) : -Infinity;
  const before = detectAll(symbol, config, history).detected;
  const from = startingPoint(input, before, firstInserted);
  if (from === undefined) return { kind: 'need-earlier' };

  const { detected: after, detector } = detectAll(
    symbol,
    config,
    mergeByMinute(mergeByMinute(history, inserted), following),
  );
  const was = new Map(before.filter((d) => d.minute >= from).map((d) => [d.minute, d]));
  const alerts: AlertChange[] = [];
  const now = after.filter((d) => d.minute >= from);
  for (const found of now) {
    const old = was.get(found.minute);
    was.delete(found.minute);
    if (old === undefined)
      alerts.push({ kind: found.minute > lastStored ? 'new' : 'late', alert: found.alert });
    else if (!sameAlert(old.alert, found.alert)) alerts.push({ kind: 'revised', alert: found.alert });
  }
  for (const old of was.values()) alerts.push({ kind: 'withdrawn', alert: old.alert });
  alerts.sort((a, b) =>
    a.alert.timestamp < b.alert.timestamp ? -1 : a.alert.timestamp > b.alert.timestamp ? 1 : 0,
  );

  const oldEpisodes = episodesFrom(before.filter((d) => d.minute >= from));
  const newEpisodes = episodesFrom(now);
  const episodes: EpisodeChange[] = [];
  for (const [start, episode] of newEpisodes) {
    const old = oldEpisodes.get(start);
    if (old === undefined) episodes.push({ kind: 'created', episode: episodeOf(symbol, episode) });
    else if (!sameEpisode(old, episode))
      episodes.push({ kind: 'updated', episode: episodeOf(symbol, episode) });
  }
  for (const [start, old] of oldEpisodes) {
    if (newEpisodes.has(start)) continue;
    const holder = [...newEpisodes.values()].find((e) => e.start <= start && start <= e.end);
    episodes.push({
      kind: 'withdrawn',
      episode: episodeOf(symbol, old),
      ...(holder === undefined ? {} : { into: episodeOf(symbol, holder).start }),
    });
  }
  episodes.sort((a, b) =>
    a.episode.start < b.episode.start ? -1 : a.episode.start > b.episode.start ? 1 : 0,
  );
  return { kind: 'revised', alerts, episodes, state: detector.toState(), from };
}
