/**
 * The deliveries an instance is handling, so that settle works in the gaps between them. A live market sends a
 * minute's records together (one per symbol) and then nothing until the next minute: run beside them, a settle's
 * reads, scoring and writes (a second of work for 150 symbols, in blocks of up to 200 ms) made that minute's
 * alerts late; run in the gap after them, they delay none. A steady stream leaves no gap, so a wait is bounded:
 * settle then goes on in steps, as it did before.
 */
export class DeliveryGaps {
  #inFlight = 0;
  #waiting: Array<() => void> = [];

  constructor(
    /** The longest a settle step waits for a gap. */
    private readonly maxWaitMs: number,
  ) {}

  started(): void {
    this.#inFlight++;
  }

  ended(): void {
    this.#inFlight--;
    if (this.#inFlight > 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resume of waiting) resume();
  }

  /** Resolves when no delivery is in flight, at once if none is, or after `maxWaitMs` whatever comes. */
  gap(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((waiting) => waiting !== resume);
        resolve();
      }, this.maxWaitMs);
      const resume = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.push(resume);
    });
  }
}
