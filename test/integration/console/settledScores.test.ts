/**
 * A score settled after the console started (settle's own write: the score fields, `scoreSettled` and `scoredAt`
 * by server time, no feed entry) re-ranks the lists and reaches the event stream without a restart.
 */
import { describe, expect, it } from 'vitest';
import type { ScoredEpisode } from '../../../shared/core/suspicion/episodeScore.js';
import { SCORE_FACTORS } from '../../../shared/core/suspicion/suspicionScore.js';
import { ScoreStore } from '../../../shared/state/scoreStore.js';
import { COLLECTIONS, db, get, url, allPages, seededConsole } from './consoleUnderTest.js';
import { allEpisodes, expectedAlerts, expectedEpisodes, scoreFields, scoreOfEpisode } from './seeds.js';

seededConsole();

/** The console reads the scored episodes every 5 s (settings.ts), and pages poll every few seconds. */
const PATIENCE_MS = 15_000;

/** A settled score of `score` points, all of them the move's. */
const scored = (score: number, minute: number): ScoredEpisode => ({
  score: {
    score,
    factors: SCORE_FACTORS.map((factor) => ({
      factor,
      points: factor === 'move' ? score : 0,
      detail: 'settled later',
    })),
    baseline: 'usual',
    settled: true,
    alerts: [{ minute: `${new Date(minute * 60_000).toISOString().slice(0, 19)}Z`, points: score }],
  },
  context: { minutes: [minute], usualVolume: [10], marketMovePct: [0.1] },
});

/** The change events of the event stream, one at a time. */
async function changeEvents() {
  const response = await fetch(url('/api/events'));
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const next = async (): Promise<{ alerts: number; episodes: number }> => {
    for (;;) {
      const end = text.indexOf('\n\n');
      if (end >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (block.includes('event: change') && data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      text += decoder.decode(value, { stream: true });
    }
  };
  return { next, close: () => reader.cancel() };
}

const within = <T>(what: Promise<T>, ms: number, name: string) =>
  Promise.race([
    what,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${name} in ${ms} ms`)), ms)),
  ]);

describe('the console server on the real emulator: scores settled later', () => {
  it('re-ranks the episodes and their alerts, and tells the event stream, without a restart', async () => {
    const unscored = allEpisodes.find((episode) => scoreOfEpisode(episode.id) === null)!;
    const top = expectedEpisodes('score', {})[0]!;
    expect((await allPages('episodes', new URLSearchParams({ sort: 'score' }), 50)).ids).toEqual(
      expectedEpisodes('score', {}),
    );
    const events = await changeEvents();
    const first = await events.next();
    expect(first.episodes).toBe(allEpisodes.length);
    // Past a few polls, and a read of the scores, that found nothing new.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // As settle writes them: read the episodes, then update each unless it changed since.
    const store = new ScoreStore(db, COLLECTIONS.BARS_COLLECTION, COLLECTIONS.EPISODES_COLLECTION);
    const read = async (id: string) => {
      const episode = allEpisodes.find((candidate) => candidate.id === id)!;
      const minute = episode.end / 60_000;
      return (await store.episodesEnding(minute, minute)).find((found) => found.id === id)!;
    };
    const [lifted, lowered] = [await read(unscored.id), await read(top)];
    const settledAt = Date.now();
    expect(
      await store.writeScores([
        { episode: lifted, scored: scored(99.9, lifted.end) },
        { episode: lowered, scored: scored(1, lowered.end) },
      ]),
    ).toBe(2);
    // The expected lists, computed as for the seeds, with the new scores.
    scoreFields.set(unscored.id, { ...scoreFields.get(unscored.id), score: 99.9 });
    scoreFields.set(top, { ...scoreFields.get(top), score: 1 });
    const expected = expectedEpisodes('score', {});
    expect(expected[0]).toBe(unscored.id);
    expect(expected.indexOf(top)).toBeGreaterThan(expected.length / 2);

    // The same totals (no episode came or went), after the score changed.
    expect(await within(events.next(), PATIENCE_MS, 'change event')).toEqual(first);
    await events.close();
    let ids: string[] = [];
    while (Date.now() - settledAt < PATIENCE_MS) {
      ids = (await allPages('episodes', new URLSearchParams({ sort: 'score' }), 50)).ids;
      if (ids[0] === unscored.id && ids.indexOf(top) === expected.indexOf(top)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(ids).toEqual(expected);
    expect((await allPages('alerts', new URLSearchParams({ sort: 'score' }), 200)).ids).toEqual(
      expectedAlerts('score', {}),
    );
    const { body } = await get('/api/episodes?minScore=90&limit=5');
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ id: unscored.id, score: { score: 99.9, settled: true } });
  }, 60_000);
});
