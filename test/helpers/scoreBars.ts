/**
 * Minute bars for the suspicion score's tests (contract §6), with figures easy to work out by hand, and
 * `detect --episodes` run over them.
 *
 * A quiet session has a bar every minute from 03:45 UTC (09:15 IST) closing alternately at 100.1 and 100, the
 * first bar of each day at 100.1 (so a day of an even number of bars ends at 100 and the next day's first return
 * is +0.1% too): every return is ±ln(1.001) = ±0.0009995, so its volatility is
 * σ = max(1.4826 × 0.0009995, 0.0009995, 0.0001) = 0.0014819, and no close moves A1's 0.5%. With one volume
 * all session, A2 never fires either: a quiet session has no alerts, and a case's changes make its episodes.
 * A bar at an even index (03:45 + an even number of minutes: 03:51, 04:25, 04:31, 05:11) follows a close of 100.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './runCli.js';

/** One bar: its minute (`2017-01-02T03:45`, UTC), close (also its open, high and low) and volume. */
export interface Bar {
  minute: string;
  close: string;
  volume: number;
}

export interface SessionOptions {
  /** The first bar's time of day, UTC (`03:45`). */
  from?: string;
  /** How many bars, one a minute (90: 03:45 to 05:14). */
  bars?: number;
  /** The volume at each time of day (`HH:MM`); 1,000 by default. */
  volume?: number | ((time: string) => number);
  /** Bars changed or added, by time of day: a close, and a volume (else the session's at that time). */
  changes?: Record<string, [close: string, volume?: number]>;
  /** The session's last bar (a day that stops early). */
  until?: string;
}

const timeOf = (minuteOfDay: number) =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** A quiet session on `date` (`2017-01-02`), with a case's changes. */
export function session(date: string, options: SessionOptions = {}): Bar[] {
  const { from = '03:45', bars = 90, volume = 1000, changes = {}, until } = options;
  const volumeAt = typeof volume === 'number' ? () => volume : volume;
  const byTime = new Map<string, Bar>();
  const start = minuteOfDay(from);
  for (let i = 0; i < bars; i++) {
    const time = timeOf(start + i);
    byTime.set(time, {
      minute: `${date}T${time}`,
      close: i % 2 === 0 ? '100.1' : '100',
      volume: volumeAt(time),
    });
  }
  for (const [time, [close, changed]] of Object.entries(changes)) {
    byTime.set(time, { minute: `${date}T${time}`, close, volume: changed ?? volumeAt(time) });
  }
  return [...byTime.values()]
    .filter((bar) => until === undefined || bar.minute.slice(11) <= until)
    .sort((a, b) => (a.minute < b.minute ? -1 : 1));
}

/** The dates of the multi-day cases: three earlier days (Monday to Wednesday) and the day judged (Thursday). */
export const EARLIER_DATES = ['2017-01-02', '2017-01-03', '2017-01-04'] as const;
export const DAY = '2017-01-05';

/** A file of bars, minutes in UTC. */
export function barsCsv(bars: readonly Bar[]): string {
  const rows = bars.map(
    ({ minute, close, volume }) => `${minute}:00Z,${close},${close},${close},${close},${volume}`,
  );
  return `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`;
}

/** An episode as `detect --episodes` writes it in JSON lines (contract §5, §6). */
export interface ScoredEpisodeLine {
  symbol: string;
  start: string;
  end: string;
  count: number;
  a1: number;
  a2: number;
  peakSeverity: number | null;
  score: number;
  scoreBaseline: 'usual' | 'recent' | 'none';
  scoreFactors: Array<{ factor: string; points: number; detail: string }>;
  scoreAlerts: Array<{ minute: string; points: number }>;
}

/** Writes `files` (name → content) to a fresh folder and gives their paths, in the order given. */
export function writeFiles(files: ReadonlyArray<readonly [string, string]>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'score-bars-'));
  return files.map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

/** `detect --episodes` over the files (paths): the episodes file's text, JSON lines or CSV. */
export async function episodesText(
  paths: readonly string[],
  format: 'jsonl' | 'csv' = 'jsonl',
  options: readonly string[] = [],
): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'score-episodes-')), `episodes.${format}`);
  const run = await runCli(['detect', '--format', 'jsonl', '--episodes', out, ...options, ...paths]);
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(out, 'utf8');
}

/**
 * `detect --episodes` over files given as (name, content), with `options` (e.g. `--peer-groups FILE`): every
 * episode, by symbol then start.
 */
export async function scoredEpisodes(
  files: ReadonlyArray<readonly [string, string]>,
  options: readonly string[] = [],
): Promise<ScoredEpisodeLine[]> {
  return parseEpisodes(await episodesText(writeFiles(files), 'jsonl', options));
}

export function parseEpisodes(text: string): ScoredEpisodeLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ScoredEpisodeLine);
}

/** The one episode of `symbol` that starts at `start` (`2017-01-05T03:51`). */
export function episodeAt(episodes: readonly ScoredEpisodeLine[], symbol: string, start: string) {
  const found = episodes.filter((episode) => episode.symbol === symbol && episode.start === `${start}:00Z`);
  expect(
    found,
    `${symbol}'s episode at ${start} among ${JSON.stringify(episodes.map((e) => [e.symbol, e.start]))}`,
  ).toHaveLength(1);
  return found[0]!;
}

/** Each factor's points, by factor. */
export function pointsOf(episode: ScoredEpisodeLine): Record<string, number> {
  return Object.fromEntries(episode.scoreFactors.map(({ factor, points }) => [factor, points]));
}

/** A factor's detail (the figures behind it, in words). */
export function detailOf(episode: ScoredEpisodeLine, factor: string): string {
  return episode.scoreFactors.find((f) => f.factor === factor)!.detail;
}
