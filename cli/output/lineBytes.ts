/**
 * Lines as UTF-8 bytes, encoded one by one as they are made into room reused from batch to batch: a scoring
 * worker's lines gathered as one string, then encoded, kept a megabyte of text alive through every collection
 * while it grew (a fifth of the worker's time went to the collector).
 */
export class LineBytes {
  #room = Buffer.allocUnsafe(1 << 20);
  #used = 0;

  /** The bytes added since the last take. */
  get size(): number {
    return this.#used;
  }

  add(line: string): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
    if (this.#room.length - this.#used < line.length * 3) this.#grow(line.length * 3);
    this.#used += this.#room.write(line, this.#used);
  }

  /**
   * The bytes added since the last take, in a buffer of their own (to be moved to another thread): `into`'s
   * buffer when they fit in it (bytes already written out, handed back), else a new one.
   */
  take(into?: Uint8Array): Uint8Array<ArrayBuffer> {
    const buffer =
      into !== undefined && into.buffer.byteLength >= this.#used && into.buffer instanceof ArrayBuffer
        ? into.buffer
        : // A little room to spare, so that the next lines handed back into it fit too.
          new ArrayBuffer(Math.ceil(this.#used * 1.25));
    const bytes = new Uint8Array(buffer, 0, this.#used);
    bytes.set(this.#room.subarray(0, this.#used));
    this.#used = 0;
    return bytes;
  }

  /** Forgets the bytes added since the last take. */
  clear(): void {
    this.#used = 0;
  }

  #grow(room: number): void {
    let size = this.#room.length * 2;
    while (size - this.#used < room) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#room.copy(grown, 0, 0, this.#used);
    this.#room = grown;
  }
}
