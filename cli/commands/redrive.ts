/**
 * `redrive`: once the cause of parked records is fixed, sends them back. A parked record waiting in a held
 * symbol's queue is not sent again (its copy waits there, in order with what came after it); instead each
 * held symbol gets one resume record, which makes detect retry its queue in order. Every other parked record
 * goes back to the topic it came from. What was handled is recorded as the committed offsets of redrive's own
 * group on the dead-letter topic, a partition at a time right after its records are sent, so a run cut short
 * sends again only what it had not recorded.
 *
 * `--discard-head SYMBOL` is for a held record that can never be detected (garbage, not a bug to fix): it is
 * dropped from the head of the symbol's queue, said so, and the rest of the queue resumes.
 *
 * Last, notify's dead letters (the alert messages Pub/Sub gave up delivering to notify) go back to the anomalies
 * topic, each acknowledged on the dead-letter subscription only once it is published again
 * (shared/clients/deadLetterMessages.ts): a run cut short sends some twice, which notify writes once.
 */
import type { Command } from 'commander';
import type { Message } from 'kafkajs';
import { readVariable } from '../../shared/config/variables.js';
import { CONTROL_HEADER, RESUME_CONTROL } from '../../shared/pipeline/deliveryContract.js';
import type { ParkedRecord } from '../../shared/pipeline/parkedRecord.js';
import type { CliContext } from '../context.js';
import { outstandingRanges, readRanges, redriveGroup } from '../../shared/kafka/deadLetters.js';
import { redriveDeadLetters } from '../../shared/clients/deadLetterMessages.js';
import { clients, stackError, stackStateStore, type StackClients } from '../stackClients.js';
import { stackPubSub } from '../stackPubSub.js';
import { UsageError } from '../usageError.js';

export function registerRedriveCommand(program: Command, context: CliContext): void {
  program
    .command('redrive')
    .description('send parked records back and resume held symbols, once the cause is fixed')
    .option(
      '--discard-head <symbols...>',
      'first drop the record at the head of each held symbol (one that can never be detected)',
    )
    .action(async (options: { discardHead?: string[] }) => {
      const lines = await redrive(clients(context), options.discardHead ?? []).catch((error) => {
        if (error instanceof UsageError) throw error;
        throw stackError(error);
      });
      for (const line of lines) context.stderr.write(`${line}\n`);
    });
}

/** The CloudEvent id a record of the bar topic was delivered with, as held records remember it. */
const eventIdOf = (record: ParkedRecord) =>
  `partition:${record.origin.partition}/offset:${record.origin.offset}`;

/** Redrives what is outstanding; returns what it did, in lines. */
export async function redrive(stack: StackClients, discardHeads: string[] = []): Promise<string[]> {
  const topic = readVariable('KAFKA_TOPIC', stack.env);
  const deadLetterTopic = readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env);
  const group = redriveGroup(readVariable('KAFKA_GROUP_ID', stack.env));
  const store = stackStateStore(stack);
  const lines: string[] = [];

  // Records dropped here must not come back from the dead-letter topic either.
  const dropped = new Set<string>();
  for (const symbol of discardHeads) {
    const read = await store.load(symbol);
    const [head] = read.hold === null ? [] : await store.heldRecords(symbol, 1);
    if (read.hold === null || head === undefined) throw new UsageError(`${symbol} is not held`);
    await store.discard(symbol, read, head.seq);
    dropped.add(head.eventId);
    lines.push(
      `discarded ${symbol}'s held record ${head.identity} (${read.hold.reason}): its minutes will not be detected`,
    );
  }

  const admin = stack.kafka.admin();
  const producer = stack.kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    const held = await store.heldSymbols();
    const waiting = new Set([...dropped, ...held.flatMap(({ records }) => records.map((r) => r.eventId))]);
    const ranges = await outstandingRanges(admin, deadLetterTopic, group);
    const parked = await readRanges(stack.kafka, deadLetterTopic, ranges);

    let sent = 0;
    const targets = new Set<string>();
    for (const [partition, range] of ranges) {
      // Back to where they came from, in the order they were parked (one send keeps a partition's order).
      const byTopic = new Map<string, Message[]>();
      for (const record of parked) {
        if (record.at.partition !== partition || waiting.has(eventIdOf(record))) continue;
        const target = record.origin.topic || topic;
        if (!byTopic.has(target)) byTopic.set(target, []);
        byTopic.get(target)!.push({
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            'redriven-from': `${deadLetterTopic}/${record.at.partition}/${record.at.offset}`,
          },
        });
      }
      for (const [target, messages] of byTopic) {
        await producer.send({ topic: target, acks: -1, messages });
        sent += messages.length;
        targets.add(target);
      }
      await admin.setOffsets({
        groupId: group,
        topic: deadLetterTopic,
        partitions: [{ partition, offset: String(range.to) }],
      });
    }

    // The resumes come from the holds in Firestore, so a run cut short before this point loses none.
    if (held.length > 0) {
      await producer.send({
        topic,
        acks: -1,
        messages: held.map(({ symbol }) => ({
          key: symbol,
          value: null,
          headers: { [CONTROL_HEADER]: RESUME_CONTROL },
        })),
      });
    }

    const notify = stackPubSub(stack);
    const alerts = await redriveDeadLetters(
      notify.pubsub,
      notify.deadLetterSubscription,
      notify.anomaliesTopic,
    ).finally(() => notify.pubsub.close());

    if (sent === 0 && held.length === 0 && alerts === 0 && lines.length === 0)
      return ['nothing parked, nothing held, no alert message dead-lettered'];
    if (sent > 0) lines.push(`sent ${sent} parked record(s) back to ${[...targets].join(', ')}`);
    if (held.length > 0) {
      lines.push(
        `resumed ${held.length} held symbol(s): ` +
          held.map(({ symbol, hold }) => `${symbol} (${hold.waiting} waiting)`).join(', '),
      );
    }
    if (alerts > 0) {
      lines.push(
        `sent ${alerts} alert message(s) notify could not write from ${notify.deadLetterSubscription} back to ${notify.anomaliesTopic}`,
      );
    }
    lines.push("run 'stock-anomalies wait' to see them through");
    return lines;
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}
