/**
 * The reader against data with faults planted on purpose: the generator records what it planted and the
 * figures a correct reader must report (computed from its own bookkeeping, not by reading), so each file's
 * quality report must equal its manifest's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../cli/generate/index.js';
import { readText } from '../../helpers/read.js';

describe('reading generated data with planted faults', () => {
  it.each([
    ['the default fault rates', 1, false],
    ['thirty times the fault rates, gzipped', 30, true],
  ])('reports exactly what was planted, at %s', async (_, faultRate, gzip) => {
    const out = mkdtempSync(join(tmpdir(), 'generated-'));
    const manifest = await generateDataset({ out, symbols: 6, days: 3, seed: 11, faultRate, gzip });
    expect(manifest.files.length).toBe(6);
    for (const file of manifest.files) {
      const { report } = await readText(readFileSync(join(out, file.file)), file.file, {}, 1 << 16);
      const { symbols: _symbols, object: _object, status, ...figures } = report;
      expect(status).toBe('accepted');
      expect(figures, file.file).toEqual(file.expected);
    }
  });
});
