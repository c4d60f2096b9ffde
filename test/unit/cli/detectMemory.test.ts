/**
 * `detect`'s memory follows the objects in flight, not the input: the peak resident memory of a run over 2× and
 * 4× as many files of the same size stays near that of the run over 1×. Measured here: about 121, 125 and
 * 133 MiB (the rest of the growth is the allocator's and the compiled code's, not the data's); with the alerts'
 * text held until the end for its order, as before, 153, 196 and 253 MiB. Workers need compiled JavaScript:
 * the project is built afresh, and each run is a process of its own (bench/detectRunner.ts, which reports its
 * peak).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuild, type FreshBuild } from '../../helpers/freshBuild.js';

let build: FreshBuild;
let files: string[];

/** Symbols (files) at 4×; each file 40 days of one symbol, about 15,000 bars and 5,800 alerts. */
const FILES = 32;

beforeAll(() => {
  build = freshBuild('detect-memory-');
  const data = path.join(build.dir, 'data');
  execFileSync(
    process.execPath,
    [build.bin, 'generate', '--out', data, '--symbols', String(FILES), '--days', '40', '--seed', '3'],
    { stdio: 'ignore' },
  );
  files = readdirSync(data)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => path.join(data, name));
}, 240_000);

afterAll(() => rmSync(build.dir, { recursive: true, force: true }));

/** Peak RSS (MiB) of `detect --format jsonl` over the first `count` files, with two read workers. */
function peakMiB(count: number): number {
  const runner = path.join(build.dir, 'dist', 'bench', 'detectRunner.js');
  const args = [runner, 'detect', '--format', 'jsonl', '--workers', '2', ...files.slice(0, count)];
  const run = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const figures = JSON.parse(run.stderr.trim().split('\n').pop()!) as { maxRssMiB: number };
  return figures.maxRssMiB;
}

/** The lower of two runs' peaks: a garbage collection that comes late lifts one run, not the run's size. */
const lowerPeak = (count: number) => Math.min(peakMiB(count), peakMiB(count));

describe('detect memory', () => {
  it('peaks within a fifth of the 1× run at 2× and 4× the input', () => {
    const one = lowerPeak(FILES / 4);
    const two = lowerPeak(FILES / 2);
    const four = lowerPeak(FILES);
    const figures = `1×: ${one.toFixed(0)} MiB, 2×: ${two.toFixed(0)} MiB, 4×: ${four.toFixed(0)} MiB`;
    expect(two, figures).toBeLessThan(one * 1.2);
    expect(four, figures).toBeLessThan(one * 1.2);
  }, 120_000);
});
