/**
 * The console's in-memory read model: every alert and episode as compact columns (alertTable.ts,
 * episodeTable.ts), kept current from Firestore by follow.ts, and the list queries over them. It holds no
 * document: a page's documents are read by id afterwards. Nothing here does I/O.
 */
import { formatMinute } from '../../shared/core/timestamp.js';
import { AlertTable, RULE_A1, RULE_A2 } from './alertTable.js';
import { encodeCursor } from './cursor.js';
import { EpisodeTable } from './episodeTable.js';
import { Interner } from './interner.js';
import type { ListPage, ListQuery } from './listQuery.js';
import { keyOf, rankPage, type Ranked } from './ranking.js';
import { statusCode } from './statuses.js';

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

/** An alert document's listed fields, as follow.ts reads them. */
export interface AlertEntry {
  symbol: string;
  minute: number;
  rules: readonly string[];
  severity: number | null;
  episode: string | null;
}

/** An episode document's listed fields. */
export interface EpisodeEntry {
  symbol: string;
  start: number;
  end: number;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
  /** The suspicion score, null when not scored. */
  score: number | null;
  /**
   * The triage status, when the entry carries one; undefined (what follow.ts gives) keeps the status the audit
   * database said (putEpisodeStatus), since triage is not in the pipeline's episode documents.
   */
  status?: string | undefined;
}

/** How far the initial load has come, per collection. */
export interface LoadProgress {
  read: number;
  /** The collection's size when the load began, once counted. */
  expected: number | null;
  done: boolean;
}

export function rulesBits(rules: readonly string[]): number {
  return (rules.includes('A1') ? RULE_A1 : 0) | (rules.includes('A2') ? RULE_A2 : 0);
}

export class ReadModel {
  readonly symbols = new Interner();
  readonly alerts = new AlertTable();
  readonly episodes = new EpisodeTable();
  readonly progress = {
    alerts: { read: 0, expected: null, done: false } as LoadProgress,
    episodes: { read: 0, expected: null, done: false } as LoadProgress,
  };
  readonly #onChange = new Set<() => void>();
  #newest = -1;
  #newestStale = false;

