/**
 * The episodes as compact columns, with their triage status. A row is made for an episode id as soon as an
 * alert names it, so that the alert's row can point at it; it is listed only once its own document was read
 * (`present`).
 */
import { capacityFor, grown } from './columns.js';
import { Interner } from './interner.js';

/** What the model keeps of an episode document. */
export interface EpisodeFacts {
  symbol: number;
  /** First and last alert minute, in ms since the epoch. */
  start: number;
  end: number;
  count: number;
  a1: number;
  a2: number;
  /** NaN when none of its alerts has a severity. */
  peakSeverity: number;
  /** The suspicion score; NaN when the episode is not scored. */
  score: number;
  /** The status code (statuses.ts). */
  status: number;
  /** The document's update time (ms). */
  version: number;
}

export class EpisodeTable {
  readonly ids = new Interner();
  size = 0;
  symbol = new Int32Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  alerts = new Int32Array(0);
  a1 = new Int32Array(0);
  a2 = new Int32Array(0);
  peakSeverity = new Float64Array(0);
  score = new Float64Array(0);
  status = new Uint8Array(0);
  version = new Float64Array(0);
  present = new Uint8Array(0);
  /** Episodes present. */
  count = 0;
  /** Their alerts: the sum of the present episodes' counts. */
  alertCount = 0;

  /** The row of the episode `id`, made (not present) when no row had it yet. */
  rowFor(id: string): number {
    const row = this.ids.intern(id);
    if (row === this.size) this.#append();
    return row;
  }

  /** The row of `id`, or -1 when nothing named it. */
  rowOf(id: string): number {
    return this.ids.find(id) ?? -1;
  }

  id(row: number): string {
    return this.ids.value(row);
  }

  /** Records a version of an episode; false when it changes nothing. */
  upsert(id: string, facts: EpisodeFacts): boolean {
    const row = this.rowFor(id);
    if (this.version[row]! > facts.version) return false;
    if (
      this.present[row] === 1 &&
      this.symbol[row] === facts.symbol &&
      this.start[row] === facts.start &&
      this.end[row] === facts.end &&
      this.alerts[row] === facts.count &&
      this.a1[row] === facts.a1 &&
      this.a2[row] === facts.a2 &&
      Object.is(this.peakSeverity[row], facts.peakSeverity) &&
      Object.is(this.score[row], facts.score) &&
      this.status[row] === facts.status
    ) {
      this.version[row] = facts.version;
      return false;
    }
    if (this.present[row] === 0) this.count++;
    else this.alertCount -= this.alerts[row]!;
    this.alertCount += facts.count;
    this.present[row] = 1;
    this.symbol[row] = facts.symbol;
    this.start[row] = facts.start;
    this.end[row] = facts.end;
    this.alerts[row] = facts.count;
    this.a1[row] = facts.a1;
    this.a2[row] = facts.a2;
    this.peakSeverity[row] = facts.peakSeverity;
    this.score[row] = facts.score;
    this.status[row] = facts.status;
    this.version[row] = facts.version;
    return true;
  }

  /**
   * Sets the status the console itself just wrote, before the triage feed reports the document. The version is
   * left as it was: the feed's read of the document carries the server's update time, which is newer.
   */
  setStatus(id: string, status: number): boolean {
    const row = this.rowOf(id);
    if (row < 0 || this.status[row] === status) return false;
    this.status[row] = status;
    return true;
  }

  remove(id: string, version: number): boolean {
    const row = this.rowOf(id);
    if (row < 0 || this.present[row] === 0 || this.version[row]! > version) return false;
    this.present[row] = 0;
    this.version[row] = version;
    this.count--;
    this.alertCount -= this.alerts[row]!;
    return true;
  }

  #append(): void {
    if (this.size === this.symbol.length) {
      const capacity = capacityFor(this.symbol.length, this.size + 1);
      this.symbol = grown(Int32Array, this.symbol, capacity);
      this.start = grown(Float64Array, this.start, capacity);
      this.end = grown(Float64Array, this.end, capacity);
      this.alerts = grown(Int32Array, this.alerts, capacity);
      this.a1 = grown(Int32Array, this.a1, capacity);
      this.a2 = grown(Int32Array, this.a2, capacity);
      this.peakSeverity = grown(Float64Array, this.peakSeverity, capacity, Number.NaN);
      this.score = grown(Float64Array, this.score, capacity, Number.NaN);
      this.status = grown(Uint8Array, this.status, capacity);
      this.version = grown(Float64Array, this.version, capacity);
      this.present = grown(Uint8Array, this.present, capacity);
    }
    this.size++;
  }
}
