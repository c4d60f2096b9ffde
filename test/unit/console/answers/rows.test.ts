/**
 * The API's rows from stored documents (console/answers/rows.ts), as docs/records.md describes them: an alert's
 * `revision` and `withdrawn` marks and an episode's `withdrawn` come out with ISO times, and a document without
 * them (or with notify's null) comes out without them.
 */
import { describe, expect, it } from 'vitest';
import { Timestamp } from '@google-cloud/firestore';
import { alertRowOf, episodeRowOf } from '../../../../console/answers/rows.js';

const ALERT_DOCUMENT = {
  symbol: 'ACME',
  timestamp: Timestamp.fromMillis(Date.UTC(2017, 0, 2, 5, 6)),
  rules: ['A1'],
  severity: 1.05,
  open: 124,
  high: 124.5,
  low: 123,
  close: 123.15,
  volume: 16,
  a1: { prevClose: 123.8, prevTimestamp: '2017-01-02T05:05:00Z', changePct: -0.52504, severity: 1.050081 },
  source: { object: 'ACME.csv', generation: '1', line: 83 },
  episode: 'ACME@2017-01-02T04:49:00Z',
  version: 4,
};

/** The row every test expects, marks aside. */
const ALERT_ROW = {
  id: 'ACME@2017-01-02T05:06:00Z',
  symbol: 'ACME',
  timestamp: '2017-01-02T05:06:00Z',
  rules: ['A1'],
  severity: 1.05,
  open: 124,
  high: 124.5,
  low: 123,
  close: 123.15,
  volume: 16,
  a1: { prevClose: 123.8, prevTimestamp: '2017-01-02T05:05:00Z', changePct: -0.52504, severity: 1.050081 },
  source: { object: 'ACME.csv', generation: '1', line: 83 },
  episode: 'ACME@2017-01-02T04:49:00Z',
  status: 'investigating',
};

/** When detect revised: 2024-03-01 10:00:05.250 UTC. */
const AT = Timestamp.fromMillis(Date.UTC(2024, 2, 1, 10, 0, 5, 250));

describe('alertRowOf', () => {
  it('gives an alert no late bar touched without marks', () => {
    expect(alertRowOf(ALERT_ROW.id, ALERT_DOCUMENT, 'investigating')).toEqual(ALERT_ROW);
  });

  it('gives a late or revised alert its revision: kind, time (ISO), object and generation', () => {
    for (const kind of ['late', 'revised'] as const) {
      const row = alertRowOf(
        ALERT_ROW.id,
        { ...ALERT_DOCUMENT, revision: { kind, at: AT, object: 'late.csv', generation: '7' } },
        'investigating',
      );
      expect(row).toEqual({
        ...ALERT_ROW,
        revision: { kind, at: '2024-03-01T10:00:05.250Z', object: 'late.csv', generation: '7' },
      });
    }
  });

  it('gives a withdrawn alert its figures as they were and its withdrawal, beside an earlier revision', () => {
    const row = alertRowOf(
      ALERT_ROW.id,
      {
        ...ALERT_DOCUMENT,
        revision: {
          kind: 'revised',
          at: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 9, 0)),
          object: 'a.csv',
          generation: '5',
        },
        withdrawn: { kind: 'withdrawn', at: AT, object: 'late.csv', generation: '7' },
      },
      'new',
    );
    expect(row).toEqual({
      ...ALERT_ROW,
      status: 'new',
      revision: { kind: 'revised', at: '2024-03-01T09:00:00Z', object: 'a.csv', generation: '5' },
      withdrawn: { kind: 'withdrawn', at: '2024-03-01T10:00:05.250Z', object: 'late.csv', generation: '7' },
    });
  });

  it('leaves out a null withdrawal (notify writes one without a cause) and a mark it cannot read', () => {
    const row = alertRowOf(
      ALERT_ROW.id,
      { ...ALERT_DOCUMENT, withdrawn: null, revision: { kind: 'new', at: AT, object: 'x', generation: '1' } },
      'investigating',
    );
    expect(row).toEqual(ALERT_ROW);
  });
});

