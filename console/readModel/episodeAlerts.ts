/**
 * The alerts of episodes, read when a page needs them and kept for the next pages: the console holds no alert at
 * start (readModel.ts holds the episodes), so a list of alerts, an episode's alerts and a chart's session alerts
 * ask for the alerts of the few episodes they reach (alertPages.ts says which), by one query per thirty episodes
 * (`episode in [...]`, sources/alertQueries.ts).
 *
 * An episode's alerts are kept while they agree with its document: when the episode's `count` (its alerts, the
 * withdrawn left out) is not the number held, they are read again. The alert feed (follow.ts) also drops a
 * symbol's held episodes whenever it names an alert of that symbol (a late bar can move an alert from one episode
 * to another), and a read begun before such a drop is not kept. At most `capacity` alerts are held, the episodes
 * used longest ago dropped first.
 */

/** What the lists keep of an alert document: its id, and the fields they filter and order on. */
export interface AlertFact {
  id: string;
  symbol: string;
  /** Minutes since the Unix epoch (UTC). */
  minute: number;
  /** Rule bits (RULE_A1 | RULE_A2). */
  rules: number;
  /** NaN when the alert has none. */
  severity: number;
  episode: string;
}

/** The alerts naming each of `ids` (withdrawn ones left out), by episode id; an episode without alerts is absent. */
export type ReadEpisodeAlerts = (ids: readonly string[]) => Promise<Map<string, AlertFact[]>>;

/** Alerts held when no capacity is given: about 25 MB. */
const DEFAULT_CAPACITY = 200_000;

interface Held {
  symbol: string | undefined;
  facts: AlertFact[];
}

export class EpisodeAlerts {
  readonly #held = new Map<string, Held>();
  #size = 0;
  /** Drops so far, and the drop count at which each episode was last dropped (while reads are in flight). */
  #drops = 0;
  readonly #dropped = new Map<string, number>();
  readonly #droppedSymbols = new Map<string, number>();
  #inFlight = 0;
  /** Alerts read since start (the bench's and the log's figure). */
  read = 0;

  constructor(
    private readonly readAlerts: ReadEpisodeAlerts,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /**
   * The alerts of each episode, by id (an episode without alerts maps to none); those held whose number is not
   * `expected(id)` (its document's count) are read again. With `keep` false what is read is not held (a total
   * reading many episodes once must not push out what the pages use).
   */
  async of(
    ids: readonly string[],
    expected: (id: string) => number | undefined,
    keep = true,
  ): Promise<Map<string, AlertFact[]>> {
    const found = new Map<string, AlertFact[]>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const held = this.#held.get(id);
      if (held !== undefined && held.facts.length === expected(id)) {
        // Used again: moved to the end, last to be dropped.
        this.#held.delete(id);
        this.#held.set(id, held);
        found.set(id, held.facts);
      } else missing.push(id);
    }
    if (missing.length === 0) return found;
    const since = this.#drops;
    this.#inFlight++;
    let read: Map<string, AlertFact[]>;
    try {
      read = await this.readAlerts(missing);
    } finally {
      this.#inFlight--;
    }
    for (const id of missing) {
      const facts = read.get(id) ?? [];
      this.read += facts.length;
      found.set(id, facts);
      const symbol = facts[0]?.symbol;
      const stale =
        (this.#dropped.get(id) ?? -1) >= since ||
        (symbol !== undefined && (this.#droppedSymbols.get(symbol) ?? -1) >= since);
      if (keep && !stale) this.#keep(id, symbol, facts);
    }
    if (this.#inFlight === 0) {
      this.#dropped.clear();
      this.#droppedSymbols.clear();
    }
    return found;
  }

  /** Forgets what is held of the episode `id` (its alerts changed). */
  drop(id: string): void {
    this.#forget(id);
    this.#dropped.set(id, this.#drops++);
  }

  /** Forgets every held episode of `symbol` (an alert of it changed, maybe moving between its episodes). */
  dropSymbol(symbol: string): void {
    for (const [id, held] of this.#held) if (held.symbol === symbol) this.#forget(id);
    this.#droppedSymbols.set(symbol, this.#drops++);
  }

  /** Drops so far: what was worked out from the alerts (a total) stands while this is the same. */
  get drops(): number {
    return this.#drops;
  }

  /** Alerts held. */
  get size(): number {
    return this.#size;
  }

  #keep(id: string, symbol: string | undefined, facts: AlertFact[]): void {
    this.#forget(id);
    this.#held.set(id, { symbol, facts });
    this.#size += facts.length;
    for (const [oldest, held] of this.#held) {
      if (this.#size <= this.capacity || oldest === id) break;
      this.#held.delete(oldest);
      this.#size -= held.facts.length;
    }
  }

  #forget(id: string): void {
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#held.delete(id);
    this.#size -= held.facts.length;
  }
}
