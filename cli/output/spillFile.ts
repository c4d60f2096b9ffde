/**
 * Bytes kept in memory up to a limit, and in a temporary file beyond it: `detect` must hold every alert until
 * the end (they come out sorted by symbol), and with this its memory stays bounded by the largest input file,
 * not by how many files it reads.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Kept = Uint8Array | { offset: number; length: number };

export class SpillFile {
  readonly #limit: number;
  #inMemory = 0;
  #dir: string | undefined;
  #fd: number | undefined;
  #size = 0;

  constructor(limitBytes = 64 << 20) {
    this.#limit = limitBytes;
  }

  keep(bytes: Uint8Array): Kept {
    if (this.#inMemory + bytes.length <= this.#limit) {
      this.#inMemory += bytes.length;
      return bytes;
    }
    if (this.#fd === undefined) {
      this.#dir = mkdtempSync(join(tmpdir(), 'stock-anomalies-'));
      this.#fd = openSync(join(this.#dir, 'alerts'), 'w+');
    }
    const offset = this.#size;
    writeSync(this.#fd, bytes, 0, bytes.length, offset);
    this.#size += bytes.length;
    return { offset, length: bytes.length };
  }

  read(kept: Kept): Uint8Array {
    if (kept instanceof Uint8Array) return kept;
    const bytes = Buffer.allocUnsafe(kept.length);
    readSync(this.#fd!, bytes, 0, kept.length, kept.offset);
    return bytes;
  }

  /** Deletes the file, if one was needed. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#fd = undefined;
    this.#dir = undefined;
  }
}
