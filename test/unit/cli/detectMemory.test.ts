/**
 * `detect`'s memory follows the objects in flight, not the input: the peak resident memory of a run over 2× and
 * 4× as many files of the same size stays near that of the run over 1×, with and without `--episodes`. Workers
 * need compiled JavaScript: the project is built afresh (once, for both), and each run is a process of its own
 * (bench/detectRunner.ts, which reports its peak).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuild, type FreshBuild } from '../../helpers/freshBuild.js';

let build: FreshBuild;
let files: string[];

/**
 * Symbols (files) at 4×; each file 40 days of one symbol, about 15,000 bars, 5,800 alerts in 700 episodes. The
 * 1× run reads 16 of them: with 8 (about half a second) it ended while V8 was still growing each thread's heap to
 * its working size, and its peak was that growth's, not the data's.
 */
const FILES = 64;

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

/** Peak RSS (MiB) of `detect --format jsonl [options]` over the first `count` files, with two read workers. */
function peakMiB(count: number, options: string[], timeout: number): number {
  const runner = path.join(build.dir, 'dist', 'bench', 'detectRunner.js');
  const args = [
    runner,
    'detect',
    '--format',
    'jsonl',
    '--workers',
    '2',
    ...options,
    ...files.slice(0, count),
  ];
  const run = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout,
  });
  expect(run.status, run.stderr).toBe(0);
  const figures = JSON.parse(run.stderr.trim().split('\n').pop()!) as { maxRssMiB: number };
  return figures.maxRssMiB;
}

/** The lower of two runs' peaks: a garbage collection that comes late lifts one run, not the run's size. */
const lowerPeak = (count: number, options: string[] = [], timeout = 60_000) =>
  Math.min(peakMiB(count, options, timeout), peakMiB(count, options, timeout));

describe('detect memory', () => {
  /**
   * Measured here over 16, 32 and 64 files: about 135, 151 and 157 MiB (the rest of the growth is the allocator's,
   * the compiled code's and V8's heaps reaching their working size, not the data's). With the alerts' text held
   * until the end for its order, as once, 153, 196 and 253 MiB over 8, 16 and 32 files: 1.65 times at 4×, and
   * about 170 bytes more for every bar read.
   */
  it('peaks within a quarter of the 1× run at 2× the input and 30% at 4×', () => {
    const one = lowerPeak(FILES / 4);
    const two = lowerPeak(FILES / 2);
    const four = lowerPeak(FILES);
    const figures = `1×: ${one.toFixed(0)} MiB, 2×: ${two.toFixed(0)} MiB, 4×: ${four.toFixed(0)} MiB`;
    expect(two, figures).toBeLessThan(one * 1.25);
    expect(four, figures).toBeLessThan(one * 1.3);
  }, 180_000);
});

describe('detect --episodes memory', () => {
  /** The episodes the run over the first `count` files wrote, and its lower peak. */
  function episodesRun(count: number): { peak: number; episodes: number } {
    const episodes = path.join(build.dir, `episodes-${count}.jsonl`);
    const peak = lowerPeak(count, ['--episodes', episodes], 120_000);
    return { peak, episodes: readFileSync(episodes, 'utf8').split('\n').length - 1 };
  }

  /**
   * Each episode is set aside in a temporary file once done and scored when every object is in: measured about
   * 147, 155 and 178 MiB over 8, 16 and 32 files, and 156, 187 and 219 over 16, 32 and 64 (each symbol's baseline,
   * about 0.3 MB with its sorted copies, stays in memory: the 64 symbols' are 15 MB more than the 16's); holding
   * every episode bar's figures until then, as once, 208, 301 and 496 MiB over 8, 16 and 32. Some growth is left:
   * buffers the main thread drops go back only at a full collection, which comes once tens of MiB of them have
   * piled up. The spill's buffers and the lines' are now reused (without that, 145 and 194 MiB at 1× and 4×), but
   * the 4× run still peaks about 30 MiB above the 1× one, and 8× about 30 more. Hence 2× may be 30% above 1× and
   * 4× 55%; the figures held came to 2.4 times.
   */
  it('peaks within 30% of the 1× run at 2× the input and 55% at 4×, every episode written', () => {
    const one = episodesRun(FILES / 4);
    const two = episodesRun(FILES / 2);
    const four = episodesRun(FILES);
    const figures =
      `1×: ${one.peak.toFixed(0)} MiB (${one.episodes} episodes), 2×: ${two.peak.toFixed(0)} MiB ` +
      `(${two.episodes}), 4×: ${four.peak.toFixed(0)} MiB (${four.episodes})`;
    // The runs scored what they read: each file's symbol has its own episodes.
    expect(two.episodes, figures).toBeGreaterThan(one.episodes * 1.5);
    expect(four.episodes, figures).toBeGreaterThan(two.episodes * 1.5);
    expect(two.peak, figures).toBeLessThan(one.peak * 1.3);
    expect(four.peak, figures).toBeLessThan(one.peak * 1.55);
  }, 600_000);
});
