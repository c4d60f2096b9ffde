/**
 * Contract §2 on the real local stack: the alerts and episodes do not depend on the order objects arrive in. The
 * same bars cut into many objects, uploaded all at once in a shuffled order, and a gap hour sent last (a vendor's
 * backfill), give what `stock-anomalies detect` says about the whole files in order; the revisions a late bar
 * makes are kept on the alerts, and the episodes they regroup are marked, not lost.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../cli/generate/index.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { sortedEpisodeLines, storedEpisodeLine } from '../helpers/episodeLines.js';
import { cli, pipelineAlerts } from '../helpers/faultRun.js';
import {
  deliveryCounter,
  emptyStack,
  killAndRestart,
  pause,
  restartOnceDead,
} from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const work = mkdtempSync(join(tmpdir(), 'arrival-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A shuffle that is the same on every run (a linear congruential generator). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function waitIdle(): Promise<void> {
  const result = await cli('wait', '--timeout', '180');
  expect(result.stderr).toContain('all dropped objects ingested, all alerts written');
}

/** The episodes standing in Firestore, as `detect --episodes` writes them; and the withdrawn ones. */
async function storedEpisodes(): Promise<{
  standing: Array<Record<string, unknown>>;
  withdrawn: Array<Record<string, unknown>>;
}> {
  const db = new Firestore({ projectId: endpoints.project });
  try {
    const docs = (await db.collection('episodes').get()).docs.map((doc) => doc.data());
    // With the scores settled on them (contract §6): the batch CLI's, whatever order the objects came in.
    const standing = sortedEpisodeLines(
      docs.filter((data) => data.withdrawn == null).map((data) => storedEpisodeLine(data)),
    );
    return { standing, withdrawn: docs.filter((data) => data.withdrawn != null) };
  } finally {
    await db.terminate();
  }
}

/** Each alert line without its source (an object cut in pieces names other objects and lines). */
const withoutSource = (lines: readonly string[]) =>
  lines.map((line) => {
    const { source: _source, ...alert } = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify(alert);
  });

let expectedAlerts: string[];
let expectedEpisodes: Array<Record<string, unknown>>;
/** The pieces: objects of 30 minutes of every symbol, with a symbol column. */
let pieces: string[];
let gapHour: string[];

beforeAll(async () => {
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).not.toContain('timed out');
  await emptyStack();

  const generated = await generateDataset({
    out: join(work, 'whole'),
    symbols: 5,
    days: 2,
    seed: 11,
    faultRate: 0,
  });
  const files = generated.files.map((file) => join(work, 'whole', file.file));
  const episodesFile = join(work, 'episodes.jsonl');
  const batch = await cli('detect', '--format', 'jsonl', '--episodes', episodesFile, ...files);
  expect(batch.code).toBe(0);
  expectedAlerts = withoutSource(batch.stdout.trim().split('\n')).sort();
  expectedEpisodes = readFileSync(episodesFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(expectedAlerts.length).toBeGreaterThan(300);

  // Every bar of every symbol, by half hour of its timestamp's text (YYYY-MM-DD HH and :00 or :30).
  const byPiece = new Map<string, string[]>();
  for (const [i, file] of files.entries()) {
    const symbol = generated.files[i]!.symbol;
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const [timestamp, ...values] = line.split(',');
      const key = `${timestamp!.slice(0, 13)}-${Number(timestamp!.slice(14, 16)) < 30 ? '00' : '30'}`;
      const rows = byPiece.get(key) ?? [];
      rows.push([timestamp, symbol, ...values].join(','));
      byPiece.set(key, rows);
    }
  }
  const dir = join(work, 'pieces');
  mkdirSync(dir);
  const keys = [...byPiece.keys()].sort();
  const written = keys.map((key) => {
    const path = join(dir, `MARKET-${key.replace(' ', 'T')}.csv`);
    writeFileSync(path, `timestamp,symbol,open,high,low,close,volume\n${byPiece.get(key)!.join('\n')}\n`);
    return path;
  });
  // The second day's 11:00–12:00, held back and sent once everything after it was detected.
  const gapKeys = new Set(keys.filter((key) => key.endsWith(' 11-00') || key.endsWith(' 11-30')).slice(-2));
  expect(gapKeys.size).toBe(2);
  gapHour = written.filter((_, i) => gapKeys.has(keys[i]!));
  pieces = shuffled(
    written.filter((_, i) => !gapKeys.has(keys[i]!)),
    7,
  );
  expect(pieces.length).toBeGreaterThan(20);
});

