/** Contract §4 and §5, severity and episodes, with hand-computed cases: every expected figure worked out on paper. */
import { describe, expect, it } from 'vitest';
import { EpisodeCollector } from '../../../shared/core/episodes.js';
import { AlertsBySymbol, ObjectSeriesDetection } from '../../../shared/core/objectSeriesDetection.js';
import { emptyCounts, SymbolDetector } from '../../../shared/core/rules.js';
import type { DetectionParameters } from '../../../shared/core/detectionParameters.js';
import { configFor, nseCsv, readText } from '../../helpers/read.js';

type Row = [time: string, close: string, volume: string];

const csvOf = (rows: Row[]) =>
  nseCsv(rows.map(([time, close, volume]) => [time, close, close, close, close, volume]));

/** Runs the objects in order through one detection; returns the alerts and the episodes. */
async function run(objects: Row[][], settings: Partial<DetectionParameters> = {}) {
  const alerts = new AlertsBySymbol();
  const episodes = new EpisodeCollector(alerts);
  const detection = new ObjectSeriesDetection(configFor(settings), episodes);
  for (const rows of objects)
    detection.addObject(await readText(csvOf(rows), 'X__EQ.csv', settings, 1 << 16));
  return { alerts: [...alerts.sorted()], episodes: episodes.episodes() };
}

// Volume is flat (100 against a mean of 100 never beats 102), so only A1 fires, where the close moves:
// 09:16 +1% (severity 1% / 0.5% = 2), 09:21 +2% (severity 4), 09:27 −1% (severity 2).
const ROWS: Row[] = [
  ['09:15', '100', '100'],
  ['09:16', '101', '100'],
  ['09:17', '101', '100'],
  ['09:18', '101', '100'],
  ['09:19', '101', '100'],
  ['09:20', '101', '100'],
  ['09:21', '103.02', '100'],
  ['09:22', '103.02', '100'],
  ['09:23', '103.02', '100'],
  ['09:24', '103.02', '100'],
  ['09:25', '103.02', '100'],
  ['09:26', '103.02', '100'],
  ['09:27', '101.9898', '100'],
];

// 09:15 IST is 03:45 UTC.
const FIRST = {
  start: '2017-01-02T03:46:00Z',
  end: '2017-01-02T03:51:00Z',
  count: 2,
  a1: 2,
  a2: 0,
  peakSeverity: 4,
};
const SECOND = {
  start: '2017-01-02T03:57:00Z',
  end: '2017-01-02T03:57:00Z',
  count: 1,
  a1: 1,
  a2: 0,
  peakSeverity: 2,
};

describe('severity (contract §4)', () => {
  it('is |change| / threshold for A1', async () => {
    const { alerts } = await run([ROWS]);
    expect(alerts.map((alert) => [alert.a1?.severity, alert.severity])).toEqual([
      [2, 2],
      [4, 4],
      [2, 2],
    ]);
  });

  it('measures against the configured thresholds', async () => {
    const { alerts } = await run([ROWS], { a1: '0.01' });
    // 1% against 1% does not fire; 2% is severity 2.
    expect(alerts.map((alert) => [alert.timestamp, alert.severity])).toEqual([['2017-01-02T03:51:00Z', 2]]);
  });

  it('is volume / (mean × 1.02) for A2, and the larger rule when both fire', async () => {
    const { alerts } = await run([
      [
        ['09:15', '100', '100'],
        ['09:16', '100', '306'], // A2 only: 306 / (100 × 1.02) = 3
        ['09:17', '101', '2030'], // both: A1 1% → 2; A2 2030 / (203 × 1.02) = 9.803922 (mean of 100, 306)
        ['09:18', '110.09', '100'], // A1 only: +9% → 18
      ],
    ]);
    expect(
      alerts.map((alert) => [alert.rules, alert.a1?.severity, alert.a2?.severity, alert.severity]),
    ).toEqual([
      [['A2'], undefined, 3, 3],
      [['A1', 'A2'], 2, 9.803922, 9.803922],
      [['A1'], 18, undefined, 18],
    ]);
  });

  it('has no value for A2 over a window of zero volumes, and then the peak is the others', async () => {
    const { alerts, episodes } = await run([
      [
        ['09:15', '100', '0'],
        ['09:16', '100', '5'], // A2 over a zero mean: no severity
        ['09:17', '101', '5'], // A1 only: 2 (5 against a mean of 2.5 × 1.02 fires A2 too: 5 / 2.55 = 1.960784)
      ],
    ]);
    expect(alerts.map((alert) => alert.severity)).toEqual([null, 2]);
    expect(episodes).toEqual([
      {
        symbol: 'X',
        start: '2017-01-02T03:46:00Z',
        end: '2017-01-02T03:47:00Z',
        count: 2,
        a1: 1,
        a2: 2,
        peakSeverity: 2,
      },
    ]);
  });
});

