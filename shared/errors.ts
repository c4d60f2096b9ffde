/**
 * The project's one error contract. Every error the project raises says whether doing the same thing again
 * could ever succeed (`retriable`) and keeps what caused it (`cause`). Each function's edge looks at nothing
 * else to choose between answering so that the platform redelivers, and recording the failure where a person
 * will see it and stopping there.
 *
 * Three kinds, as {@link classify} tells them apart:
 * - final: the input can never be processed as it is (a malformed event or batch, an object the contract
 *   rejects, a bad setting); a retry gets the same answer.
 * - retriable: a service did not answer or refused for a while (Firestore, Pub/Sub, Kafka, Cloud Storage
 *   unavailable, a state conflict); trying again later is how it passes.
 * - programming: a bug (TypeError and its kin). Retrying cannot help until the code is fixed, and it is
 *   reported as what it is, never as a problem with the data.
 */

export interface StockAnomaliesErrorOptions {
  retriable: boolean;
  cause?: unknown;
}

export class StockAnomaliesError extends Error {
  override name = 'StockAnomaliesError';
  /** Whether trying again, unchanged, could succeed. */
  readonly retriable: boolean;

  constructor(message: string, options: StockAnomaliesErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

/** Input that can never be processed as it is. */
export class FinalError extends StockAnomaliesError {
  override name = 'FinalError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: false, ...options });
  }
}

/** An event that is not the kind the function takes (fields missing, wrong type). */
export class EventError extends FinalError {
  override name = 'EventError';
}

/**
 * A service refused the request itself (a gRPC INVALID_ARGUMENT, say, for a document id Firestore reserves or
 * one too long): sending the same request again gets the same refusal.
 */
export class RequestRefusedError extends FinalError {
  override name = 'RequestRefusedError';
  constructor(
    readonly service: Service,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${service} refused the request: ${message}`, options);
  }
}

/** The services the pipeline depends on, as named in messages. */
export type Service = 'Firestore' | 'Pub/Sub' | 'Kafka' | 'Cloud Storage' | 'detect' | 'Google sign-in';

/** A service failed in a way that may pass: unavailable, overloaded, timed out, refused for now. */
export class UnavailableError extends StockAnomaliesError {
  override name = 'UnavailableError';
  constructor(
    readonly service: Service,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${service}: ${message}`, { retriable: true, ...options });
  }
}

/** gRPC status codes (Firestore, Pub/Sub) that mean the request itself is wrong: sending it again cannot help. */
const FINAL_GRPC_CODES = new Set([
  3, // INVALID_ARGUMENT (e.g. a document over the size limit)
  11, // OUT_OF_RANGE
  12, // UNIMPLEMENTED
]);

/**
 * Kafka protocol errors that say the request itself is wrong. Kafka's own `retriable` flag is not used: it
 * is false also for authorization and unknown-topic errors an operator fixes, and for kafkajs giving up its
 * own retries on a broker that is down, all of which pass.
 */
const FINAL_KAFKA_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
]);

function isFinalServiceFailure(service: Service, error: unknown): boolean {
  const { code, type } = (error ?? {}) as { code?: unknown; type?: unknown };
  if (service === 'Kafka') return typeof type === 'string' && FINAL_KAFKA_TYPES.has(type);
  // Firestore and Pub/Sub answer with gRPC status codes; Kafka's numeric codes mean other things.
  if (service === 'Firestore' || service === 'Pub/Sub')
    return typeof code === 'number' && FINAL_GRPC_CODES.has(code);
  return false;
}

/**
 * A client library's failure as one of ours, naming the service. Errors already classified and programming
 * errors pass through unchanged; a gRPC code or Kafka error type that says the request is wrong is final; anything else
 * (unavailable, deadline exceeded, aborted, permission denied while IAM is being fixed, a refused connection)
 * is retriable.
 */
export function serviceError(service: Service, error: unknown): Error {
  if (error instanceof StockAnomaliesError || isProgrammingError(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  if (isFinalServiceFailure(service, error)) {
    return new RequestRefusedError(service, message, { cause: error });
  }
  return new UnavailableError(service, message, { cause: error });
}

const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError, EvalError, URIError];

/**
 * True for the errors a bug raises. Node's fetch reports a network failure as `TypeError: fetch failed` with
 * the system error as its cause: that one is the network's, not ours.
 */
export function isProgrammingError(error: unknown): boolean {
  if (error instanceof StockAnomaliesError) return false;
  if (!PROGRAMMING_ERRORS.some((type) => error instanceof type)) return false;
  const cause = (error as Error).cause as { code?: unknown } | undefined;
  return !(error instanceof TypeError && typeof cause?.code === 'string');
}

export type ErrorKind = 'final' | 'retriable' | 'programming';

/**
 * What kind of failure an error is. An error from outside the project that is not a programming error
 * (a client library's, the network's) counts as retriable: trying again is how such failures pass, and a
 * record retried for ever is visible, where one given up on would be lost.
 */
export function classify(error: unknown): ErrorKind {
  if (error instanceof StockAnomaliesError) return error.retriable ? 'retriable' : 'final';
  if (isProgrammingError(error)) return 'programming';
  return 'retriable';
}

/** One line for a log entry or a person: the error's name and message, a bug called a bug. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = `${error.name}: ${error.message}`;
  return isProgrammingError(error) ? `programming error: ${text}` : text;
}
