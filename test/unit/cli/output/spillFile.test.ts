import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpillFile, type Kept } from '../../../../cli/output/spillFile.js';

const text = (spill: SpillFile, kept: Kept) => Buffer.concat([...spill.read(kept)]).toString();

describe('SpillFile', () => {
  it('keeps bytes in memory up to its limit and the rest in a file, reading all back as written', () => {
    const spill = new SpillFile(10);
    const parts = ['hello', 'world', '!', 'beyond the limit', 'and more'].map((part) => Buffer.from(part));
    const kept = parts.map((part) => spill.keep(part));
    expect(kept.map((k) => k instanceof Uint8Array)).toEqual([true, true, false, false, false]);
    expect(kept.map((k) => text(spill, k))).toEqual(['hello', 'world', '!', 'beyond the limit', 'and more']);
    spill.close();
  });

  it('reads back what another writer put in its directory, in pieces, and deletes it on close', () => {
    const spill = new SpillFile(10);
    const directory = spill.directory();
    const other = join(directory, 'lines-1');
    // 9 MiB: read back in more than one piece.
    const big = Buffer.alloc(9 << 20, 'x');
    writeFileSync(other, Buffer.concat([Buffer.from('AAA\nBB\n'), big]));
    const first = spill.written(other, 0, 4);
    const second = spill.written(other, 4, 3);
    const third = spill.written(other, 7, big.length);
    expect(text(spill, second)).toBe('BB\n');
    expect(text(spill, first)).toBe('AAA\n');
    const pieces = [...spill.read(third)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).equals(big)).toBe(true);
    spill.close();
    expect(existsSync(directory)).toBe(false);
  });
});