const EPISODE_DOCUMENT = {
  symbol: 'ACME',
  start: Timestamp.fromMillis(Date.UTC(2017, 0, 2, 4, 49)),
  end: Timestamp.fromMillis(Date.UTC(2017, 0, 2, 5, 9)),
  count: 12,
  a1: 3,
  a2: 10,
  peakSeverity: 4.68506,
  updatedAt: Timestamp.fromMillis(Date.UTC(2024, 2, 1)),
  triage: {
    status: 'escalated',
    assignee: 'ana',
    updatedAt: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 8, 0)),
    updatedBy: 'ana',
  },
};

const EPISODE_ROW = {
  id: 'ACME@2017-01-02T04:49:00Z',
  symbol: 'ACME',
  start: '2017-01-02T04:49:00Z',
  end: '2017-01-02T05:09:00Z',
  count: 12,
  a1: 3,
  a2: 10,
  peakSeverity: 4.68506,
  status: 'escalated',
  assignee: 'ana',
  updatedAt: '2024-03-01T08:00:00Z',
  updatedBy: 'ana',
};

describe('episodeRowOf', () => {
  it('gives a standing episode without a withdrawal', () => {
    expect(episodeRowOf(EPISODE_ROW.id, EPISODE_DOCUMENT)).toEqual(EPISODE_ROW);
  });

  it('gives a withdrawn episode its triage and its withdrawal: when, into which episode, which object', () => {
    const merged = episodeRowOf(EPISODE_ROW.id, {
      ...EPISODE_DOCUMENT,
      withdrawn: { at: AT, into: 'ACME@2017-01-02T04:40:00Z', object: 'late.csv', generation: '7' },
    });
    expect(merged).toEqual({
      ...EPISODE_ROW,
      withdrawn: {
        at: '2024-03-01T10:00:05.250Z',
        into: 'ACME@2017-01-02T04:40:00Z',
        object: 'late.csv',
        generation: '7',
      },
    });
    const gone = episodeRowOf(EPISODE_ROW.id, {
      ...EPISODE_DOCUMENT,
      withdrawn: { at: AT, into: null, object: 'late.csv', generation: '7' },
    });
    expect(gone.withdrawn).toEqual({
      at: '2024-03-01T10:00:05.250Z',
      into: null,
      object: 'late.csv',
      generation: '7',
    });
  });

  it('gives a scored episode its score: points, details, baseline, provisional or settled, each alert’s part', () => {
    const row = episodeRowOf(EPISODE_ROW.id, {
      ...EPISODE_DOCUMENT,
      score: 47.5,
      scoreFactors: [
        { factor: 'move', points: 31.2, detail: '+2.9% in 20 min' },
        { factor: 'market', points: -6.5, detail: 'the market moved with it' },
      ],
      scoreBaseline: 'recent',
      scoreSettled: false,
      scoreAlerts: [{ minute: '2017-01-02T04:49:00Z', points: 12.1 }],
      scoreContext: { minutes: [1], usualVolume: [3], marketMovePct: [0.2] },
    });
    // The context is the chart's, not the row's.
    expect(row).toEqual({
      ...EPISODE_ROW,
      score: {
        score: 47.5,
        settled: false,
        baseline: 'recent',
        factors: [
          { factor: 'move', points: 31.2, detail: '+2.9% in 20 min' },
          { factor: 'market', points: -6.5, detail: 'the market moved with it' },
        ],
        alerts: [{ minute: '2017-01-02T04:49:00Z', points: 12.1 }],
      },
    });
  });
});

describe("an alert's row and its episode's score", () => {
  it('carries the score when there is one, and none when not scored', () => {
    expect(alertRowOf(ALERT_ROW.id, ALERT_DOCUMENT, 'investigating', 47.5)).toEqual({
      ...ALERT_ROW,
      score: 47.5,
    });
    expect(alertRowOf(ALERT_ROW.id, ALERT_DOCUMENT, 'investigating', Number.NaN)).toEqual(ALERT_ROW);
    expect(alertRowOf(ALERT_ROW.id, ALERT_DOCUMENT, 'investigating', null)).toEqual(ALERT_ROW);
  });
});
