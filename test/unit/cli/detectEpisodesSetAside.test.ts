/**
 * `detect --episodes` sets each episode's figures aside in a temporary file and scores it once every file is in
 * (cli/detect/episodeSpill.ts): the episodes and scores it writes must be those of every episode's figures held in
 * memory until the end and scored then (detectionScoring.ts, how the scores were made before and how `calibrate`
 * makes them), on data large enough for the figures to go through the file (tens of MB), with symbols whose bars
 * come out of order across files (detected again from scratch, their first pass's parts taken out of the market)
 * and with peer groups.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../cli/api.js';
import { EpisodeCollector } from '../../../shared/core/episodes.js';
import { ObjectSeriesDetection } from '../../../shared/core/objectSeriesDetection.js';
import type { ObjectBars } from '../../../shared/core/objectIntake.js';
import { DetectionScoring, episodeKey } from '../../../shared/core/suspicion/detectionScoring.js';
import { parsePeerGroups } from '../../../shared/core/suspicion/peerGroups.js';
import { configFor, readText } from '../../helpers/read.js';
import { runCli } from '../../helpers/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'detect-episodes-set-aside-'));
/** The files in the order given: every third symbol's file cut into three overlapping pieces, sent 2, 1, 3. */
const files: string[] = [];
const peers = join(dir, 'peers.txt');

beforeAll(async () => {
  const data = join(dir, 'data');
  await generateDataset({ out: data, symbols: 24, days: 25, seed: 11 });
  const names = readdirSync(data)
    .filter((name) => name.endsWith('.csv'))
    .sort();
  names.forEach((name, index) => {
    const path = join(data, name);
    if (index % 3 !== 0) {
      files.push(path);
      return;
    }
    const [header, ...rows] = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    const cut = [0, Math.floor(rows.length / 3), Math.floor((2 * rows.length) / 3), rows.length];
    const pieces = [0, 1, 2].map((k) => {
      const piece = join(dir, `${name}.${k}.csv`);
      writeFileSync(piece, `${[header, ...rows.slice(Math.max(0, cut[k]! - 30), cut[k + 1])].join('\n')}\n`);
      return piece;
    });
    files.push(pieces[1]!, pieces[0]!, pieces[2]!);
  });
  const symbols = names.map((name) => name.split('__')[0]!);
  writeFileSync(peers, `first=${symbols.slice(0, 8).join(',')}\nsecond=${symbols.slice(8, 16).join(',')}\n`);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The episode lines as scored in memory at the end, each bar's figures held until then. */
async function heldInMemory(peerGroups: string | undefined): Promise<string[]> {
  const config = configFor();
  const episodes = new EpisodeCollector({ found: () => {} });
  const groups = peerGroups === undefined ? undefined : parsePeerGroups(readFileSync(peerGroups, 'utf8'));
  const scoring = new DetectionScoring(config.episodeGapMinutes, groups);
  const detection = new ObjectSeriesDetection(config, episodes, undefined, scoring.observe);
  const objects: ObjectBars[] = [];
  for (const file of files) {
    const bars = await readText(readFileSync(file), file.split('/').pop(), {}, 1 << 20);
    objects.push(bars);
    detection.addObject(bars);
  }
  const disordered = new Set(detection.disorderedSymbols());
  const replayed = new EpisodeCollector({ found: () => {} });
  if (disordered.size > 0) {
    objects.forEach((bars, index) => {
      if (bars.report.symbols.some((symbol) => disordered.has(symbol))) detection.replayObject(index, bars);
    });
    detection.finishReplay(replayed);
  }
  const scores = scoring.scores();
  const all = [
    ...episodes.episodes().filter((episode) => !disordered.has(episode.symbol)),
    ...replayed.episodes(),
  ].sort((a, b) => (a.symbol !== b.symbol ? (a.symbol < b.symbol ? -1 : 1) : a.start < b.start ? -1 : 1));
  expect(disordered.size).toBeGreaterThan(0);
  return all.map((episode) => {
    const { score, baseline, factors, alerts } = scores.get(episodeKey(episode.symbol, episode.start))!.score;
    const line = { ...episode, score, scoreBaseline: baseline, scoreFactors: factors, scoreAlerts: alerts };
    return JSON.stringify(line);
  });
}

describe('detect --episodes, set aside and scored at the end', () => {
  for (const grouped of [false, true]) {
    it(`writes what scoring every episode in memory gives${grouped ? ', with peer groups' : ''}`, async () => {
      const out = join(dir, `episodes-${grouped}.jsonl`);
      const groups = grouped ? ['--peer-groups', peers] : [];
      const run = await runCli(['detect', '--format', 'csv', '--episodes', out, ...groups, ...files]);
      expect(run.code, run.stderr).toBe(0);
      const written = readFileSync(out, 'utf8').split('\n').slice(0, -1);
      const expected = await heldInMemory(grouped ? peers : undefined);
      expect(written.length).toBe(expected.length);
      expect(written).toEqual(expected);
    }, 300_000);
  }
});
