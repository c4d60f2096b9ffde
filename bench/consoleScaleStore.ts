/**
 * bench:console's production-shaped store at the seed's scale: 150 symbols, 1M episodes of ten alerts each (10M
 * alerts, three years of trading days), computed from their numbers instead of stored, so that the console can be
 * started on it on this machine, where the emulator (which scans) cannot hold 10M documents.
 *
 * It answers what the console asks Firestore, as Firestore's indexes would: the episodes' scan (every episode
 * once), the alerts of some episodes (`episode in [...]`: their alerts only), documents by id, and count()s
 * (computed once per filter here, then answered at once, as an index answers it). It counts the documents it
 * returns: what Firestore would bill as reads. What it does not model: the time Firestore takes to send them and
 * the client library's decoding (bench/console.ts measures those on the emulator, at a size it can hold).
 *
 * Episode k: symbol k mod 150; its symbol's (k div 150)-th episode, nine a trading day from 03:45 UTC, 40 minutes
 * apart (plus 0 to 9 minutes); its alerts at ten consecutive minutes, rules A1, A2, both in turn, severities from a
 * hash; a suspicion score from a hash (every fourth episode not scored), one in ten triaged (its status in the
 * audit database's triage documents, read at start as the console reads them). Every field, and an
 * alert's episode from its id, is a function of k, so the same numbers answer whatever asks.
 */
import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { AlertFieldFilter } from '../console/readModel/alertPages.js';
import type { AlertFact } from '../console/readModel/episodeAlerts.js';
import { RULE_A1, RULE_A2 } from '../console/readModel/ruleBits.js';
import type { Documents } from '../console/sources/documents.js';
import { formatMinute } from '../shared/core/timestamp.js';
import { alertId, episodeId } from '../shared/pipeline/documentIds.js';

export const SCALE_SYMBOLS = 150;
export const ALERTS_PER_EPISODE = 10;
const EPISODES_PER_DAY = 9;
/** 2021-01-04, a Monday, 00:00 UTC, in minutes. */
const FIRST_DAY = Date.UTC(2021, 0, 4) / 60_000;
const OPEN = 3 * 60 + 45;
const STATUSES = ['investigating', 'escalated', 'dismissed', 'confirmed'] as const;

const symbolName = (index: number) => `NSE${String(index).padStart(3, '0')}`;

/** A 32-bit integer hash (xorshift-multiply), for figures that look random and are the same every run. */
function hash(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}
const unit = (value: number) => hash(value) / 2 ** 32;

export class ScaleStore {
  /** Documents returned, as Firestore bills them (count()s aside). */
  reads = { scan: 0, alerts: 0, byId: 0 };
  readonly #counts = new Map<string, number>();
  readonly #symbolIndex = new Map<string, number>();

  constructor(readonly episodes: number) {
    for (let s = 0; s < SCALE_SYMBOLS; s++) this.#symbolIndex.set(symbolName(s), s);
  }

  get alerts(): number {
    return this.episodes * ALERTS_PER_EPISODE;
  }

  /** The first minute of episode k. */
  startOf(k: number): number {
    const ordinal = Math.floor(k / SCALE_SYMBOLS);
    const day = Math.floor(ordinal / EPISODES_PER_DAY);
    const calendarDay = Math.floor(day / 5) * 7 + (day % 5);
    return FIRST_DAY + calendarDay * 1440 + OPEN + (ordinal % EPISODES_PER_DAY) * 40 + (hash(k) % 10);
  }

  /** The episode holding `symbol`'s alert at `minute` and that alert's place in it, or undefined. */
  locate(symbol: string, minute: number): { k: number; j: number } | undefined {
    const s = this.#symbolIndex.get(symbol);
    if (s === undefined) return undefined;
    const calendarDay = Math.floor((minute - FIRST_DAY) / 1440);
    if (calendarDay % 7 >= 5) return undefined;
    const day = Math.floor(calendarDay / 7) * 5 + (calendarDay % 7);
    const slot = Math.floor((minute - FIRST_DAY - calendarDay * 1440 - OPEN) / 40);
    if (slot < 0 || slot >= EPISODES_PER_DAY) return undefined;
    const k = (day * EPISODES_PER_DAY + slot) * SCALE_SYMBOLS + s;
    const j = minute - this.startOf(k);
    return k < this.episodes && j >= 0 && j < ALERTS_PER_EPISODE ? { k, j } : undefined;
  }

  severityOf(k: number, j: number): number {
    return Math.round((1 + 4 * unit(k * 16 + j)) * 1e6) / 1e6;
  }

  rulesOf(j: number): number {
    return j % 3 === 0 ? RULE_A1 : j % 3 === 1 ? RULE_A2 : RULE_A1 | RULE_A2;
  }

  episodeIdOf(k: number): string {
    return episodeId({ symbol: symbolName(k % SCALE_SYMBOLS), start: formatMinute(this.startOf(k)) });
  }

  /** Episode k's document (its listed fields, and a triage on one in ten). */
  episodeData(k: number): DocumentData {
    const start = this.startOf(k);
    let peak = 0;
    for (let j = 0; j < ALERTS_PER_EPISODE; j++) peak = Math.max(peak, this.severityOf(k, j));
    const scored = hash(k + 7) % 4 !== 3;
    const a1 = [...Array(ALERTS_PER_EPISODE).keys()].filter((j) => this.rulesOf(j) & RULE_A1).length;
    return {
      symbol: symbolName(k % SCALE_SYMBOLS),
      start: Timestamp.fromMillis(start * 60_000),
      end: Timestamp.fromMillis((start + ALERTS_PER_EPISODE - 1) * 60_000),
      count: ALERTS_PER_EPISODE,
      a1,
      a2: ALERTS_PER_EPISODE - Math.floor((ALERTS_PER_EPISODE + 2) / 3),
      peakSeverity: peak,
      ...(scored && { score: Math.round(unit(k + 11) * 1000) / 10 }),
    };
  }

