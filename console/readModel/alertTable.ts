/**
 * The alerts as compact columns: one row per alert document, about 30 bytes each (290,000 alerts: under
 * 10 MB with the lookup map). A row is found again by its identity (symbol, minute), which is also how its
 * document id is made, so no id string is kept per row.
 */
import { capacityFor, grown } from './columns.js';

/** Rule bits of the `rules` column. */
export const RULE_A1 = 1;
export const RULE_A2 = 2;

/** What the model keeps of an alert document: the fields lists filter and sort on. */
export interface AlertFacts {
  /** Interned symbol. */
  symbol: number;
  /** Minutes since the Unix epoch (UTC). */
  minute: number;
  rules: number;
  /** NaN when the alert has none. */
  severity: number;
  /** The episode's row in the episode table, or -1 when the alert names none. */
  episode: number;
  /** The document's update time (ms): an older version of a document never replaces a newer one. */
  version: number;
}

/** A key for (symbol, minute) that is a safe integer: minutes stay below 1e8 until the year 2160. */
const keyOf = (symbol: number, minute: number) => symbol * 100_000_000 + minute;

export class AlertTable {
  /** Rows used, deleted ones included (their `present` is 0). */
  size = 0;
  symbol = new Int32Array(0);
  minute = new Int32Array(0);
  severity = new Float64Array(0);
  rules = new Uint8Array(0);
  episode = new Int32Array(0);
  version = new Float64Array(0);
  present = new Uint8Array(0);
  /** Alerts present. */
  count = 0;
  readonly #rows = new Map<number, number>();

  /** The row of (symbol, minute), or -1. */
  rowOf(symbol: number, minute: number): number {
    return this.#rows.get(keyOf(symbol, minute)) ?? -1;
  }

  /** Records a version of an alert; false when it changes nothing (an older or the same version). */
  upsert(facts: AlertFacts): boolean {
    let row = this.rowOf(facts.symbol, facts.minute);
    if (row >= 0 && this.version[row]! > facts.version) return false;
    if (row < 0) {
      row = this.#append(facts.symbol, facts.minute);
    } else if (
      this.present[row] === 1 &&
      this.version[row] === facts.version &&
      this.rules[row] === facts.rules &&
      Object.is(this.severity[row], facts.severity) &&
      this.episode[row] === facts.episode
    ) {
      return false;
    }
    if (this.present[row] === 0) this.count++;
    this.present[row] = 1;
    this.rules[row] = facts.rules;
    this.severity[row] = facts.severity;
    this.episode[row] = facts.episode;
    this.version[row] = facts.version;
    return true;
  }

  /** Records that the document was deleted (at `version`); false when it was not there. */
  remove(symbol: number, minute: number, version: number): boolean {
    const row = this.rowOf(symbol, minute);
    if (row < 0 || this.present[row] === 0 || this.version[row]! > version) return false;
    this.present[row] = 0;
    this.version[row] = version;
    this.count--;
    return true;
  }

  #append(symbol: number, minute: number): number {
    if (this.size === this.symbol.length) {
      const capacity = capacityFor(this.symbol.length, this.size + 1);
      this.symbol = grown(Int32Array, this.symbol, capacity);
      this.minute = grown(Int32Array, this.minute, capacity);
      this.severity = grown(Float64Array, this.severity, capacity, Number.NaN);
      this.rules = grown(Uint8Array, this.rules, capacity);
      this.episode = grown(Int32Array, this.episode, capacity, -1);
      this.version = grown(Float64Array, this.version, capacity);
      this.present = grown(Uint8Array, this.present, capacity);
    }
    const row = this.size++;
    this.symbol[row] = symbol;
    this.minute[row] = minute;
    this.#rows.set(keyOf(symbol, minute), row);
    return row;
  }
}
