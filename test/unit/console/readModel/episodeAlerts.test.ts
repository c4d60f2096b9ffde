/**
 * The alerts held for the pages: read once and used again while they agree with the episode's count, read again
 * when they do not or when the alert feed names their symbol, never kept from a read a drop overtook, and no more
 * than the capacity.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { EpisodeAlerts, type AlertFact } from '../../../../console/readModel/episodeAlerts.js';

const fact = (id: string, episode: string): AlertFact => ({
  id,
  symbol: episode.split('@')[0]!,
  minute: 1,
  rules: 1,
  severity: 1,
  episode,
});

let stored: AlertFact[];
let asked: string[][];
let gate: Promise<void> | undefined;
const read = async (ids: readonly string[]) => {
  asked.push([...ids]);
  const answer = new Map<string, AlertFact[]>();
  for (const alert of stored)
    if (ids.includes(alert.episode)) answer.set(alert.episode, [...(answer.get(alert.episode) ?? []), alert]);
  await gate;
  return answer;
};
const counts = (id: string) => stored.filter((alert) => alert.episode === id).length;

beforeEach(() => {
  stored = [fact('a', 'ACME@1'), fact('b', 'ACME@1'), fact('c', 'BETA@1')];
  asked = [];
  gate = undefined;
});

describe('EpisodeAlerts', () => {
  it('reads only what it does not hold, and an episode without alerts as none', async () => {
    const held = new EpisodeAlerts(read);
    const first = await held.of(['ACME@1', 'NONE@1'], counts);
    expect(first.get('ACME@1')!.map((alert) => alert.id)).toEqual(['a', 'b']);
    expect(first.get('NONE@1')).toEqual([]);
    await held.of(['ACME@1', 'BETA@1'], counts);
    expect(asked).toEqual([['ACME@1', 'NONE@1'], ['BETA@1']]);
    expect(held.size).toBe(3);
  });

  it('reads an episode again when its count is not the number held', async () => {
    const held = new EpisodeAlerts(read);
    await held.of(['ACME@1'], counts);
    stored.push(fact('d', 'ACME@1'));
    expect((await held.of(['ACME@1'], counts)).get('ACME@1')).toHaveLength(3);
    expect(asked).toEqual([['ACME@1'], ['ACME@1']]);
  });

  it('forgets a symbol the feed names, and keeps nothing from a read begun before', async () => {
    const held = new EpisodeAlerts(read);
    await held.of(['ACME@1', 'BETA@1'], counts);
    held.dropSymbol('ACME');
    expect(held.size).toBe(1);
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const reading = held.of(['ACME@1'], counts);
    held.dropSymbol('ACME');
    open();
    await reading;
    gate = undefined;
    await held.of(['ACME@1'], counts);
    expect(asked.at(-1)).toEqual(['ACME@1']);
    expect(asked).toHaveLength(3);
  });

  it('holds no more than its capacity, the episode used longest ago dropped first', async () => {
    const held = new EpisodeAlerts(read, 3);
    await held.of(['ACME@1'], counts);
    await held.of(['BETA@1'], counts);
    await held.of(['ACME@1'], counts);
    stored.push(fact('d', 'CORE@1'));
    await held.of(['CORE@1'], counts);
    expect(held.size).toBe(3);
    asked = [];
    await held.of(['ACME@1', 'CORE@1', 'BETA@1'], counts);
    expect(asked).toEqual([['BETA@1']]);
  });
});
