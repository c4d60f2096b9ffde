/**
 * A KafkaSource-compatible dispatcher: a Kafka consumer group that posts each record to a CloudEvent target
 * the way Knative's KafkaSource does (binary mode, type dev.knative.kafka.event, data = the record value).
 *
 * Per partition it delivers in order and waits for detect's answer before the next record (deliver.ts and
 * shared/pipeline/deliveryContract.ts): a record detect is done with is committed; one it says can never
 * succeed is parked on the dead-letter topic at once, with the reason, so that it never stops its partition;
 * anything else (detect restarting, unreachable, overloaded, a service behind it down) is waited out and
 * the same record sent again, for as long as it takes. Offsets are committed only after a record is
 * delivered or parked: a crash redelivers, never skips.
 */
import { request } from 'undici';
import { setMaxListeners } from 'node:events';
import type { Consumer, EachMessagePayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { encodeHeaderValue } from '../../shared/pipeline/cloudEventHeader.js';
import { StockAnomaliesError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { parkedHeaders } from '../../shared/pipeline/parkedRecord.js';
import { deliver, type Delivery, type DeliveryOptions } from './deliver.js';
import { watchExpiry } from './expiryWatch.js';
import { settleTrigger } from './settleTrigger.js';

export interface DispatcherOptions extends DeliveryOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  deadLetterTopic: string;
  /** Partitions delivered at once (each still strictly in order). */
  partitionsConcurrently?: number;
  /** The KafkaSource name in ce-source. */
  sourceName?: string;
  /** Where it logs; each record's lines go to a child naming the record. By default the process's output. */
  log?: Logger;
  /**
   * Told when the consumer has crashed and kafkajs will not restart it (a non-retriable error): without it the
   * process would stay up consuming nothing. main.ts ends the process, so that the platform starts a new one.
   */
  onFatalCrash?: (error: Error) => void;
  /** How often to look for records that expired unhandled (expiryWatch.ts); by default EXPIRY_CHECK_MS. */
  expiryCheckMs?: number;
  /** Whether to ask detect to settle the scores when it has caught up (settleTrigger.ts); by default yes. */
  settle?: boolean;
}

/**
 * Thrown instead of delivering or completing a record of a partition this consumer no longer owns (the group
 * rebalanced while the batch it came in was being delivered): kafkajs then neither resolves nor commits its
 * offset, and fetches again for the partitions it does own. The partition's new owner delivers the record.
 */
export class PartitionRevokedError extends StockAnomaliesError {
  override name = 'PartitionRevokedError';
  constructor(where: { topic: string; partition: number; offset: string }) {
    // Retriable: the record is delivered again, by whoever owns its partition now.
    super(
      `partition ${where.topic}[${where.partition}] is no longer assigned to this consumer; offset ${where.offset} is left to its new owner`,
      { retriable: true },
    );
  }
}

/** Partitions delivered at once by default: at least the topic's (the stack's 48, deploy.sh's 48). */
export const PARTITIONS_CONCURRENTLY = 64;

export interface RecordRef {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>;
}

/** A record's CloudEvent id, as KafkaSource makes it: what detect names the record by, too. */
const recordEventId = (partition: number, offset: string) => `partition:${partition}/offset:${offset}`;

/** CloudEvent extension names are lowercase letters and digits only. */
function extensionName(header: string): string | undefined {
  const name = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return name === '' || ['id', 'type', 'source', 'subject', 'time', 'specversion', 'key'].includes(name)
    ? undefined
    : name;
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** The binary-mode CloudEvent headers of a record, as KafkaSource sets them. */
export function cloudEventHeaders(record: RecordRef, sourceName = 'stock-anomalies'): Record<string, string> {
  const { topic, partition, message } = record;
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': recordEventId(partition, message.offset),
    'ce-type': 'dev.knative.kafka.event',
    'ce-source': `/apis/v1/namespaces/default/kafkasources/${sourceName}#${topic}`,
    'ce-subject': `partition:${partition}#${message.offset}`,
    'ce-time': new Date(Number(message.timestamp)).toISOString(),
    'content-type': 'application/octet-stream',
  };
  if (message.key !== null && message.key !== undefined) {
    headers['ce-key'] = encodeHeaderValue(message.key.toString());
  }
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text === undefined) continue;
    // The record's content type travels as an extension, not as the request's: functions-framework parses a
    // JSON-typed body before detect sees it, and a malformed one would be answered 400 (parked) by the
    // framework instead of being held by detect. detect reads the raw bytes whatever they are.
    const extension = extensionName(name);
    if (extension !== undefined) headers[`ce-${extension}`] = encodeHeaderValue(text);
  }
  return headers;
}

/**
 * One attempt: posts the record to the target and reads its whole answer. With undici's `request`, not `fetch`:
 * a live market's minute is 150 posts at once, and fetch's web streams made the dispatcher's work per record about
 * twice what it is.
 */
