/**
 * A record parked on the dead-letter topic: the original key, value and headers, plus headers saying why and
 * from where. The dispatcher writes them (park) and the CLI reads them back (wait, reports, redrive); both go
 * through this module, so the header names live in one place.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';

const PREFIX = 'dlq-';

export interface ParkingNote {
  /** Why the record can never succeed, as the target said. */
  reason: string;
  /** The target's HTTP status. */
  status: number;
  attempts: number;
  /** Where the record was read from. */
  origin: { topic: string; partition: number; offset: string };
  target: string;
  parkedAt: string;
}

export interface ParkedRecord extends ParkingNote {
  /** Where it sits on the dead-letter topic. */
  at: { partition: number; offset: string };
  key: string | null;
  value: Buffer | null;
  /** The record's own headers, without the parking note. */
  headers: IHeaders;
  /** The batch it carries, when its value reads as one. */
  batch?: { symbol: string; object: string; generation: string; seq: number };
}

/** The headers of a parked record: its own, then the parking note. */
export function parkedHeaders(own: IHeaders | undefined, note: ParkingNote): IHeaders {
  return {
    ...own,
    [`${PREFIX}reason`]: note.reason,
    [`${PREFIX}status`]: String(note.status),
    [`${PREFIX}attempts`]: String(note.attempts),
    [`${PREFIX}topic`]: note.origin.topic,
    [`${PREFIX}partition`]: String(note.origin.partition),
    [`${PREFIX}offset`]: note.origin.offset,
    [`${PREFIX}target`]: note.target,
    [`${PREFIX}time`]: note.parkedAt,
  };
}

function text(value: IHeaders[string]): string {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

/** Reads a message of the dead-letter topic back. */
export function readParked(partition: number, message: KafkaMessage): ParkedRecord {
  const all = message.headers ?? {};
  const own: IHeaders = {};
  for (const [name, value] of Object.entries(all)) if (!name.startsWith(PREFIX)) own[name] = value;
  const note = (name: string) => text(all[`${PREFIX}${name}`]);
  const parked: ParkedRecord = {
    at: { partition, offset: message.offset },
    key: message.key === null ? null : message.key.toString(),
    value: message.value,
    headers: own,
    reason: note('reason'),
    status: Number(note('status')),
    attempts: Number(note('attempts')),
    origin: { topic: note('topic'), partition: Number(note('partition')), offset: note('offset') },
    target: note('target'),
    parkedAt: note('time'),
  };
  const batch = batchOf(message.value);
  return batch === undefined ? parked : { ...parked, batch };
}

/** The batch a value carries, read leniently: a parked value is often malformed, and that is fine here. */
function batchOf(value: Buffer | null): ParkedRecord['batch'] {
  if (value === null) return undefined;
  try {
    const { symbol, object, generation, seq } = JSON.parse(value.toString()) as Record<string, unknown>;
    if (typeof object !== 'string' || typeof generation !== 'string') return undefined;
    return { symbol: String(symbol), object, generation, seq: Number(seq) };
  } catch {
    return undefined;
  }
}
