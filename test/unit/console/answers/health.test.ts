import { describe, expect, it } from 'vitest';
import { healthOf, type HealthReadings } from '../../../../console/answers/health.js';
import { partitionLags } from '../../../../shared/kafka/consumerLag.js';
import { emptyReport } from '../../../../shared/core/report.js';
import { sumTallies } from '../../../../shared/state/ingestionStore.js';

const topics = { topic: 'minute-bars', group: 'detect', notifyDeadLetters: 'anomalies-dead-letter-sub' };

const readings = (overrides: Partial<HealthReadings>): HealthReadings => ({
  topics,
  lags: [],
  waitingSince: new Map(),
  parked: [],
  notifyDeadLetters: { count: 0, oldest: null },
  symbols: [],
  ingestions: { running: [], failed: [], recent: [] },
  ...overrides,
});

describe('healthOf', () => {
  it('shows per partition the records expired unhandled, and since when the oldest waiting record waits', () => {
    const lags = partitionLags(
      [
        { partition: 0, low: '40', high: '50' },
        { partition: 1, low: '0', high: '6' },
        { partition: 2, low: '3', high: '3' },
      ],
      [
        { partition: 0, offset: '12' },
        { partition: 1, offset: '2' },
        { partition: 2, offset: '3' },
      ],
    );
    const health = healthOf(
      readings({
        lags,
        // Partition 1's time is not known yet (it moved on since the last read).
        waitingSince: new Map([
          [0, Date.parse('2026-11-20T09:15:00Z')],
          [1, null],
        ]),
      }),
    );
    expect(health.kafka).toEqual({
      topic: 'minute-bars',
      group: 'detect',
      totalLag: 14,
      totalExpired: 28,
      partitions: [
        {
          partition: 0,
          committed: 12,
          logStart: 40,
          end: 50,
          lag: 10,
          expired: 28,
          waitingSince: '2026-11-20T09:15:00.000Z',
        },
        { partition: 1, committed: 2, logStart: 0, end: 6, lag: 4, expired: 0, waitingSince: null },
        { partition: 2, committed: 3, logStart: 3, end: 3, lag: 0, expired: 0, waitingSince: null },
      ],
    });
  });

  it('keeps the lag when the waiting times could not be read, and says why', () => {
    const lags = partitionLags([{ partition: 0, low: '0', high: '5' }], [{ partition: 0, offset: '1' }]);
    const health = healthOf(readings({ lags, waitingSince: { error: 'Kafka: no answer within 10 s' } }));
    expect(health.kafka).toMatchObject({
      totalLag: 4,
      partitions: [{ partition: 0, lag: 4, waitingSince: null }],
      waitingSinceError: 'Kafka: no answer within 10 s',
    });
  });

  it("names the subscription of notify's dead letters with their count, or says Pub/Sub failed", () => {
    const found = healthOf(readings({ notifyDeadLetters: { count: 3, oldest: '2026-11-30T08:00:00.000Z' } }));
    expect(found.notifyDeadLetters).toEqual({
      subscription: 'anomalies-dead-letter-sub',
      count: 3,
      oldest: '2026-11-30T08:00:00.000Z',
    });
    const down = healthOf(readings({ notifyDeadLetters: { error: 'Pub/Sub: no answer within 10 s' } }));
    expect(down.notifyDeadLetters).toEqual({ error: 'Pub/Sub: no answer within 10 s' });
  });

  it('counts per object the bars never detected (too late, future, symbol) and the late ones detected', () => {
    const ingestion = (object: string, late: number, tooLate: number, byReason: Record<string, number>) => {
      const report = emptyReport(object);
      report.bad.byReason = byReason;
      return {
        id: `${object}@1`,
        object,
        bucket: 'b',
        generation: '1',
        status: 'done' as const,
        attempts: 1,
        startedAt: new Date(0),
        report,
        detection: { ...sumTallies([]), late, tooLate },
      };
    };
    const health = healthOf(
      readings({
        ingestions: {
          running: [],
          failed: [],
          recent: [
            ingestion('BACKFILL.csv', 60, 0, {}),
            ingestion('CLEAN.csv', 0, 0, {}),
            ingestion('OLD.csv', 0, 5, { future: 1, symbol: 2, number: 7 }),
          ],
        },
      }),
    );
    expect(health.undetected).toEqual({
      tooLate: 5,
      future: 1,
      symbol: 2,
      late: 60,
      objects: [
        { object: 'BACKFILL.csv', generation: '1', tooLate: 0, future: 0, symbol: 0, late: 60 },
        { object: 'OLD.csv', generation: '1', tooLate: 5, future: 1, symbol: 2, late: 0 },
      ],
    });
  });
});
