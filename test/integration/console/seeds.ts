/**
 * The documents the console's integration tests seed, as docs/records.md describes them, and what the lists
 * should answer over them, computed plainly: ~150 alerts of three symbols over two days with ties and nulls,
 * triage on some episodes, suspicion scores (with ties) on most episodes as detect writes them, the rest not
 * scored, and one alert (HAND) whose chart is worked out by hand.
 */
import type { DocumentData } from '@google-cloud/firestore';
import type { Alert, RuleId } from '../../../shared/core/alert.js';
import { alertAndEpisodeRecords, type Bar } from '../../helpers/consoleFixture.js';

export const THRESHOLDS = { a1: 0.005, a2: 0.02 };

/** A small deterministic generator (no Math.random: a failure must be repeatable). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** ~150 alerts of three symbols over two days, with ties of time and severity and null severities. */
function seededAlerts(): Alert[] {
  const random = lcg(42);
  const alerts: Alert[] = [];
  for (const symbol of ['ACME', 'BETA', 'CO/RE']) {
    for (const day of [2, 3]) {
      for (let minute = 0; minute < 375; minute += 1 + Math.floor(random() * 12)) {
        const rules: RuleId[] = random() < 0.3 ? ['A1'] : random() < 0.5 ? ['A2'] : ['A1', 'A2'];
        const at = Date.UTC(2017, 0, day, 3, 45 + minute);
        const timestamp = `${new Date(at).toISOString().slice(0, 19)}Z`;
        alerts.push({
          symbol,
          timestamp,
          rules,
          open: 100,
          high: 101,
          low: 99,
          close: 100.5,
          volume: 20,
          // Few distinct values, so that severities tie.
          ...(rules.includes('A1') && {
            a1: {
              prevClose: 100,
              prevTimestamp: `${new Date(at - 60_000).toISOString().slice(0, 19)}Z`,
              changePct: [0.6, -0.75, 1][Math.floor(random() * 3)]!,
              severity: null,
            },
          }),
          ...(rules.includes('A2') && {
            a2: {
              avgVolume: 10,
              windowBars: 10,
              volumeRatio: random() < 0.3 ? null : [1.53, 2.04][Math.floor(random() * 2)]!,
              severity: null,
            },
          }),
          // Placeholders: the seeded records get their severity and episode below.
          severity: null,
          episodeStart: timestamp,
          source: { object: `${symbol}.csv`, generation: '1', line: minute + 2 },
        });
      }
    }
  }
  return alerts;
}

export const seeded = alertAndEpisodeRecords(seededAlerts(), THRESHOLDS, 5);
/** Triage seeded on some episodes (status per episode id); the rest have none (new). */
export const triaged = new Map<string, string>();
seeded.episodes.forEach((episode, i) => {
  if (i % 5 === 1) triaged.set(episode.id, 'investigating');
  if (i % 7 === 2) triaged.set(episode.id, 'escalated');
});

/** The hand-computed chart: HAND's bars of 2017-01-02 around an A2 alert at 05:06. */
export const HAND_MINUTE = Date.UTC(2017, 0, 2, 5, 6) / 60_000;
export const HAND_VOLUMES: Array<[number, number]> = [
  [-12, 1000], // outside the window
  [-11, 900], // outside the window
  [-10, 10],
  [-9, 0],
  [-8, 7],
  // -7 missing
  [-6, 17],
  [-5, 26],
  [-4, 12],
  [-3, 7],
  [-2, 0],
  [-1, 1],
  [0, 16],
];
export const handBars: Bar[] = HAND_VOLUMES.map(([offset, volume]) => ({
  symbol: 'HAND',
  minute: HAND_MINUTE + offset,
  values: [100, 102, 99, 100 + offset / 10, volume],
}));
export const HAND_ALERT: Alert = {
  symbol: 'HAND',
  timestamp: '2017-01-02T05:06:00Z',
  rules: ['A2'],
  open: 100,
  high: 102,
  low: 99,
  close: 100,
  volume: 16,
  a2: { avgVolume: 8.888889, windowBars: 9, volumeRatio: 1.8, severity: 1.764706 },
  severity: 1.764706,
  episodeStart: '2017-01-02T05:06:00Z',
  source: { object: 'HAND.csv', line: 9 },
};
export const hand = alertAndEpisodeRecords([HAND_ALERT], THRESHOLDS);

export interface SeededAlert {
  id: string;
  data: DocumentData;
  minute: number;
}
export const allAlerts: SeededAlert[] = [...seeded.alerts, ...hand.alerts];
export const allEpisodes = [...seeded.episodes, ...hand.episodes];

/** A few scores, with ties (40 thrice in seven) and 0, so that the score order leans on severity and time. */
const SCORES = [12.5, 40, 63.4, 40, 88.1, 0, 40];
const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * The suspicion score fields detect writes on an episode document (docs/records.md), by episode id: every fourth
 * episode has none (stored before scores: not scored), every third score is provisional. The factors are in
 * SCORE_FACTORS order and sum to the score, one negative (the market explaining part of it away); each alert's
 * part is the score shared out; the context has a usual volume and a market move for each alert minute, some
 * null. HAND's episode is scored, with a context the chart test checks.
 */
