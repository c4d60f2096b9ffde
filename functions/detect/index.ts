/**
 * detect: one Kafka record (a bar batch) per CloudEvent, as Knative's KafkaSource delivers them (binary mode,
 * type dev.knative.kafka.event, data = the record value, extension `key` = the symbol).
 *
 * Registered with the HTTP signature, not the CloudEvent one, because its answer is the contract with the
 * dispatcher (shared/pipeline/deliveryContract.ts): a CloudEvent function can only answer 2xx or 500 (500
 * without a body in production), which cannot tell "send it again" from "this can never succeed". The
 * CloudEvent is read with the CloudEvents SDK, as functions-framework itself reads it.
 */
import * as functions from '@google-cloud/functions-framework';
import type { Request, Response } from '@google-cloud/functions-framework';
import { HTTP, type CloudEvent } from 'cloudevents';
import { getFirestore, getPubSub } from '../../shared/clients/google.js';
import { detectSettings, type DetectSettings } from '../../shared/config/detectSettings.js';
import { DETECT_STATUS, type DetectOutcome } from '../../shared/pipeline/deliveryContract.js';
import { chunkAlerts } from '../../shared/pipeline/alertMessage.js';
import { decodeHeaderValue } from '../../shared/pipeline/cloudEventHeader.js';
import { classify, describeError, EventError, serviceError } from '../../shared/errors.js';
import { deliveryTraceFromEnv } from '../../shared/deliveryTrace.js';
import { faultInjectorFromEnv } from '../../shared/faultInjection.js';
import { createLogger, type Logger, type LogFields } from '../../shared/logging/logger.js';
import { traceFromHeaders } from '../../shared/logging/trace.js';
import { FirestoreSymbolStateStore } from '../../shared/state/symbolStateStore.js';
import { addTally } from '../../shared/state/ingestionStore.js';
import { BarHourWriter, FirestoreBarHistory } from '../../shared/state/barStore.js';
import { episodeWrites } from '../../shared/state/episodeStore.js';
import { ScoreStore } from '../../shared/state/scoreStore.js';
import type { DetectDependencies } from './detectBarBatch.js';
import { detectRecord, type KafkaRecord } from './detectRecord.js';
import { settleScores } from './settleScores.js';
import { DeliveryGaps } from './deliveryGaps.js';
import { publishEscalations } from '../../shared/clients/publishEscalations.js';

function defaultDependencies(settings: DetectSettings): DetectDependencies {
  const topic = getPubSub().topic(settings.anomaliesTopic, {
    batching: { maxMessages: 100, maxMilliseconds: 5 },
  });
  const db = getFirestore();
  const barHours = new BarHourWriter(db, settings.barsCollection);
  return {
    config: settings.detection,
    faults,
    store: new FirestoreSymbolStateStore(db, settings.stateCollection, (batch, symbol, tally) =>
      addTally(batch, db, settings.ingestionsCollection, symbol, tally),
    ),
    companions: async (episodes, bars, cause, read) => {
      const hours = await barHours.prepare(bars, read);
      return {
        writes: [...episodeWrites(db, settings.episodesCollection, episodes, cause), ...hours.writes],
        committed: hours.committed,
      };
    },
    history: new FirestoreBarHistory(db, settings.barsCollection),
    publish: async (alerts, version, cause) => {
      try {
        await Promise.all(
          chunkAlerts(alerts, version, cause).map((message) =>
            topic.publishMessage({ json: message, attributes: { symbol: alerts[0]!.alert.symbol } }),
          ),
        );
      } catch (error) {
        throw serviceError('Pub/Sub', error);
      }
    },
  };
}

/**
 * Read once, when the instance starts: a malformed setting stops it with a message naming the variable, and
 * no event's handling reads the environment.
 */
const settings = detectSettings(process.env);
const faults = faultInjectorFromEnv(process.env);
const trace = deliveryTraceFromEnv(process.env);
let dependencies: DetectDependencies = defaultDependencies(settings);
// The project is not one of detect's settings (deploy.sh sets it beside them, for the client libraries): the
// logger needs it only to name the project a trace id belongs to, so it is read here, as it is.
const processLogger = createLogger('detect', { project: process.env.GOOGLE_CLOUD_PROJECT || undefined });
let logger: Logger = processLogger;

/** The Kafka record a request carries. @throws EventError when it is not a KafkaSource CloudEvent */
export function recordOf(request: Pick<Request, 'headers' | 'rawBody'>): KafkaRecord {
  let event: CloudEvent<unknown>;
  try {
    event = HTTP.toEvent<unknown>({
      headers: request.headers,
      body: request.rawBody ?? Buffer.alloc(0),
    }) as CloudEvent<unknown>;
  } catch (error) {
    throw new EventError(`not a CloudEvent: ${(error as Error).message}`, { cause: error });
  }
  const text = (name: string) =>
    typeof event[name] === 'string' ? decodeHeaderValue(event[name] as string) : undefined;
  return {
    eventId: event.id,
    key: text('key'),
    control: text('control'),
    value: request.rawBody ?? Buffer.alloc(0),
  };
}

