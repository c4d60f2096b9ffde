/** What `wait` and `reports` say about parked records and held symbols, from records as the dispatcher parks them. */
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { describeProblems, problemsByObject, type PipelineProblems } from '../../../cli/pipelineProblems.js';
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
    expect(describeProblems({ parked: [], held: [] }, 'dlq')).toEqual([]);
  });
});
