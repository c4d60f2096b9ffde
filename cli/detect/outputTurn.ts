/**
 * Whose turn it is to write alert lines to `detect`'s output, shared between the main thread and the read
 * workers. The output is each symbol's lines in code-unit order of the symbols; a symbol's place in that order is
 * its ticket. The turn is the ticket of the first symbol not yet out: every symbol before it is in the output,
 * and nothing after it is. A read worker holding the lines of a symbol that is complete (see fileSymbols.ts)
 * writes them straight to the output when the turn is that symbol's, and passes the turn on; otherwise it writes
 * them into its own file, for the main thread to copy out in order. Straight out, the lines are written once
 * instead of three times (into the worker's file, read back, out again): at the seed's scale, 5.9 GB the kernel
 * copied twice more, a tenth of the run's CPU time.
 */

/** No one may write straight out any more: the rest comes out through the main thread. */
const STOPPED = -1;
// The shared memory's two numbers.
/** The turn: the ticket of the first symbol not yet out. */
const TURN = 0;
/** The ticket a worker last took the turn for (-1: none yet): while it is the turn, that worker is writing. */
const TAKEN = 1;

export class OutputTurn {
  readonly #shared: Int32Array;

  /** @param shared the turn's memory, from another thread's {@link buffer}; a fresh turn at ticket 0 without */
  constructor(shared?: SharedArrayBuffer) {
    this.#shared = new Int32Array(shared ?? new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    if (shared === undefined) this.#shared[TAKEN] = -1;
  }

  /** The memory to share with another thread (through a message, or its workerData). */
  get buffer(): SharedArrayBuffer {
    return this.#shared.buffer as SharedArrayBuffer;
  }

  /**
   * Takes the turn for the symbol at `ticket` if it is its turn; or, if the symbol just before it is being written
   * out by another worker, once that is done (waiting at most `waitMs`): two workers' objects one after the other
   * are often written at the same time, and the second would otherwise go to its file, and the turn then wait for
   * the main thread's copy of it, and the next symbols' lines go to their files too. Never waits for the main
   * thread, which may be waiting for this worker. A worker only (the main thread may not block).
   * @returns whether the lines may be written out now; then call {@link passOn} once they are
   */
  take(ticket: number, waitMs: number): boolean {
    const shared = this.#shared;
    for (;;) {
      const turn = Atomics.load(shared, TURN);
      if (turn === ticket) {
        Atomics.store(shared, TAKEN, ticket);
        return true;
      }
      if (turn !== ticket - 1 || Atomics.load(shared, TAKEN) !== turn) return false;
      // Returns at once if the turn moved on meanwhile; then it is looked at again.
      if (Atomics.wait(shared, TURN, turn, waitMs) === 'timed-out') return false;
    }
  }

  /** After the lines of the symbol at `ticket` went out straight: the next symbol's turn (unless stopped). */
  passOn(ticket: number): void {
    Atomics.compareExchange(this.#shared, TURN, ticket, ticket + 1);
    Atomics.notify(this.#shared, TURN);
  }

  /**
   * Every symbol before `ticket` is out (the main thread wrote them, or learnt that a worker did). Never moves
   * the turn back: a worker may have passed it further on already.
   */
  reach(ticket: number): void {
    for (;;) {
      const turn = Atomics.load(this.#shared, TURN);
      if (turn === STOPPED || turn >= ticket) return;
      if (Atomics.compareExchange(this.#shared, TURN, turn, ticket) === turn) break;
    }
    Atomics.notify(this.#shared, TURN);
  }

  /** From here on, only the main thread writes: it is to write the rest itself (or stop, on a failure). */
  stop(): void {
    Atomics.store(this.#shared, TURN, STOPPED);
    Atomics.notify(this.#shared, TURN);
  }
}
