/**
 * The volumes of a symbol's recent processed bars, oldest first, in a ring buffer: the detector adds one and
 * drops one for nearly every bar, which must cost no allocation. Each volume is kept in the fast decimal form
 * (value, mantissa, scale), with its text only when it overflowed that form.
 */
import { exactOf, formatDecimal, type ExactDecimal } from './decimal.js';

export class VolumeWindow {
  readonly #capacity: number;
  readonly #minutes: Float64Array;
  readonly #values: Float64Array;
  readonly #mantissas: Float64Array;
  readonly #scales: Int16Array;
  readonly #texts: Array<string | undefined>;
  #head = 0;
  #size = 0;

  /** @param capacity the most bars held at once: the window in minutes, plus the bar being added */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#minutes = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
    this.#mantissas = new Float64Array(capacity);
    this.#scales = new Int16Array(capacity);
    this.#texts = new Array<string | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  #slot(i: number): number {
    const slot = this.#head + i;
    return slot >= this.#capacity ? slot - this.#capacity : slot;
  }

  minute(i: number): number {
    return this.#minutes[this.#slot(i)]!;
  }

  /** Drops the bars before a minute. */
  dropBefore(minute: number): void {
    while (this.#size > 0 && this.#minutes[this.#head]! < minute) {
      this.#texts[this.#head] = undefined;
      this.#head = this.#head + 1 === this.#capacity ? 0 : this.#head + 1;
      this.#size--;
    }
  }

  push(minute: number, value: number, mantissa: number, scale: number, text: string | undefined): void {
    if (this.#size === this.#capacity) throw new RangeError('volume window over capacity');
    const slot = this.#slot(this.#size);
    this.#minutes[slot] = minute;
    this.#values[slot] = value;
    this.#mantissas[slot] = mantissa;
    this.#scales[slot] = scale;
    this.#texts[slot] = text;
    this.#size++;
  }

  /** The sum of the volumes as doubles. */
  sum(): number {
    let sum = 0;
    for (let i = 0; i < this.#size; i++) sum += this.#values[this.#slot(i)]!;
    return sum;
  }

  exact(i: number): ExactDecimal {
    const slot = this.#slot(i);
    return exactOf(this.#mantissas[slot]!, this.#scales[slot]!, this.#texts[slot]);
  }

  text(i: number): string {
    const slot = this.#slot(i);
    return this.#texts[slot] ?? formatDecimal(this.#mantissas[slot]!, this.#scales[slot]!);
  }
}
