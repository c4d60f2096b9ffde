/**
 * The console's in-memory read model: every episode as compact columns (episodeTable.ts), kept current from
 * Firestore by follow.ts, and the list of episodes over them. No alert is held: the alerts' totals are their
 * episodes' counts, and a page of alerts reads the alerts of the episodes it reaches (alertPages.ts,
 * episodeAlerts.ts). It holds no document: a page's documents are read by id afterwards. Nothing here does I/O.
 */
import { encodeCursor } from './cursor.js';
import { EpisodeTable } from './episodeTable.js';
import { Interner } from './interner.js';
import type { ListFilter, ListPage, ListQuery } from './listQuery.js';
import { keyOf, rankPage, type Ranked } from './ranking.js';
import { statusCode } from './statuses.js';

const MS_PER_MINUTE = 60_000;

/** An alert's listed fields, as the alert feed and a read of an episode's alerts give them. */
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

/** How far the initial load has come. */
export interface LoadProgress {
  read: number;
  /** The collection's size when the load began, once counted. */
  expected: number | null;
  done: boolean;
}

export class ReadModel {
  readonly symbols = new Interner();
  readonly episodes = new EpisodeTable();
  readonly progress = {
    episodes: { read: 0, expected: null, done: false } as LoadProgress,
  };
  readonly #onChange = new Set<() => void>();
  /** The latest episode end (ms), -1 for none; recomputed when the episode that had it changed. */
  #newest = -1;
  #newestStale = false;
  #version = 0;