export async function post(
  record: RecordRef,
  options: DispatcherOptions,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  const response = await request(options.targetUrl, {
    method: 'POST',
    headers: { ...cloudEventHeaders(record, options.sourceName), ...(await options.authHeaders?.()) },
    body: record.message.value ?? Buffer.alloc(0),
    signal,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** Parks a record on the dead-letter topic, keeping its key, value and headers, and saying why. */
export async function park(
  producer: Producer,
  record: RecordRef,
  delivery: Extract<Delivery, { outcome: 'final' }>,
  options: DispatcherOptions,
) {
  await producer.send({
    topic: options.deadLetterTopic,
    acks: -1,
    messages: [
      {
        key: record.message.key,
        value: record.message.value,
        headers: parkedHeaders(record.message.headers, {
          reason: delivery.reason,
          status: delivery.status,
          attempts: delivery.attempts,
          origin: { topic: record.topic, partition: record.partition, offset: record.message.offset },
          target: options.targetUrl,
          parkedAt: new Date().toISOString(),
        }),
      },
    ],
  });
}

export interface RunningDispatcher {
  consumer: Consumer;
  /** True once the consumer has joined its group (and so is assigned partitions). */
  ready: () => boolean;
  stop: () => Promise<void>;
}

export async function startDispatcher(options: DispatcherOptions): Promise<RunningDispatcher> {
  const log = options.log ?? createLogger('dispatcher');
  // A short session lets a replacement take a crashed dispatcher's partitions within seconds; deliver()
  // heartbeats while a record waits, so a slow or absent target does not cost the membership.
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
  });
  const producer = options.kafka.producer({ allowAutoTopicCreation: false });
  // Ends every wait at once when the dispatcher stops: the record waiting is neither committed nor parked,
  // and the next consumer of its partition delivers it.
  const stopping = new AbortController();
  // Every partition's attempt and wait listens to it at once: that many listeners is the design, not a leak.
  setMaxListeners(0, stopping.signal);
  let joined = false;
  // The partitions of the latest generation. kafkajs can rejoin while a record is being delivered (a fetch from
  // one broker meeting stale metadata rejoins while another broker's batches are still being processed); a
  // record of a partition that went elsewhere must then not be resolved: eachMessage returning resolves it,
  // into the new generation's offsets, which the broker accepts (see the README's kafkajs hazards).
  let assignment = new Map<string, Set<number>>();
  const owns = (topic: string, partition: number) => assignment.get(topic)?.has(partition) ?? false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assignment = new Map(
      Object.entries(payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
    joined = true;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    assignment = new Map();
    if (!payload.restart) {
      log.critical('the Kafka consumer crashed and will not restart', { error: payload.error });
      options.onFatalCrash?.(payload.error);
    }
  });
  const admin = options.kafka.admin();
  await Promise.all([consumer.connect(), producer.connect(), admin.connect()]);
  const expiry = watchExpiry({
    admin,
    topic: options.topic,
    groupId: options.groupId,
    log,
    ...(options.expiryCheckMs !== undefined && { intervalMs: options.expiryCheckMs }),
  });
  // Before consuming: once kafkajs has resumed a partition at its log start and committed past it, the commit
  // that shows the records were skipped is gone.
  await expiry.check().catch((error: unknown) =>
    log.warn('could not compare the committed offsets with the log start at start; trying again later', {
      error,
    }),
  );
  const settle =
    options.settle === false
      ? undefined
      : settleTrigger({
          targetUrl: options.targetUrl,
          log,
          ...(options.authHeaders !== undefined && { authHeaders: options.authHeaders }),
        });
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  const handleRecord = async ({
    topic,
    partition,
    message,
    heartbeat,
  }: EachMessagePayload): Promise<void> => {
    const record = { topic, partition, message };
    const where = { topic, partition, offset: message.offset };
    // Every line about the record names it: by where it is, and by the id detect logs it under.
    const recordLog = log.with({
      labels: {
        topic,
        partition: String(partition),
        offset: message.offset,
        event: recordEventId(partition, message.offset),
      },
    });
    if (!owns(topic, partition)) throw new PartitionRevokedError(where);
    const delivery = await deliver((signal) => post(record, options, signal), options, {
      heartbeat,
      signal: stopping.signal,
      retrying: (attempt, reason, waitMs) => {
        // The first failure and then every power of two: a long outage is visible without a flood.
        if ((attempt & (attempt - 1)) !== 0) return;
        recordLog.warn('detect did not take the record; holding the partition and trying again', {
          attempt,
          reason,
          nextInMs: Math.round(waitMs),
        });
      },
    });
    if (delivery.outcome === 'final') {
      await park(producer, record, delivery, options);
      recordLog.error('record parked on the dead-letter topic', {
        status: delivery.status,
        reason: delivery.reason,
      });
    } else if (delivery.attempts > 1) {
      recordLog.info('record delivered after retries', { attempts: delivery.attempts });
    }
    // Returning resolves the offset: not for a partition that went to another consumer meanwhile.
    if (!owns(topic, partition)) throw new PartitionRevokedError(where);
  };
  await consumer.run({
    // Every partition at once (kafkajs caps this at the partitions assigned): a live minute is one record per
    // symbol, each waiting for detect's answer, so the partitions in flight are the pipeline's concurrency.
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? PARTITIONS_CONCURRENTLY,
    // Commit each record's offset as soon as it is delivered or parked (kafkajs otherwise commits only when the
    // whole fetched batch is done): the records before one that waits out an outage are not left uncommitted,
    // to be delivered again after a crash, and the lag the CLI reports is the records really outstanding.
    autoCommitThreshold: 1,
    eachMessage: async (payload) => {
      settle?.started();
      try {
        await handleRecord(payload);
      } finally {
        settle?.ended();
      }
    },
  });
  return {
    consumer,
    ready: () => joined,
    stop: async () => {
      stopping.abort(new Error('the dispatcher is stopping'));
      expiry.stop();
      settle?.stop();
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
