/**
 * The team kit's real minute bars (../shared/data/real beside the checkout; never copied into the repository,
 * see its README for the licence). A clone elsewhere names the kit with STOCK_ANOMALIES_SHARED.
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