  /** Every triage document's status (the audit database's, one in ten episodes), as the start reads them. */
  *triage(): Generator<{ id: string; status: string }> {
    for (let k = 3; k < this.episodes; k += 10) {
      this.reads.scan++;
      yield { id: this.episodeIdOf(k), status: STATUSES[Math.floor(k / 10) % STATUSES.length]! };
    }
  }

  /** Every episode once, as the start's scan reads them (after the triage statuses). */
  *scan(): Generator<{ id: string; data: DocumentData }> {
    for (let k = 0; k < this.episodes; k++) {
      this.reads.scan++;
      yield { id: this.episodeIdOf(k), data: this.episodeData(k) };
    }
  }

  #fact(k: number, j: number): AlertFact {
    const symbol = symbolName(k % SCALE_SYMBOLS);
    const minute = this.startOf(k) + j;
    return {
      id: alertId({ symbol, timestamp: formatMinute(minute) }),
      symbol,
      minute,
      rules: this.rulesOf(j),
      severity: this.severityOf(k, j),
      episode: this.episodeIdOf(k),
    };
  }

  /** `episode in [...]`: the alerts of those episodes, and only those are read. */
  readonly ofEpisodes = async (ids: readonly string[]): Promise<Map<string, AlertFact[]>> => {
    const found = new Map<string, AlertFact[]>();
    for (const id of ids) {
      const at = id.lastIndexOf('@');
      const where = this.locate(id.slice(0, at), Date.parse(id.slice(at + 1)) / 60_000);
      if (where === undefined || where.j !== 0) continue;
      const facts = [...Array(ALERTS_PER_EPISODE).keys()].map((j) => this.#fact(where.k, j));
      this.reads.alerts += facts.length;
      found.set(id, facts);
    }
    return found;
  };

  /**
   * count() of the alerts matching their own fields, answered at once as an index answers: the filters the bench
   * asks are worked out over every alert by `prime`, before the start; another is worked out when first asked.
   */
  readonly count = async (filter: AlertFieldFilter): Promise<number> => this.prime(filter);

  prime(filter: AlertFieldFilter): number {
    const key = JSON.stringify(filter);
    const known = this.#counts.get(key);
    if (known !== undefined) return known;
    const rule = filter.rule === undefined ? 0 : filter.rule === 'A1' ? RULE_A1 : RULE_A2;
    const symbol = filter.symbol === undefined ? undefined : this.#symbolIndex.get(filter.symbol);
    let total = 0;
    for (let k = 0; k < this.episodes; k++) {
      if (filter.symbol !== undefined && k % SCALE_SYMBOLS !== symbol) continue;
      const start = this.startOf(k);
      for (let j = 0; j < ALERTS_PER_EPISODE; j++) {
        const at = (start + j) * 60_000;
        if ((this.rulesOf(j) & rule) !== rule || this.severityOf(k, j) < filter.minSeverity) continue;
        if ((filter.from !== undefined && at < filter.from) || (filter.to !== undefined && at > filter.to))
          continue;
        total++;
      }
    }
    this.#counts.set(key, total);
    return total;
  }

  #alertData(k: number, j: number): DocumentData {
    const fact = this.#fact(k, j);
    const close = 100 + (hash(k * 16 + j + 3) % 1000) / 100;
    return {
      symbol: fact.symbol,
      timestamp: Timestamp.fromMillis(fact.minute * 60_000),
      rules: [...(fact.rules & RULE_A1 ? ['A1'] : []), ...(fact.rules & RULE_A2 ? ['A2'] : [])],
      severity: fact.severity,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1000 + (hash(k + j) % 5000),
      ...(fact.rules & RULE_A1 && {
        a1: {
          prevClose: close * 0.99,
          prevTimestamp: formatMinute(fact.minute - 1),
          changePct: 1,
          severity: fact.severity,
        },
      }),
      ...(fact.rules & RULE_A2 && {
        a2: { avgVolume: 100, windowBars: 10, volumeRatio: 3, severity: fact.severity },
      }),
      source: { object: `${fact.symbol}.csv`, generation: '1', line: j + 2 },
      episode: fact.episode,
    };
  }

  #alertById(id: string): DocumentData | undefined {
    const at = id.lastIndexOf('@');
    const where = this.locate(id.slice(0, at), Date.parse(id.slice(at + 1)) / 60_000);
    return where === undefined ? undefined : this.#alertData(where.k, where.j);
  }

  #episodeById(id: string): DocumentData | undefined {
    const at = id.lastIndexOf('@');
    const where = this.locate(id.slice(0, at), Date.parse(id.slice(at + 1)) / 60_000);
    return where === undefined || where.j !== 0 ? undefined : this.episodeData(where.k);
  }

  /** The documents read by id (a page's getAll, a detail). */
  documents(): Documents {
    const byIds = (read: (id: string) => DocumentData | undefined) => async (ids: readonly string[]) => {
      const found = new Map<string, DocumentData>();
      for (const id of ids) {
        const data = read(id);
        if (data !== undefined) found.set(id, data);
      }
      this.reads.byId += found.size;
      return found;
    };
    return {
      alerts: byIds((id) => this.#alertById(id)),
      episodes: byIds((id) => this.#episodeById(id)),
      alert: async (id) => (await byIds((key) => this.#alertById(key))([id])).get(id),
      episode: async (id) => (await byIds((key) => this.#episodeById(key))([id])).get(id),
      mergedInto: async () => new Map(),
      bars: async () => [],
      alertAndBars: async (id) => [(await byIds((key) => this.#alertById(key))([id])).get(id), []],
    };
  }
}
