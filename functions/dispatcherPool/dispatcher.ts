/**
 * A KafkaSource-compatible dispatcher: a Kafka consumer group that posts each record to a CloudEvent target
 * the way Knative's KafkaSource does (binary mode, type dev.knative.kafka.event, data = the record value).
 *
 * Per partition it delivers in order and waits for a 2xx before the next record; a failed delivery is retried
 * with exponential backoff, and a record that still fails is parked on the dead-letter topic with the reason,
 * so one bad record never stops its partition. Offsets are committed only after a record is delivered or
 * parked: a crash redelivers, never skips.
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';

export interface DispatcherOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  deadLetterTopic: string;
  /** The CloudEvent target (detect's URL). */
  targetUrl: string;
  maxAttempts: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-attempt time limit for the target's answer. */
  attemptTimeoutMs?: number;
  /** Partitions delivered at once (each still strictly in order). */
  partitionsConcurrently?: number;
  /** Extra request headers, e.g. an identity token for a private Cloud Run service. */
  authHeaders?: () => Promise<Record<string, string>>;
  /** The KafkaSource name in ce-source. */
  sourceName?: string;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RecordRef {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>;
}

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
    'ce-id': `partition:${partition}/offset:${message.offset}`,
    'ce-type': 'dev.knative.kafka.event',
    'ce-source': `/apis/v1/namespaces/default/kafkasources/${sourceName}#${topic}`,
    'ce-subject': `partition:${partition}#${message.offset}`,
    'ce-time': new Date(Number(message.timestamp)).toISOString(),
    'content-type': 'application/octet-stream',
  };
  if (message.key !== null && message.key !== undefined) headers['ce-key'] = message.key.toString();
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text === undefined) continue;
    if (name.toLowerCase() === 'content-type') headers['content-type'] = text;
    else {
      const extension = extensionName(name);
      if (extension !== undefined) headers[`ce-${extension}`] = text;
    }
  }
  return headers;
}

export type Delivery =
  { delivered: true; attempts: number } | { delivered: false; attempts: number; reason: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts one record until a 2xx or the attempts run out; `heartbeat` keeps the group membership alive. */
export async function deliver(
  record: RecordRef,
  options: DispatcherOptions,
  heartbeat: () => Promise<void> = async () => {},
): Promise<Delivery> {
  const initial = options.initialBackoffMs ?? 200;
  const ceiling = options.maxBackoffMs ?? 30_000;
  let reason = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    try {
      const response = await fetch(options.targetUrl, {
        method: 'POST',
        headers: { ...cloudEventHeaders(record, options.sourceName), ...(await options.authHeaders?.()) },
        body: record.message.value ?? Buffer.alloc(0),
        signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 300_000),
      });
      if (response.ok) {
        await response.arrayBuffer();
        return { delivered: true, attempts: attempt };
      }
      reason = `HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`;
    } catch (error) {
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (attempt < options.maxAttempts) {
      // Full jitter: spreads the retries of many partitions hitting one struggling target.
      const backoff = Math.min(ceiling, initial * 2 ** (attempt - 1));
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
      await heartbeat();
    }
  }
  return { delivered: false, attempts: options.maxAttempts, reason };
}

/** Parks a record on the dead-letter topic, keeping its key, value and headers, and saying why. */
export async function park(
  producer: Producer,
  record: RecordRef,
  delivery: Delivery,
  options: DispatcherOptions,
) {
  const reason = delivery.delivered ? '' : delivery.reason;
  await producer.send({
    topic: options.deadLetterTopic,
    acks: -1,
    messages: [
      {
        key: record.message.key,
        value: record.message.value,
        headers: {
          ...record.message.headers,
          'dlq-reason': reason,
          'dlq-attempts': String(delivery.attempts),
          'dlq-topic': record.topic,
          'dlq-partition': String(record.partition),
          'dlq-offset': record.message.offset,
          'dlq-target': options.targetUrl,
        },
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
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  // A short session lets a replacement take a crashed dispatcher's partitions within seconds; deliver()
  // heartbeats between retries, so a slow target does not cost the membership.
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
  });
  const producer = options.kafka.producer({ allowAutoTopicCreation: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, () => {
    joined = false;
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 8,
    eachMessage: async ({ topic, partition, message, heartbeat }) => {
      const record = { topic, partition, message };
      const delivery = await deliver(record, options, heartbeat);
      if (!delivery.delivered) {
        await park(producer, record, delivery, options);
        log({
          severity: 'WARNING',
          message: 'record parked on the dead-letter topic',
          topic,
          partition,
          offset: message.offset,
          reason: delivery.reason,
        });
      }
    },
  });
  return {
    consumer,
    ready: () => joined,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
