/**
 * Real minute bars, which are not in the repository (their licence, LGPL-3.0, keeps them out of it): the file
 * `data/real/NAME` under the directory STOCK_ANOMALIES_SHARED names, else under a `shared/` directory beside
 * the checkout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('../..', import.meta.url).pathname;

export function realDataFile(name: string): string {
  const candidates = [
    process.env.STOCK_ANOMALIES_SHARED,
    join(repoRoot, '..', 'shared'),
    '/work/shared',
  ].filter((dir): dir is string => dir !== undefined);
  for (const dir of candidates) {
    const file = join(dir, 'data', 'real', name);
    if (existsSync(file)) return file;
  }
  throw new Error(`real data ${name} not found in ${candidates.join(', ')} (set STOCK_ANOMALIES_SHARED)`);
}