describe('episodes (contract §5)', () => {
  it('joins an alert at most the gap after the last one, and starts a new one past it', async () => {
    const { alerts, episodes } = await run([ROWS]);
    expect(alerts.map((alert) => alert.episodeStart)).toEqual([FIRST.start, FIRST.start, SECOND.start]);
    expect(episodes).toEqual([
      { symbol: 'X', ...FIRST },
      { symbol: 'X', ...SECOND },
    ]);
  });

  it('takes the configured gap', async () => {
    const { episodes } = await run([ROWS], { episodeGapMinutes: 6 });
    expect(episodes).toEqual([
      { symbol: 'X', start: FIRST.start, end: SECOND.end, count: 3, a1: 3, a2: 0, peakSeverity: 4 },
    ]);
    const apart = await run([ROWS], { episodeGapMinutes: 4 });
    expect(apart.episodes.map((episode) => episode.count)).toEqual([1, 1, 1]);
  });

  it('carries an episode from one object to the next', async () => {
    const { alerts, episodes } = await run([ROWS.slice(0, 4), ROWS.slice(4, 9), ROWS.slice(9)]);
    expect(alerts.map((alert) => alert.episodeStart)).toEqual([FIRST.start, FIRST.start, SECOND.start]);
    expect(episodes).toEqual([
      { symbol: 'X', ...FIRST },
      { symbol: 'X', ...SECOND },
    ]);
  });

  it('carries an episode through the stored state, as the pipeline does between batches', async () => {
    const config = configFor();
    let state = undefined;
    const starts: number[] = [];
    for (const part of [ROWS.slice(0, 3), ROWS.slice(3, 7), ROWS.slice(7)]) {
      const bars = await readText(csvOf(part), 'X__EQ.csv');
      const detector = new SymbolDetector('X', config, state);
      const rows = Array.from({ length: bars.table.length }, (_, i) => i);
      detector.run(bars.table, rows, { object: 'X.csv' }, emptyCounts(), (finding) =>
        starts.push(finding.episode.start),
      );
      state = JSON.parse(JSON.stringify(detector.toState()));
    }
    const minute = (iso: string) => Date.parse(iso) / 60_000;
    expect(starts).toEqual([minute(FIRST.start), minute(FIRST.start), minute(SECOND.start)]);
    expect(state.episode).toEqual({
      start: minute(SECOND.start),
      end: minute(SECOND.end),
      count: 1,
      a1: 1,
      a2: 0,
      peakSeverity: 2,
    });
  });

  it('keeps each symbol its own', async () => {
    const alerts = new AlertsBySymbol();
    const episodes = new EpisodeCollector(alerts);
    const detection = new ObjectSeriesDetection(configFor(), episodes);
    for (const name of ['B__EQ.csv', 'A__EQ.csv']) {
      detection.addObject(await readText(csvOf(ROWS.slice(0, 8)), name, {}, 1 << 16));
    }
    expect(episodes.episodes()).toEqual([
      { symbol: 'A', ...FIRST },
      { symbol: 'B', ...FIRST },
    ]);
  });
});