  readonly #alertRanks: Ranked = {
    size: 0,
    score: (row) => this.alertScore(row),
    severity: (row) => this.alerts.severity[row]!,
    time: (row) => this.alerts.minute[row]! * MS_PER_MINUTE,
    tie: (row) => this.symbols.value(this.alerts.symbol[row]!),
  };
  readonly #episodeRanks: Ranked = {
    size: 0,
    score: (row) => this.episodes.score[row]!,
    severity: (row) => this.episodes.peakSeverity[row]!,
    time: (row) => this.episodes.end[row]!,
    tie: (row) => this.episodes.id(row),
  };

  get ready(): boolean {
    return this.progress.alerts.done && this.progress.episodes.done;
  }

  /** Calls `listener` after every change (the SSE stream debounces). Returns the way to stop. */
  onChange(listener: () => void): () => void {
    this.#onChange.add(listener);
    return () => this.#onChange.delete(listener);
  }

  putAlert(entry: AlertEntry, version: number): boolean {
    const changed = this.alerts.upsert({
      symbol: this.symbols.intern(entry.symbol),
      minute: entry.minute,
      rules: rulesBits(entry.rules),
      severity: entry.severity ?? Number.NaN,
      episode: entry.episode === null ? -1 : this.episodes.rowFor(entry.episode),
      version,
    });
    if (changed) {
      if (entry.minute > this.#newest) this.#newest = entry.minute;
      this.#changed();
    }
    return changed;
  }

  removeAlert(symbol: string, minute: number, version: number): boolean {
    const id = this.symbols.find(symbol);
    if (id === undefined || !this.alerts.remove(id, minute, version)) return false;
    this.#newestStale = true;
    this.#changed();
    return true;
  }

  /**
   * Each triaged episode's status and the version of the audit document it came from: kept apart from the
   * episode's row, so that a version of the episode read from the pipeline's database (which holds no triage)
   * leaves it as it is, and a status read before its episode applies when the episode comes.
   */
  readonly #statuses = new Map<string, { code: number; version: number }>();

  putEpisode(id: string, entry: EpisodeEntry, version: number): boolean {
    const changed = this.episodes.upsert(id, {
      symbol: this.symbols.intern(entry.symbol),
      start: entry.start,
      end: entry.end,
      count: entry.count,
      a1: entry.a1,
      a2: entry.a2,
      peakSeverity: entry.peakSeverity ?? Number.NaN,
      score: entry.score ?? Number.NaN,
      status: entry.status !== undefined ? statusCode(entry.status) : (this.#statuses.get(id)?.code ?? 0),
      version,
    });
    if (changed) this.#changed();
    return changed;
  }

  removeEpisode(id: string, version: number): boolean {
    const changed = this.episodes.remove(id, version);
    if (changed) this.#changed();
    return changed;
  }

  /** The status the console just wrote, at once (the triage feed confirms it later, with its version). */
  setEpisodeStatus(id: string, status: string): void {
    const code = statusCode(status);
    this.#statuses.set(id, { code, version: this.#statuses.get(id)?.version ?? 0 });
    if (this.episodes.setStatus(id, code)) this.#changed();
  }

  /** An episode's status as the audit database holds it, at that document's update time (ms); an older one is ignored. */
  putEpisodeStatus(id: string, status: string, version: number): void {
    const known = this.#statuses.get(id);
    if (known !== undefined && known.version > version) return;
    const code = statusCode(status);
    this.#statuses.set(id, { code, version });
    if (this.episodes.setStatus(id, code)) this.#changed();
  }

  /** The latest alert minute, or null when there is no alert. */
  newestMinute(): number | null {
    if (this.#newestStale) {
      const { alerts } = this;
      this.#newest = -1;
      for (let row = 0; row < alerts.size; row++) {
        if (alerts.present[row] === 1 && alerts.minute[row]! > this.#newest)
          this.#newest = alerts.minute[row]!;
      }
      this.#newestStale = false;
    }
    return this.#newest < 0 ? null : this.#newest;
  }

  /** The status code of an alert row: its episode's (an episode not read yet, or none, is `new`). */
  alertStatus(row: number): number {
    const episode = this.alerts.episode[row]!;
    return episode < 0 ? 0 : this.episodes.status[episode]!;
  }

  /**
   * The suspicion score of an alert row: its episode's, NaN when the episode is not scored, not read yet, or
   * gone, or the alert names none.
   */
  alertScore(row: number): number {
    const episode = this.alerts.episode[row]!;
    return episode < 0 || this.episodes.present[episode] !== 1 ? Number.NaN : this.episodes.score[episode]!;
  }

  /** The document id of an alert row. */
  alertIdentity(row: number): { symbol: string; timestamp: string } {
    return {
      symbol: this.symbols.value(this.alerts.symbol[row]!),
      timestamp: formatMinute(this.alerts.minute[row]!),
    };
  }

  /** The row of the alert (symbol, minute), or -1. */
  alertRow(symbol: string, minute: number): number {
    const id = this.symbols.find(symbol);
    if (id === undefined) return -1;
    const row = this.alerts.rowOf(id, minute);
    return row >= 0 && this.alerts.present[row] === 1 ? row : -1;
  }

  /** Symbols with an alert or an episode present, sorted. */
  listedSymbols(): string[] {
    const seen = new Uint8Array(this.symbols.size);
    const { alerts, episodes } = this;
    for (let row = 0; row < alerts.size; row++) if (alerts.present[row] === 1) seen[alerts.symbol[row]!] = 1;
    for (let row = 0; row < episodes.size; row++)
      if (episodes.present[row] === 1) seen[episodes.symbol[row]!] = 1;
    const names: string[] = [];
    for (let id = 0; id < seen.length; id++) if (seen[id] === 1) names.push(this.symbols.value(id));
    return names.sort();
  }

  /** The rows of `symbol`'s alerts on the UTC day holding `minute`, in time order. */
  sameDayAlerts(symbol: string, minute: number): number[] {
    const id = this.symbols.find(symbol);
    if (id === undefined) return [];
    const first = Math.floor(minute / MINUTES_PER_DAY) * MINUTES_PER_DAY;
    const { alerts } = this;
    const rows: number[] = [];
    for (let row = 0; row < alerts.size; row++) {
      if (alerts.present[row] !== 1 || alerts.symbol[row] !== id) continue;
      const at = alerts.minute[row]!;
      if (at >= first && at < first + MINUTES_PER_DAY) rows.push(row);
    }
    return rows.sort((a, b) => alerts.minute[a]! - alerts.minute[b]!);
  }

  /**
   * The rows of the alerts naming episode `id`, in time order (an episode is one symbol's, so its minutes
   * differ); none when no alert names it. One pass over the columns, as sameDayAlerts: a few ms at 290,000.
   */
  episodeAlerts(id: string): number[] {
    const episode = this.episodes.rowOf(id);
    if (episode < 0) return [];
    const { alerts } = this;
    const rows: number[] = [];
    for (let row = 0; row < alerts.size; row++) {
      if (alerts.present[row] === 1 && alerts.episode[row] === episode) rows.push(row);
    }
    return rows.sort((a, b) => alerts.minute[a]! - alerts.minute[b]!);
  }

  listAlerts(query: ListQuery): ListPage {
    const { alerts } = this;
    const symbol = query.symbol === undefined ? undefined : (this.symbols.find(query.symbol) ?? -2);
    const rule = query.rule === undefined ? 0 : query.rule === 'A1' ? RULE_A1 : RULE_A2;
    const from = query.from === undefined ? -Infinity : query.from / MS_PER_MINUTE;
    const to = query.to === undefined ? Infinity : query.to / MS_PER_MINUTE;
    const status = query.status === undefined ? -1 : statusCode(query.status);
    const { minSeverity, minScore } = query;
    const matches = (row: number) =>
      alerts.present[row] === 1 &&
      (symbol === undefined || alerts.symbol[row] === symbol) &&
      (alerts.rules[row]! & rule) === rule &&
      alerts.minute[row]! >= from &&
      alerts.minute[row]! <= to &&
      (minSeverity === undefined || alerts.severity[row]! >= minSeverity) &&
      (minScore === undefined || this.alertScore(row) >= minScore) &&
      (status < 0 || this.alertStatus(row) === status);
    return this.#page({ ...this.#alertRanks, size: alerts.size }, query, matches);
  }

  listEpisodes(query: ListQuery): ListPage {
    const { episodes } = this;
    const symbol = query.symbol === undefined ? undefined : (this.symbols.find(query.symbol) ?? -2);
    const from = query.from ?? -Infinity;
    const to = query.to ?? Infinity;
    const status = query.status === undefined ? -1 : statusCode(query.status);
    const { minSeverity, minScore } = query;
    const matches = (row: number) =>
      episodes.present[row] === 1 &&
      (symbol === undefined || episodes.symbol[row] === symbol) &&
      (query.rule === undefined || (query.rule === 'A1' ? episodes.a1[row]! : episodes.a2[row]!) > 0) &&
      episodes.end[row]! >= from &&
      episodes.end[row]! <= to &&
      (minSeverity === undefined || episodes.peakSeverity[row]! >= minSeverity) &&
      (minScore === undefined || episodes.score[row]! >= minScore) &&
      (status < 0 || episodes.status[row] === status);
    return this.#page({ ...this.#episodeRanks, size: episodes.size }, query, matches);
  }

  #page(source: Ranked, query: ListQuery, matches: (row: number) => boolean): ListPage {
    const page = rankPage(source, query.sort, matches, query.after, query.limit);
    const last = page.rows.at(-1);
    return last !== undefined && page.more
      ? { rows: page.rows, total: page.total, next: encodeCursor(query.sort, keyOf(source, last)) }
      : { rows: page.rows, total: page.total };
  }

  #changed(): void {
    for (const listener of this.#onChange) listener();
  }
}
