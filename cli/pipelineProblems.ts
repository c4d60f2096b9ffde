/**
 * What stands between the dropped data and its alerts that no waiting will resolve: records parked on the
 * dead-letter topic and not yet redriven, symbols held behind a record detect could not take, records of the bar
 * topic that retention removed before the dispatcher handled them, and alert messages Pub/Sub dead-lettered
 * because notify kept failing on them. `wait` and `reports` fail while there are any, naming what they can.
 */
import { countDeadLetters, type DeadLetterMessages } from '../shared/clients/deadLetterMessages.js';
import { readVariable } from '../shared/config/variables.js';
import { formatAge } from '../shared/core/age.js';
import { readConsumerLag, type PartitionLag } from '../shared/kafka/consumerLag.js';
import { CONTROL_HEADER } from '../shared/pipeline/deliveryContract.js';
import type { ParkedRecord } from '../shared/pipeline/parkedRecord.js';
import { type HeldRecordSummary, type SymbolHold } from '../shared/state/symbolStateStore.js';
import { outstandingParked, redriveGroup } from '../shared/kafka/deadLetters.js';
import { stackStateStore, type StackClients } from './stackClients.js';
import { stackPubSub } from './stackPubSub.js';

export interface PipelineProblems {
  parked: ParkedRecord[];
  held: Array<{ symbol: string; hold: SymbolHold; records: HeldRecordSummary[] }>;
  /** The bar topic's partitions with records retention removed before the dispatcher's group handled them. */
  expired: { topic: string; partitions: PartitionLag[] };
  /** The alert messages Pub/Sub gave up delivering to notify. */
  notifyDeadLetters: DeadLetterMessages & { subscription: string };
}

/** The bar topic's partitions whose records expired unhandled (cheap: offsets only). */
export async function expiredPartitions(stack: StackClients): Promise<PipelineProblems['expired']> {
  const topic = readVariable('KAFKA_TOPIC', stack.env);
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const lags = await readConsumerLag(admin, topic, readVariable('KAFKA_GROUP_ID', stack.env));
    return { topic, partitions: lags.filter((lag) => lag.expired > 0) };
  } finally {
    await admin.disconnect();
  }
}

/** notify's dead letters on the stack's dead-letter subscription. */
export async function notifyDeadLetters(stack: StackClients): Promise<PipelineProblems['notifyDeadLetters']> {
  const { pubsub, deadLetterSubscription } = stackPubSub(stack);
  try {
    return {
      subscription: deadLetterSubscription,
      ...(await countDeadLetters(pubsub, deadLetterSubscription)),
    };
  } finally {
    await pubsub.close();
  }
}

export async function pipelineProblems(stack: StackClients): Promise<PipelineProblems> {
  const store = stackStateStore(stack);
  const [parked, held, expired, notify] = await Promise.all([
    outstandingParked(
      stack.kafka,
      readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env),
      redriveGroup(readVariable('KAFKA_GROUP_ID', stack.env)),
    ),
    store.heldSymbols(),
    expiredPartitions(stack),
    notifyDeadLetters(stack),
  ]);
  return { parked, held, expired, notifyDeadLetters: notify };
}

export const hasProblems = (problems: PipelineProblems) =>
  problems.parked.length > 0 ||
  problems.held.length > 0 ||
  problems.expired.partitions.length > 0 ||
  problems.notifyDeadLetters.count > 0;

/** `object (generation g)` for a record that names its object, or what is known of one that does not. */
const objectName = (object: string | undefined, generation: string | undefined) =>
  object === undefined ? 'an unreadable record' : `${object} (generation ${generation})`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Per object generation (`object@generation`, or '' for records that name none): parked and held counts. */
export function problemsByObject(problems: PipelineProblems): Map<string, { parked: number; held: number }> {
  const counts = new Map<string, { parked: number; held: number }>();
  const count = (key: string) => {
    let entry = counts.get(key);
    if (entry === undefined) counts.set(key, (entry = { parked: 0, held: 0 }));
    return entry;
  };
  for (const record of problems.parked) {
    count(record.batch ? `${record.batch.object}@${record.batch.generation}` : '').parked++;
  }
  for (const { records } of problems.held) {
    for (const record of records) {
      count(record.object === undefined ? '' : `${record.object}@${record.generation}`).held++;
    }
  }
  return counts;
}

/** The problems in lines a person can act on; ages as of `now` (ms). */
export function describeProblems(
  problems: PipelineProblems,
  deadLetterTopic: string,
  now: number = Date.now(),
): string[] {
  const lines: string[] = [];
  const { expired, notifyDeadLetters: notify } = problems;
  if (expired.partitions.length > 0) {
    const total = expired.partitions.reduce((sum, lag) => sum + lag.expired, 0);
    lines.push(
      `${plural(total, 'record')} of ${expired.topic} expired before the dispatcher handled them: retention removed ` +
        'them, they will never be detected (the topics keep every record unless their retention was changed):',
    );
    for (const lag of expired.partitions) {
      lines.push(
        `  partition ${lag.partition}: ${plural(lag.expired, 'record')} (committed ${lag.committed}, log start ${lag.logStart})`,
      );
    }
  }
  if (problems.parked.length > 0) {
    lines.push(`${plural(problems.parked.length, 'record')} parked on ${deadLetterTopic}:`);
    for (const record of problems.parked) {
      const control = record.headers[CONTROL_HEADER]?.toString();
      const what = control
        ? `a ${control} of ${record.key ?? 'no symbol'} (redrive's)`
        : record.batch
          ? `${objectName(record.batch.object, record.batch.generation)}, ${record.batch.symbol} batch ${record.batch.seq}`
          : `${objectName(undefined, undefined)} (key ${record.key ?? 'none'})`;
      lines.push(
        `  ${what}, from ${record.origin.topic} partition ${record.origin.partition} offset ${record.origin.offset}: ${record.reason}`,
      );
    }
  }
  if (problems.held.length > 0) {
    lines.push(
      `${plural(problems.held.length, 'symbol')} held (later batches wait in order, none is detected out of turn):`,
    );
    for (const { symbol, hold, records } of problems.held) {
      const objects = [...new Set(records.map((record) => objectName(record.object, record.generation)))];
      lines.push(
        `  ${symbol}: ${plural(hold.waiting, 'record')} waiting since ${hold.since} (${objects.join(', ')}): ${hold.reason}`,
      );
    }
  }
  if (notify.count > 0) {
    const oldest =
      notify.oldest === null
        ? ''
        : `, the oldest dead-lettered ${formatAge(now - Date.parse(notify.oldest))} ago`;
    lines.push(
      `${plural(notify.count, 'alert message')} on ${notify.subscription}, which notify could not write${oldest}: ` +
        'their alerts are missing; Pub/Sub drops each 7 days after it was dead-lettered',
    );
  }
  const redrivable = problems.parked.length > 0 || problems.held.length > 0 || notify.count > 0;
  if (redrivable) lines.push("fix the cause, then run 'stock-anomalies redrive'");
  return lines;
}