  readonly #episodeRanks: Ranked = {
    size: 0,
    score: (row) => this.episodes.score[row]!,
    severity: (row) => this.episodes.peakSeverity[row]!,
    time: (row) => this.episodes.end[row]!,
    tie: (row) => this.episodes.id(row),
  };

  /**
   * Each episode as the best place any of its alerts can have in a list of alerts (alertPages.ts): its score, its
   * peak severity, its end, its symbol. An alert has its episode's score, a severity at most the peak and a time
   * at most the end, so it never comes before its episode's bound, whatever the order.
   */
  readonly alertBounds: Ranked = {
    size: 0,
    score: (row) => this.episodes.score[row]!,
    severity: (row) => this.episodes.peakSeverity[row]!,
    time: (row) => this.episodes.end[row]!,
    tie: (row) => this.symbols.value(this.episodes.symbol[row]!),
  };

  get ready(): boolean {
    return this.progress.episodes.done;
  }

  /** Calls `listener` after every change (the SSE stream debounces). Returns the way to stop. */
  onChange(listener: () => void): () => void {
    this.#onChange.add(listener);
    return () => this.#onChange.delete(listener);
  }

  /**
   * Each triaged episode's status and the version of the audit document it came from: kept apart from the
   * episode's row, so that a version of the episode read from the pipeline's database (which holds no triage)
   * leaves it as it is, and a status read before its episode applies when the episode comes.
   */
  readonly #statuses = new Map<string, { code: number; version: number }>();

  putEpisode(id: string, entry: EpisodeEntry, version: number): boolean {
    const row = this.episodes.rowOf(id);
    const endBefore = row >= 0 && this.episodes.present[row] === 1 ? this.episodes.end[row]! : -1;
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
    if (changed) {
      if (endBefore === this.#newest && entry.end < endBefore) this.#newestStale = true;
      else if (entry.end > this.#newest) this.#newest = entry.end;
      this.#changed();
    }
    return changed;
  }

  removeEpisode(id: string, version: number): boolean {
    const row = this.episodes.rowOf(id);
    const end = row >= 0 ? this.episodes.end[row]! : -1;
    const changed = this.episodes.remove(id, version);
    if (changed) {
      if (end === this.#newest) this.#newestStale = true;
      this.#changed();
    }
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

  /** The alerts listed: every present episode's count. */
  get alertCount(): number {
    return this.episodes.alertCount;
  }

  /** The latest alert minute (the latest episode end), or null when there is none. */
  newestMinute(): number | null {
    if (this.#newestStale) {
      const { episodes } = this;
      this.#newest = -1;
      for (let row = 0; row < episodes.size; row++) {
        if (episodes.present[row] === 1 && episodes.end[row]! > this.#newest)
          this.#newest = episodes.end[row]!;
      }
      this.#newestStale = false;
    }
    return this.#newest < 0 ? null : Math.floor(this.#newest / MS_PER_MINUTE);
  }

  /** The present episode's row, or -1. */
  presentRow(id: string): number {
    const row = this.episodes.rowOf(id);
    return row >= 0 && this.episodes.present[row] === 1 ? row : -1;
  }

  /** The status code of an alert naming `episode`: its episode's (one not read, or none, is `new`). */
  statusOfEpisode(episode: string): number {
    const row = this.episodes.rowOf(episode);
    return row < 0 ? 0 : this.episodes.status[row]!;
  }

  /** The suspicion score of an alert naming `episode`: NaN when the episode is not scored, not read, or gone. */
  scoreOfEpisode(episode: string): number {
    const row = this.presentRow(episode);
    return row < 0 ? Number.NaN : this.episodes.score[row]!;
  }

  /** The present episode's count of alerts, or undefined. */
  countOf(id: string): number | undefined {
    const row = this.presentRow(id);
    return row < 0 ? undefined : this.episodes.alerts[row]!;
  }

  /** Symbols with an episode present, sorted. */
  listedSymbols(): string[] {
    const seen = new Uint8Array(this.symbols.size);
    const { episodes } = this;
    for (let row = 0; row < episodes.size; row++)
      if (episodes.present[row] === 1) seen[episodes.symbol[row]!] = 1;
    const names: string[] = [];
    for (let id = 0; id < seen.length; id++) if (seen[id] === 1) names.push(this.symbols.value(id));
    return names.sort();
  }

  /** The ids of `symbol`'s present episodes with a minute in [from, to] (ms, inclusive), in time order. */
  episodesOver(symbol: string, from: number, to: number): string[] {
    const id = this.symbols.find(symbol);
    if (id === undefined) return [];
    const { episodes } = this;
    const rows: number[] = [];
    for (let row = 0; row < episodes.size; row++) {
      if (episodes.present[row] !== 1 || episodes.symbol[row] !== id) continue;
      if (episodes.end[row]! >= from && episodes.start[row]! <= to) rows.push(row);
    }
    return rows.sort((a, b) => episodes.start[a]! - episodes.start[b]!).map((row) => episodes.id(row));
  }

  /**
   * Whether an episode row can hold alerts a list of alerts with `filter` shows: its own fields (symbol, status,
   * score) match, it has alerts of the rule, its minutes reach the time range, its peak the minimum severity.
   */
  episodeMayHoldAlerts(filter: ListFilter): (row: number) => boolean {
    const { episodes } = this;
    const symbol = filter.symbol === undefined ? undefined : (this.symbols.find(filter.symbol) ?? -2);
    const from = filter.from ?? -Infinity;
    const to = filter.to ?? Infinity;
    const status = filter.status === undefined ? -1 : statusCode(filter.status);
    const { minSeverity, minScore, rule } = filter;
    return (row) =>
      episodes.present[row] === 1 &&
      (symbol === undefined || episodes.symbol[row] === symbol) &&
      (rule === undefined || (rule === 'A1' ? episodes.a1[row]! : episodes.a2[row]!) > 0) &&
      episodes.end[row]! >= from &&
      episodes.start[row]! <= to &&
      (minSeverity === undefined || episodes.peakSeverity[row]! >= minSeverity) &&
      (minScore === undefined || episodes.score[row]! >= minScore) &&
      (status < 0 || episodes.status[row] === status);
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
    const source = { ...this.#episodeRanks, size: episodes.size };
    const page = rankPage(source, query.sort, matches, query.after, query.limit);
    const last = page.rows.at(-1);
    return last !== undefined && page.more
      ? { rows: page.rows, total: page.total, next: encodeCursor(query.sort, keyOf(source, last)) }
      : { rows: page.rows, total: page.total };
  }

  /** Changes so far: what was worked out from the model stands while this is the same. */
  get version(): number {
    return this.#version;
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#onChange) listener();
  }
}
