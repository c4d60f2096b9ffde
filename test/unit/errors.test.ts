/** The one error contract: which failures a retry can cure, which it cannot, and which are bugs. */
import { describe, expect, it } from 'vitest';
import {
  classify,
  describeError,
  EventError,
  FinalError,
  isProgrammingError,
  serviceError,
  UnavailableError,
} from '../../shared/errors.js';
import { StateConflictError } from '../../shared/state/symbolStateStore.js';
import { ObjectRejectedError } from '../../shared/core/report.js';
import { BarBatchError } from '../../shared/pipeline/barBatch.js';

const grpc = (code: number, message: string) => Object.assign(new Error(message), { code });
const kafka = (type: string) =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: false });

describe('classify', () => {
  it.each([
    ['a malformed event', new EventError('no bucket'), 'final'],
    ['a malformed batch', new BarBatchError('not JSON'), 'final'],
    ['an object the contract rejects', new ObjectRejectedError('missing required columns: volume'), 'final'],
    ['a state conflict', new StateConflictError('changed'), 'retriable'],
    ['a service down', new UnavailableError('Firestore', 'UNAVAILABLE'), 'retriable'],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')"), 'programming'],
    ['a ReferenceError', new ReferenceError('x is not defined'), 'programming'],
    [
      'fetch failing on the network',
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      'retriable',
    ],
    ["a client library's unknown error", new Error('socket hang up'), 'retriable'],
  ])('%s is %s', (_what, error, kind) => {
    expect(classify(error)).toBe(kind);
  });
});

describe('serviceError', () => {
  it.each([
    ['Firestore', grpc(14, '14 UNAVAILABLE: no connection'), 'retriable'],
    ['Firestore', grpc(4, '4 DEADLINE_EXCEEDED'), 'retriable'],
    ['Firestore', grpc(7, '7 PERMISSION_DENIED'), 'retriable'],
    ['Firestore', grpc(3, '3 INVALID_ARGUMENT: document too large'), 'final'],
    ['Pub/Sub', grpc(3, '3 INVALID_ARGUMENT'), 'final'],
    // Kafka's numeric codes are not gRPC's: 3 is UNKNOWN_TOPIC_OR_PARTITION there, which an operator fixes.
    ['Kafka', Object.assign(kafka('UNKNOWN_TOPIC_OR_PARTITION'), { code: 3 }), 'retriable'],
    ['Kafka', kafka('MESSAGE_TOO_LARGE'), 'final'],
    [
      'Kafka',
      Object.assign(new Error('Connection error'), { name: 'KafkaJSNumberOfRetriesExceeded' }),
      'retriable',
    ],
  ] as const)('%s: %s is %s', (service, error, kind) => {
    expect(classify(serviceError(service, error))).toBe(kind);
  });

  it('names the service, keeps the cause, and lets bugs and classified errors through unchanged', () => {
    const cause = grpc(14, '14 UNAVAILABLE');
    const wrapped = serviceError('Firestore', cause);
    expect(wrapped).toBeInstanceOf(UnavailableError);
    expect(wrapped.message).toBe('Firestore: 14 UNAVAILABLE');
    expect(wrapped.cause).toBe(cause);
    const bug = new TypeError('x is undefined');
    expect(serviceError('Pub/Sub', bug)).toBe(bug);
    const final = new FinalError('no');
    expect(serviceError('Kafka', final)).toBe(final);
  });
});

describe('describeError', () => {
  it('calls a bug a programming error, and anything else by its name', () => {
    expect(describeError(new TypeError('x is undefined'))).toBe(
      'programming error: TypeError: x is undefined',
    );
    expect(describeError(new BarBatchError('not JSON'))).toBe('BarBatchError: not JSON');
    expect(isProgrammingError(new BarBatchError('x'))).toBe(false);
  });
});
