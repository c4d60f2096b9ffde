/**
 * One 1 GB object (about 16 million bars) ingests within a 2 GiB function instance (`npm run test:soak`): ingest
 * in functions-framework under the instance's V8 heap limit, on a stack of its own, as `npm run bench:memory`
 * runs it. The file is generated into .bench/memory/ (kept with BENCH_KEEP_FILE=1) and removed afterwards.
 */
import { expect, it } from 'vitest';
import { measureIngestMemory } from '../../bench/ingestMemory.js';

/** The instance's memory (README, "Speed"). */
const INSTANCE_MIB = 2048;

it('ingests a 1 GB object with its peak RSS under 2 GiB', { timeout: 1_800_000 }, async () => {
  const figures = await measureIngestMemory();
  console.log(
    `${figures.name}: ${figures.bytes} bytes, ${figures.accepted} bars accepted in ` +
      `${(figures.ingestMs / 1000).toFixed(1)} s; peak RSS ${Math.round(figures.peakMiB)} MiB`,
  );
  expect(figures.outcome).toBe('done');
  expect(figures.accepted).toBe(figures.expectedAccepted);
  expect(figures.peakMiB).toBeLessThan(INSTANCE_MIB);
});