describe('objects arriving in any order', () => {
  it('give the alerts and episodes of the bars in minute order, a backfilled hour included', async () => {
    // All at once, shuffled: ingest takes them side by side, and detect meets many bars after later ones.
    expect((await cli('drop', ...pieces)).code).toBe(0);
    await waitIdle();
    // The gap hour: its bars are late for every symbol, and revise the next bars' alerts.
    expect((await cli('drop', ...gapHour)).code).toBe(0);
    await waitIdle();

    expect(withoutSource(await pipelineAlerts()).sort()).toEqual(expectedAlerts);
    const { standing, withdrawn } = await storedEpisodes();
    expect(standing).toEqual(expectedEpisodes);
    // Episodes the revisions regrouped are kept, marked withdrawn, naming the one that took their place.
    for (const episode of withdrawn) {
      expect(episode.withdrawn).toMatchObject({ object: expect.stringMatching(/^MARKET-/) });
    }
  });

  it('counts every late bar, and reports the revisions', async () => {
    const reports = JSON.parse((await cli('reports', '--json')).stdout) as Array<{
      object: string;
      detection: { processed: number; late: number; repeats: number; revised: number; withdrawn: number };
    }>;
    const total = (figure: 'processed' | 'late' | 'repeats' | 'revised' | 'withdrawn') =>
      reports.reduce((sum, view) => sum + view.detection[figure], 0);
    // Every bar is detected exactly once, none as a repeat; every bar of the gap hour is late.
    expect(total('processed')).toBe(barCount([...pieces, ...gapHour]));
    expect(total('repeats')).toBe(0);
    const gap = reports.filter((view) => gapHour.some((path) => view.object.endsWith(basename(path))));
    expect(gap.reduce((sum, view) => sum + view.detection.late, 0)).toBe(barCount(gapHour));
    expect(barCount(gapHour)).toBeGreaterThan(200);
    expect(total('revised') + total('withdrawn')).toBeGreaterThan(0);
  });

  it('changes nothing when a piece is sent again: its bars are repeats', async () => {
    const before = await pipelineAlerts();
    expect((await cli('drop', gapHour[0]!)).code).toBe(0);
    await waitIdle();
    expect(await pipelineAlerts()).toEqual(before);
  });
});

function barCount(paths: readonly string[]): number {
  return paths.reduce((sum, path) => sum + readFileSync(path, 'utf8').trim().split('\n').length - 1, 0);
}

describe('revisions under faults', () => {
  afterAll(async () => {
    // Whatever happened, the next file finds the functions started clean.
    await killAndRestart('detect', { FAULTS: '' });
    await killAndRestart('notify', { FAULTS: '' });
    await emptyStack();
  });

  it('makes each revision exactly once with detect and notify killed mid-revision and Kafka paused', async () => {
    await emptyStack();
    expect((await cli('drop', ...pieces)).code).toBe(0);
    await waitIdle();
    const before = await pipelineAlerts();

    // The gap hour's second batch with alerts: published (revisions included), then detect dies before it
    // commits; notify dies after writing its fourth message, before answering; Kafka stops for five seconds.
    const detect = deliveryCounter('detect');
    const notify = deliveryCounter('notify');
    await killAndRestart('detect', { FAULTS: 'detect.after-publish=exit/2' });
    await killAndRestart('notify', { FAULTS: 'notify.after-write=exit/4' });
    expect((await cli('drop', ...gapHour)).code).toBe(0);
    await Promise.all([restartOnceDead('detect'), restartOnceDead('notify'), pause('kafka', 5000)]);
    await waitIdle();

    expect(withoutSource(await pipelineAlerts()).sort()).toEqual(expectedAlerts);
    expect((await storedEpisodes()).standing).toEqual(expectedEpisodes);
    // The faults happened: restartOnceDead returned, so detect died after publishing a batch of revisions (its
    // delivery, cut off, was delivered again and published them again), and notify died after writing a message
    // (which Pub/Sub delivered again).
    expect(detect().length).toBeGreaterThan(0);
    const messages = notify().map((entry) => String(entry.messageId));
    expect(messages.length).toBeGreaterThan(new Set(messages).size);
    // And the alerts the gap hour changed are the same as when nothing failed: `wait` above checked that each
    // symbol's standing alerts (notify's tally) equal what detect counted, so none was counted twice.
    expect(before).not.toEqual(await pipelineAlerts());
  });
});
