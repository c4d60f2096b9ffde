/**
 * `detect --episodes`' memory follows the objects in flight, not the input, as plain detect's does
 * (detectMemory.test.ts): the peak resident memory of a run over 2× and 4× as many files of the same size stays
 * near that of the run over 1×. Each episode is set aside in a temporary file once done and scored when every
 * object is in: measured about 162, 172 and 190 MiB (each symbol's baseline, about 210 KB, stays in the heap; the
 * rest is the collector's and the allocator's); holding every episode bar's figures until then, as before, 208,
 * 301 and 496 MiB. Workers need compiled JavaScript: the project is built afresh, and each run is a process of its own
 * (bench/detectRunner.ts, which reports its peak).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuild, type FreshBuild } from '../../helpers/freshBuild.js';

let build: FreshBuild;
let files: string[];

/** Symbols (files) at 4×; each file 40 days of one symbol, about 15,000 bars, 5,800 alerts in 700 episodes. */
const FILES = 32;

beforeAll(() => {
  build = freshBuild('detect-episodes-memory-');
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

/** Peak RSS (MiB) of `detect --episodes` over the first `count` files, with two read workers, and its episodes. */
function run(count: number): { peak: number; episodes: number } {
  const runner = path.join(build.dir, 'dist', 'bench', 'detectRunner.js');
  const episodes = path.join(build.dir, `episodes-${count}.jsonl`);
  const args = [runner, 'detect', '--format', 'jsonl', '--workers', '2', '--episodes', episodes];
  const child = spawnSync(process.execPath, [...args, ...files.slice(0, count)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.status, child.stderr).toBe(0);
  const figures = JSON.parse(child.stderr.trim().split('\n').pop()!) as { maxRssMiB: number };
  const lines = readFileSync(episodes, 'utf8').split('\n').length - 1;
  return { peak: figures.maxRssMiB, episodes: lines };
}

/** The lower of two runs' peaks: a garbage collection that comes late lifts one run, not the run's size. */
function lowerPeak(count: number): { peak: number; episodes: number } {
  const a = run(count);
  const b = run(count);
  return { peak: Math.min(a.peak, b.peak), episodes: a.episodes };
}

describe('detect --episodes memory', () => {
  it('peaks within a quarter of the 1× run at 2× and 4× the input, every episode written', () => {
    const one = lowerPeak(FILES / 4);
    const two = lowerPeak(FILES / 2);
    const four = lowerPeak(FILES);
    const figures =
      `1×: ${one.peak.toFixed(0)} MiB (${one.episodes} episodes), 2×: ${two.peak.toFixed(0)} MiB ` +
      `(${two.episodes}), 4×: ${four.peak.toFixed(0)} MiB (${four.episodes})`;
    // The runs scored what they read: each file's symbol has its own episodes.
    expect(two.episodes, figures).toBeGreaterThan(one.episodes * 1.5);
    expect(four.episodes, figures).toBeGreaterThan(two.episodes * 1.5);
    expect(two.peak, figures).toBeLessThan(one.peak * 1.25);
    expect(four.peak, figures).toBeLessThan(one.peak * 1.25);
  }, 600_000);
});
