import { describe, expect, it } from 'vitest';
import { SpillFile } from '../../../../cli/output/spillFile.js';

describe('SpillFile', () => {
  it('keeps bytes in memory up to its limit and the rest in a file, reading all back as written', () => {
    const spill = new SpillFile(10);
    const parts = ['hello', 'world', '!', 'beyond the limit', 'and more'].map((text) => Buffer.from(text));
    const kept = parts.map((part) => spill.keep(part));
    expect(kept.map((k) => k instanceof Uint8Array)).toEqual([true, true, false, false, false]);
    expect(kept.map((k) => Buffer.from(spill.read(k)).toString())).toEqual([
      'hello',
      'world',
      '!',
      'beyond the limit',
      'and more',
    ]);
    spill.close();
  });
});