export const scoreFields = new Map<string, DocumentData>();
allEpisodes.forEach((episode, i) => {
  if (i % 4 === 3 && episode.symbol !== 'HAND') return;
  const score = SCORES[i % SCORES.length]!;
  const minutes = allAlerts
    .filter((alert) => alert.data.episode === episode.id)
    .map((alert) => alert.minute)
    .sort((a, b) => a - b);
  const move = round1(score * 0.5);
  const market = round1(-score * 0.1);
  scoreFields.set(episode.id, {
    score,
    scoreFactors: [
      { factor: 'move', points: move, detail: `+${(score / 20).toFixed(1)}% in ${minutes.length} min` },
      {
        factor: 'volume',
        points: round1(score - move - market),
        detail: `${(score / 10).toFixed(1)}× usual`,
      },
      { factor: 'market', points: market, detail: 'the market moved with it' },
      { factor: 'shape', points: 0, detail: 'no reversal' },
      { factor: 'close', points: 0, detail: 'not near the close' },
      { factor: 'liquidity', points: 0, detail: 'usual liquidity' },
    ],
    scoreBaseline: (['usual', 'recent', 'none'] as const)[i % 3],
    scoreSettled: i % 3 !== 0,
    scoreAlerts: minutes.map((minute) => ({
      minute: `${new Date(minute * 60_000).toISOString().slice(0, 19)}Z`,
      points: round1(score / minutes.length),
    })),
    scoreContext: {
      minutes,
      usualVolume: minutes.map((_, k) => (k % 3 === 2 ? null : 10 + k)),
      marketMovePct: minutes.map((_, k) => (k % 2 === 1 ? null : round1(0.1 * (k + 1)))),
    },
  });
});
/** An episode's stored score, or null when it is not scored. */
export const scoreOfEpisode = (id: string): number | null =>
  (scoreFields.get(id)?.score as number | undefined) ?? null;

/** The expected list, computed plainly from the seeded documents. */
export type Filter = {
  symbol?: string;
  rule?: 'A1' | 'A2';
  from?: string;
  to?: string;
  status?: string;
  minSeverity?: number;
  minScore?: number;
};
export type SortName = 'newest' | 'severity' | 'score';

/** b before a: larger first, null last; 0 when equal. */
const descendingNullsLast = (a: number | null, b: number | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a;
export const statusOfEpisode = (id: string) => triaged.get(id) ?? 'new';

export function expectedAlerts(sort: SortName, filter: Filter): string[] {
  const rows = allAlerts.filter(({ data, minute }) => {
    const at = minute * 60_000;
    return (
      (filter.symbol === undefined || data.symbol === filter.symbol) &&
      (filter.rule === undefined || (data.rules as string[]).includes(filter.rule)) &&
      (filter.from === undefined || at >= Date.parse(filter.from)) &&
      (filter.to === undefined || at <= Date.parse(filter.to)) &&
      (filter.status === undefined || statusOfEpisode(data.episode) === filter.status) &&
      (filter.minSeverity === undefined || (data.severity !== null && data.severity >= filter.minSeverity)) &&
      (filter.minScore === undefined ||
        (scoreOfEpisode(data.episode) !== null && scoreOfEpisode(data.episode)! >= filter.minScore))
    );
  });
  const key = (row: SeededAlert) =>
    [
      scoreOfEpisode(row.data.episode),
      row.data.severity as number | null,
      row.minute,
      row.data.symbol as string,
    ] as const;
  return rows
    .sort((a, b) => {
      const [ca, sa, ma, ya] = key(a);
      const [cb, sb, mb, yb] = key(b);
      if (sort === 'score' && ca !== cb) return descendingNullsLast(ca, cb);
      if (sort !== 'newest' && sa !== sb) return descendingNullsLast(sa, sb);
      if (ma !== mb) return mb - ma;
      return ya < yb ? -1 : ya > yb ? 1 : 0;
    })
    .map((row) => row.id);
}

export function expectedEpisodes(sort: SortName, filter: Filter): string[] {
  return allEpisodes
    .filter(
      (episode) =>
        (filter.symbol === undefined || episode.symbol === filter.symbol) &&
        (filter.rule === undefined || (filter.rule === 'A1' ? episode.a1 : episode.a2) > 0) &&
        (filter.from === undefined || episode.end >= Date.parse(filter.from)) &&
        (filter.to === undefined || episode.end <= Date.parse(filter.to)) &&
        (filter.status === undefined || statusOfEpisode(episode.id) === filter.status) &&
        (filter.minSeverity === undefined ||
          (episode.peakSeverity !== null && episode.peakSeverity >= filter.minSeverity)) &&
        (filter.minScore === undefined ||
          (scoreOfEpisode(episode.id) !== null && scoreOfEpisode(episode.id)! >= filter.minScore)),
    )
    .sort((a, b) => {
      const [ca, cb] = [scoreOfEpisode(a.id), scoreOfEpisode(b.id)];
      if (sort === 'score' && ca !== cb) return descendingNullsLast(ca, cb);
      if (sort !== 'newest' && a.peakSeverity !== b.peakSeverity)
        return descendingNullsLast(a.peakSeverity, b.peakSeverity);
      if (a.end !== b.end) return b.end - a.end;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .map((episode) => episode.id);
}

export const FILTERS: Array<[string, Filter]> = [
  ['none', {}],
  ['symbol', { symbol: 'CO/RE' }],
  ['rule', { rule: 'A1' }],
  ['date range', { from: '2017-01-02T06:00:00Z', to: '2017-01-03T05:00:00Z' }],
  ['status', { status: 'investigating' }],
  ['minSeverity', { minSeverity: 0.5 }],
  ['combined', { symbol: 'ACME', rule: 'A2', status: 'new', minSeverity: 0.1 }],
  ['minScore', { minScore: 40 }],
  ['minScore 0 (only the scored)', { minScore: 0 }],
  ['minScore combined', { symbol: 'BETA', minScore: 12.5, minSeverity: 0.5 }],
];

export const paramsOf = (sort: string, filter: Filter) =>
  new URLSearchParams({
    sort,
    ...Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)])),
  });
