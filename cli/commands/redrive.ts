/**
 * `redrive`: once the cause of parked records is fixed, sends them back. A parked record of a held symbol is
 * not sent again (its copy waits at the head of the symbol's queue, in order with what came after it);
 * instead each held symbol gets one resume record, which makes detect retry its queue in order. Every other
 * parked record goes back to the topic it came from. What was handled is recorded as the committed offsets
 * of redrive's own group on the dead-letter topic, so a record is redriven once per run of this command.
 */
import type { Command } from 'commander';
import type { Message } from 'kafkajs';
import { readVariable } from '../../shared/config/runtime.js';
import { CONTROL_HEADER, RESUME_CONTROL } from '../../shared/pipeline/deliveryContract.js';
import { FirestoreSymbolStateStore } from '../../shared/state/symbolStateStore.js';
import type { CliContext } from '../context.js';
import { outstandingRanges, readRanges, redriveGroup } from '../deadLetters.js';
import { clients, stackError, type StackClients } from '../stackClients.js';

export function registerRedriveCommand(program: Command, context: CliContext): void {
  program
    .command('redrive')
    .description('send parked records back and resume held symbols, once the cause is fixed')
    .action(async () => {
      const lines = await redrive(clients(context)).catch((error) => {
        throw stackError(error);
      });
      for (const line of lines) context.stderr.write(`${line}\n`);
    });
}

/** Redrives what is outstanding; returns what it did, in lines. */
export async function redrive(stack: StackClients): Promise<string[]> {
  const topic = readVariable('KAFKA_TOPIC', stack.env);
  const deadLetterTopic = readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env);
  const group = redriveGroup(readVariable('KAFKA_GROUP_ID', stack.env));
  const store = new FirestoreSymbolStateStore(stack.firestore, readVariable('STATE_COLLECTION', stack.env));

  const admin = stack.kafka.admin();
  const producer = stack.kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    const ranges = await outstandingRanges(admin, deadLetterTopic, group);
    const parked = await readRanges(stack.kafka, deadLetterTopic, ranges);
    const held = await store.heldSymbols();
    const heldSymbols = new Set(held.map((entry) => entry.symbol));

    // Back to where they came from, in the order they were parked (one send keeps a partition's order).
    const resend = parked.filter((record) => record.key === null || !heldSymbols.has(record.key));
    const byTopic = new Map<string, Message[]>();
    for (const record of resend) {
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
    for (const [target, messages] of byTopic) await producer.send({ topic: target, acks: -1, messages });

    // Handled: recorded before the resumes, so that a crash after this point resends nothing twice; the
    // resumes themselves come from the holds in Firestore, which a second run finds again.
    if (ranges.size > 0) {
      await admin.setOffsets({
        groupId: group,
        topic: deadLetterTopic,
        partitions: [...ranges].map(([partition, range]) => ({ partition, offset: String(range.to) })),
      });
    }
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

    if (parked.length === 0 && held.length === 0) return ['nothing parked, nothing held'];
    const lines = [];
    if (resend.length > 0)
      lines.push(`sent ${resend.length} parked record(s) back to ${[...byTopic.keys()].join(', ')}`);
    if (held.length > 0) {
      lines.push(
        `resumed ${held.length} held symbol(s): ` +
          held.map(({ symbol, hold }) => `${symbol} (${hold.waiting} waiting)`).join(', '),
      );
    }
    lines.push("run 'stock-anomalies wait' to see them through");
    return lines;
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}
