/**
 * What stands between the dropped data and its alerts that no waiting will resolve: records parked on the
 * dead-letter topic and not yet redriven, and symbols held behind a record detect could not take. `wait` and
 * `reports` fail while there are any, naming each object they belong to.
 */
import { readVariable } from '../shared/config/variables.js';
import { CONTROL_HEADER } from '../shared/pipeline/deliveryContract.js';
import type { ParkedRecord } from '../shared/pipeline/parkedRecord.js';
import { type HeldRecordSummary, type SymbolHold } from '../shared/state/symbolStateStore.js';
import { outstandingParked, redriveGroup } from '../shared/kafka/deadLetters.js';
import { stackStateStore, type StackClients } from './stackClients.js';

export interface PipelineProblems {
  parked: ParkedRecord[];
  held: Array<{ symbol: string; hold: SymbolHold; records: HeldRecordSummary[] }>;
}

export async function pipelineProblems(stack: StackClients): Promise<PipelineProblems> {
  const store = stackStateStore(stack);
  const [parked, held] = await Promise.all([
    outstandingParked(
      stack.kafka,
      readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env),
      redriveGroup(readVariable('KAFKA_GROUP_ID', stack.env)),
    ),
    store.heldSymbols(),
  ]);
  return { parked, held };
}

export const hasProblems = (problems: PipelineProblems) =>
  problems.parked.length > 0 || problems.held.length > 0;

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

/** The problems in lines a person can act on. */
export function describeProblems(problems: PipelineProblems, deadLetterTopic: string): string[] {
  const lines: string[] = [];
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
  if (lines.length > 0) lines.push("fix the cause, then run 'stock-anomalies redrive'");
  return lines;
}
