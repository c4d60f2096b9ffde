import { MinuteText, putNumber, NUMBER_BYTES, TIMESTAMP_BYTES } from './byteText.js';

/**
 * Lines as UTF-8 bytes, encoded one by one as they are made into room reused from batch to batch: a scoring
 * worker's lines gathered as one string, then encoded, kept a megabyte of text alive through every collection
 * while it grew (a fifth of the worker's time went to the collector). A line of JSON may also be written piece
 * by piece, its strings and numbers as JSON writes them, without its text ever being a string.
 */
export class LineBytes {
  #room = Buffer.allocUnsafe(1 << 20);
  #used = 0;
  readonly #minutes = new MinuteText();

  /** The bytes added since the last take. */
  get size(): number {
    return this.#used;
  }

  add(line: string): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
    if (this.#room.length - this.#used < line.length * 3) this.#grow(line.length * 3);
    this.#used += this.#room.write(line, this.#used);
  }

  /** Appends bytes as they are (text already encoded). */
  bytes(bytes: Uint8Array): void {
    const length = bytes.length;
    if (this.#room.length - this.#used < length) this.#grow(length);
    const room = this.#room;
    const at = this.#used;
    // Most are a few bytes of a line's fixed text (`,"points":`), where a loop is cheaper than a call to `set`:
    // 90 million of them at the seed's scale, a twentieth of scoring.
    if (length > 32) room.set(bytes, at);
    else for (let i = 0; i < length; i++) room[at + i] = bytes[i]!;
    this.#used = at + length;
  }

  /** Appends a number as `JSON.stringify` writes it (null for NaN and the infinities). */
  jsonNumber(value: number): void {
    if (this.#room.length - this.#used < NUMBER_BYTES) this.#grow(NUMBER_BYTES);
    this.#used = putNumber(this.#room, this.#used, value);
  }

  /** Appends a minute's text (formatMinute's) as `JSON.stringify` writes that string: `"2017-01-02T03:45:00Z"`. */
  jsonMinute(minute: number): void {
    if (this.#room.length - this.#used < TIMESTAMP_BYTES + 2) this.#grow(TIMESTAMP_BYTES + 2);
    const out = this.#room;
    out[this.#used] = 0x22;
    let at = this.#minutes.put(out, this.#used + 1, minute);
    out[at++] = 0x3a; // ':'
    out[at++] = 0x30;
    out[at++] = 0x30;
    out[at++] = 0x5a; // 'Z'
    out[at++] = 0x22;
    this.#used = at;
  }

  /**
   * Appends a string as `JSON.stringify` writes it, quoted, as UTF-8. Encoded here character by character where it
   * holds nothing JSON escapes (a control character, quote, backslash or surrogate: any of those and the string
   * goes to JSON.stringify), which is every string of an episode's line but an odd symbol's: quoting each string,
   * joining them into the line and encoding that was two fifths of a scoring worker's time.
   */
  jsonString(text: string): void {
    // At most 3 bytes a code unit, and the quotes; JSON.stringify's escapes take at most 6 (\uXXXX).
    const room = text.length * 6 + 2;
    if (this.#room.length - this.#used < room) this.#grow(room);
    const out = this.#room;
    let at = this.#used;
    out[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code < 0x20 || code === 0x22 || code === 0x5c) {
          this.#used += out.write(JSON.stringify(text), this.#used);
          return;
        }
        out[at++] = code;
      } else if (code < 0x800) {
        out[at++] = 0xc0 | (code >> 6);
        out[at++] = 0x80 | (code & 0x3f);
      } else if (code >= 0xd800 && code <= 0xdfff) {
        this.#used += out.write(JSON.stringify(text), this.#used);
        return;
      } else {
        out[at++] = 0xe0 | (code >> 12);
        out[at++] = 0x80 | ((code >> 6) & 0x3f);
        out[at++] = 0x80 | (code & 0x3f);
      }
    }
    out[at++] = 0x22;
    this.#used = at;
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
