/**
 * Whole spans read from and written to a file descriptor: `readSync` and `writeSync` may do less than asked, and
 * every caller here needs all of it (the temporary files read back on other threads, the output written out).
 */
import { readSync, writeSync } from 'node:fs';

/**
 * Reads `length` bytes of a file from `offset` into `into` at `at`: the whole span (a file written on one thread is
 * read on another with a descriptor of its own: the episodes' spill, a read worker's lines).
 */
export function readSpan(fd: number, into: Uint8Array, at: number, offset: number, length: number): void {
  for (let done = 0; done < length;) {
    const read = readSync(fd, into, at + done, length - done, offset + done);
    if (read === 0) throw new Error(`a temporary file ended before offset ${offset + done}`);
    done += read;
  }
}

/** Writes all of `bytes` at the descriptor's position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}
