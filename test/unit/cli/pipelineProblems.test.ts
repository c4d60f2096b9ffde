/** What `wait` and `reports` say about parked records and held symbols, from records as the dispatcher parks them. */
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  describeProblems,
  hasProblems,
  problemsByObject,
  type PipelineProblems,
} from '../../../cli/pipelineProblems.js';
import { partitionLags } from '../../../shared/kafka/consumerLag.js';
import { parkedHeaders, readParked } from '../../../shared/pipeline/parkedRecord.js';

/** A dead-letter message as park() writes it. */
function parkedMessage(value: string, key: string, offset: string): KafkaMessage {
  return {
    key: Buffer.from(key),
    value: Buffer.from(value),
    offset: '4',
    timestamp: '0',
    attributes: 0,
    headers: parkedHeaders(
      { 'content-type': Buffer.from('application/json') },
      {
        reason: 'BarBatchError: not JSON',
        status: 422,
        attempts: 1,
        origin: { topic: 'minute-bars', partition: 2, offset },
        target: 'http://127.0.0.1:8082/',
        parkedAt: '2026-12-01T10:00:00.000Z',
      },
    ),
  } as KafkaMessage;
}

const batch = JSON.stringify({
  v: 1,
  symbol: 'ACME',
  object: 'ACME.csv',
  generation: '7',
  seq: 3,
  of: 4,
  bars: [],
});

describe('readParked', () => {
  it('gives back the parking note, the record without it, and the batch its value names', () => {
    const parked = readParked(1, parkedMessage(batch, 'ACME', '17'));
    expect(parked).toMatchObject({
      at: { partition: 1, offset: '4' },
      key: 'ACME',
      reason: 'BarBatchError: not JSON',
      status: 422,
      attempts: 1,
      origin: { topic: 'minute-bars', partition: 2, offset: '17' },
      batch: { symbol: 'ACME', object: 'ACME.csv', generation: '7', seq: 3 },
    });
    expect(Object.keys(parked.headers)).toEqual(['content-type']);
  });

  it('names no batch for a value that is not one', () => {
    expect(readParked(0, parkedMessage('garbage', 'X', '1')).batch).toBeUndefined();
  });
});

describe('describeProblems', () => {
  const problems: PipelineProblems = {
    parked: [
      readParked(1, parkedMessage(batch, 'ACME', '17')),
      readParked(0, parkedMessage('garbage', 'X', '5')),
    ],
    held: [
      {
        symbol: 'X',
        hold: {
          reason: 'BarBatchError: not JSON',
          head: 'partition:0/offset:5',
          since: '2026-12-01T10:00:00.000Z',
          waiting: 3,
          nextSeq: 3,
          lastQueued: 'X.csv@9#1',
        },
        records: [
          { seq: 0, identity: 'partition:0/offset:5', eventId: 'partition:0/offset:5' },
          {
            seq: 1,
            identity: 'X.csv@9#0',
            eventId: 'partition:0/offset:6',
            object: 'X.csv',
            generation: '9',
          },
          {
            seq: 2,
            identity: 'X.csv@9#1',
            eventId: 'partition:0/offset:7',
            object: 'X.csv',
            generation: '9',
          },
        ],
      },
    ],
    expired: { topic: 'minute-bars', partitions: [] },
    notifyDeadLetters: { subscription: 'anomalies-dead-letter-sub', count: 0, oldest: null },
  };

  it('names each parked record by object and origin, and each held symbol with what waits', () => {
    expect(describeProblems(problems, 'minute-bars-dead-letter')).toEqual([
      '2 records parked on minute-bars-dead-letter:',
      '  ACME.csv (generation 7), ACME batch 3, from minute-bars partition 2 offset 17: BarBatchError: not JSON',
      '  an unreadable record (key X), from minute-bars partition 2 offset 5: BarBatchError: not JSON',
      '1 symbol held (later batches wait in order, none is detected out of turn):',
      '  X: 3 records waiting since 2026-12-01T10:00:00.000Z (an unreadable record, X.csv (generation 9)): BarBatchError: not JSON',
      "fix the cause, then run 'stock-anomalies redrive'",
    ]);
  });

  it('counts them per object generation', () => {
    expect(problemsByObject(problems)).toEqual(
      new Map([
        ['ACME.csv@7', { parked: 1, held: 0 }],
        ['', { parked: 1, held: 1 }],
        ['X.csv@9', { parked: 0, held: 2 }],
      ]),
    );
  });

  it('says nothing when nothing is parked or held', () => {
    expect(describeProblems({ ...problems, parked: [], held: [] }, 'dlq')).toEqual([]);
    expect(hasProblems({ ...problems, parked: [], held: [] })).toBe(false);
  });

  it('names the records that expired unhandled, per partition, and sends nobody to redrive them', () => {
    const expired: PipelineProblems = {
      ...problems,
      parked: [],
      held: [],
      expired: {
        topic: 'minute-bars',
        partitions: partitionLags(
          [
            { partition: 4, low: '30', high: '31' },
            { partition: 9, low: '2', high: '2' },
          ],
          [
            { partition: 4, offset: '10' },
            { partition: 9, offset: '1' },
          ],
        ),
      },
    };
    expect(hasProblems(expired)).toBe(true);
    expect(describeProblems(expired, 'dlq')).toEqual([
      '21 records of minute-bars expired before the dispatcher handled them: retention removed them, they will never be detected (the topics keep every record unless their retention was changed):',
      '  partition 4: 20 records (committed 10, log start 30)',
      '  partition 9: 1 record (committed 1, log start 2)',
    ]);
  });

  it("counts notify's dead letters with the oldest one's age, and sends them to redrive", () => {
    const dead: PipelineProblems = {
      ...problems,
      parked: [],
      held: [],
      notifyDeadLetters: {
        subscription: 'anomalies-dead-letter-sub',
        count: 2,
        oldest: '2026-12-01T10:00:00.000Z',
      },
    };
    expect(hasProblems(dead)).toBe(true);
    const now = Date.parse('2026-12-04T12:30:00.000Z');
    expect(describeProblems(dead, 'dlq', now)).toEqual([
      '2 alert messages on anomalies-dead-letter-sub, which notify could not write, the oldest dead-lettered 3 d 2 h ago: their alerts are missing; Pub/Sub drops each 7 days after it was dead-lettered',
      "fix the cause, then run 'stock-anomalies redrive'",
    ]);
  });
});
