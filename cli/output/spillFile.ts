/**
 * Bytes kept in memory up to a limit, and in temporary files beyond it: `detect` must hold every alert until
 * the end (they come out sorted by symbol), and with this its memory stays bounded by the objects in flight,
 * not by how many files or bars it reads. Read workers write their lines into files of their own in the same
 * directory ({@link directory}); what they wrote is kept here by where it is ({@link written}).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes in memory, or where they are in one of the files (by its index). */
export type Kept = Uint8Array | { file: number; offset: number; length: number };

/** The most bytes read back at once: a symbol's lines can be a whole file's worth. */
const READ_BYTES = 4 << 20;

interface File {
  path: string;
  fd?: number;
  size: number;
}

export class SpillFile {
  readonly #limit: number;
  #inMemory = 0;
  #dir: string | undefined;
  /** The files, by index: the first is this one's own, the others what others wrote. */
  readonly #files: File[] = [];
  readonly #indexOf = new Map<string, number>();

  constructor(limitBytes = 64 << 20) {
    this.#limit = limitBytes;
  }

  /** The temporary directory, made when first asked for; {@link close} deletes it. */
  directory(): string {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'stock-anomalies-'));
    return this.#dir;
  }

  keep(bytes: Uint8Array): Kept {
    if (this.#inMemory + bytes.length <= this.#limit) {
      this.#inMemory += bytes.length;
      return bytes;
    }
    const own = this.#file(join(this.directory(), 'alerts'));
    const file = this.#files[own]!;
    file.fd ??= openSync(file.path, 'w+');
    const offset = file.size;
    writeSync(file.fd, bytes, 0, bytes.length, offset);
    file.size += bytes.length;
    return { file: own, offset, length: bytes.length };
  }

  /** Bytes someone else wrote into `path` (a file in {@link directory}) at `offset`. */
  written(path: string, offset: number, length: number): Kept {
    return { file: this.#file(path), offset, length };
  }

  /** The bytes kept, in pieces of at most a few megabytes. */
  *read(kept: Kept): Generator<Uint8Array> {
    if (kept instanceof Uint8Array) {
      yield kept;
      return;
    }
    const file = this.#files[kept.file]!;
    file.fd ??= openSync(file.path, 'r');
    for (let done = 0; done < kept.length;) {
      const bytes = Buffer.allocUnsafe(Math.min(READ_BYTES, kept.length - done));
      const read = readSync(file.fd, bytes, 0, bytes.length, kept.offset + done);
      if (read === 0) throw new Error(`${file.path} ended before offset ${kept.offset + done}`);
      done += read;
      yield bytes.subarray(0, read);
    }
  }

  /** Deletes the files, if any were needed. */
  close(): void {
    for (const file of this.#files) if (file.fd !== undefined) closeSync(file.fd);
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#files.length = 0;
    this.#indexOf.clear();
    this.#dir = undefined;
  }

  #file(path: string): number {
    let index = this.#indexOf.get(path);
    if (index === undefined) {
      index = this.#files.length;
      this.#files.push({ path, size: 0 });
      this.#indexOf.set(path, index);
    }
    return index;
  }
}