/** The status and body detect answers for a request. */
export async function answer(
  request: Pick<Request, 'headers' | 'rawBody'>,
  deps: DetectDependencies,
): Promise<{ status: number; body: DetectOutcome }> {
  let record: KafkaRecord | undefined;
  try {
    record = recordOf(request);
    const outcome = await detectRecord(record, deps);
    return { status: outcome.outcome === 'final' ? DETECT_STATUS.final : DETECT_STATUS.done, body: outcome };
  } catch (error) {
    const kind = classify(error);
    const body = {
      error: error instanceof Error ? error.name : 'Error',
      reason: describeError(error),
    };
    if (kind === 'retriable') return { status: DETECT_STATUS.retry, body: { outcome: 'retry', ...body } };
    // Not held: the record could not be read far enough to know its symbol, or holding it failed finally.
    return { status: DETECT_STATUS.final, body: { outcome: 'final', ...body, held: false } };
  }
}

/**
 * The delivery's logger: every line names the record (its CloudEvent id, `partition:P/offset:O`) and its
 * symbol (the record key), under the request's trace (Cloud Run's front end sends `traceparent`).
 */
function deliveryLogger(request: Request, id: string | undefined, key: string): Logger {
  return logger.with({
    labels: { ...(id !== undefined && { event: id }), ...(key !== '' && { symbol: key }) },
    trace: traceFromHeaders(request.headers),
  });
}

/** An answer's fields for the log: its error, named and described in the answer, as the logger writes one. */
function answerFields(body: DetectOutcome): LogFields {
  if (!('error' in body)) return { ...body };
  const { error, reason, ...rest } = body;
  return { ...rest, error: { name: error, message: reason } };
}

/** How long one settle request goes on starting rounds (the rest waits for the next request). */
const SETTLE_BUDGET_MS = 10_000;
/** The longest a settle step waits for a gap between deliveries: a steady stream leaves none. */
const SETTLE_GAP_WAIT_MS = 1_000;

/**
 * POST /settle: settles the scores the commits since the last one changed (contract §6). The dispatcher asks for
 * it whenever detect has caught up; several at once do the same work, and write the same figures.
 */
/** One per instance: it keeps the days it read for the next settle (scoreStore.ts). */
let scoreStore: ScoreStore | undefined;
/** The deliveries in flight here, for settle to work between (deliveryGaps.ts). */
const deliveries = new DeliveryGaps(SETTLE_GAP_WAIT_MS);

async function handleSettle(response: Response): Promise<void> {
  const db = getFirestore();
  scoreStore ??= new ScoreStore(db, settings.barsCollection, settings.episodesCollection);
  try {
    const outcome = await settleScores(
      {
        store: scoreStore,
        scoring: { config: settings.detection, peerGroups: settings.peerGroups },
        gap: () => deliveries.gap(),
        escalation: {
          threshold: settings.escalation.threshold,
          publish: (messages) => publishEscalations(getPubSub(), settings.escalation.topic, messages),
        },
      },
      SETTLE_BUDGET_MS,
    );
    if (outcome.days > 0) logger.info('scores settled', { ...outcome });
    response.status(200).json(outcome);
  } catch (error) {
    const kind = classify(error);
    logger.error('could not settle the scores', { error });
    response.status(kind === 'retriable' ? 503 : 500).json({ error: describeError(error) });
  }
}

export async function handleDetect(request: Request, response: Response): Promise<void> {
  if (request.method === 'POST' && request.path === '/settle') return handleSettle(response);
  const received = Date.now();
  const id = request.header('ce-id');
  const key = decodeHeaderValue(request.header('ce-key') ?? '');
  const log = deliveryLogger(request, id, key);
  deliveries.started();
  const { status, body } = await answer(request, dependencies).finally(() => deliveries.ended());
  // The record's time (when ingest produced it) and this delivery's: bench:latency's stages.
  trace({
    id,
    status,
    outcome: body.outcome,
    key,
    ...('batch' in body ? { batch: body.batch } : {}),
    produced: Date.parse(request.header('ce-time') ?? ''),
    received,
  });
  if (body.outcome === 'final') {
    log.error('record can never be detected', answerFields(body));
  } else if (body.outcome === 'retry') {
    log.warn('record to be retried', answerFields(body));
  } else if (body.outcome !== 'detected') {
    log.info(body.outcome, answerFields(body));
  }
  response.status(status).json(body);
}

/** For tests: run against other clients. */
export function setDetectDependencies(next: DetectDependencies | undefined): void {
  dependencies = next ?? defaultDependencies(settings);
}

/** For tests: log to another logger (one that captures its lines). */
export function setDetectLogger(next: Logger | undefined): void {
  logger = next ?? processLogger;
}

/**
 * functions-framework runs each request inside a `node:domain`, which binds every async resource the request
 * creates to it (an async hook and a destroy hook per promise): under bench:latency the domain's hooks took about
 * an eighth of detect's CPU. detect answers every error itself (answer() classifies them; settle catches its own),
 * so it leaves the domain before it starts; the framework's catch of a rejected promise still applies.
 */
function outsideDomain(handler: typeof handleDetect): typeof handleDetect {
  return (request, response) => {
    (process as { domain?: { exit(): void } | null }).domain?.exit();
    return handler(request, response);
  };
}

functions.http('detect', outsideDomain(handleDetect));
