/**
 * The Kafka message from ingest to detect: consecutive minutes of one symbol from one object generation.
 * JSON, decimals as their text so the detector compares exactly what the CSV said.
 */
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../core/barTable.js';
import { scanDecimal } from '../core/decimal.js';
import { FinalError } from '../errors.js';

export const BAR_BATCH_VERSION = 1;

/** [minute, open, high, low, close, volume, line] */
export type EncodedBar = [number, string, string, string, string, string, number];

export interface BarBatch {
  v: typeof BAR_BATCH_VERSION;
  symbol: string;
  object: string;
  generation: string;
  /** Position of this batch among the object's batches of this symbol, from 0. */
  seq: number;
  /** How many batches the object has for this symbol. */
  of: number;
  bars: EncodedBar[];
}

/** How many batches {@link planBatches} makes of `rows` bars. */
export function batchCount(rows: number, batchMinutes: number): number {
  return Math.ceil(rows / batchMinutes);
}

/**
 * Splits a symbol's sorted rows into batches of at most `batchMinutes` bars, made one at a time as they are
 * asked for: a large object's batches, all held at once, would take many times the memory of its table.
 */
export function* planBatches(
  table: BarTable,
  symbol: string,
  rows: Uint32Array,
  source: { object: string; generation: string },
  batchMinutes: number,
): Generator<BarBatch> {
  const of = batchCount(rows.length, batchMinutes);
  for (let seq = 0; seq < of; seq++) {
    const bars: EncodedBar[] = [];
    for (let i = seq * batchMinutes; i < Math.min(rows.length, (seq + 1) * batchMinutes); i++) {
      const row = rows[i]!;
      bars.push([
        table.minute(row),
        table.text(row, OPEN),
        table.text(row, HIGH),
        table.text(row, LOW),
        table.text(row, CLOSE),
        table.text(row, VOLUME),
        table.line(row),
      ]);
    }
    yield { v: BAR_BATCH_VERSION, symbol, ...source, seq, of, bars };
  }
}

/** A Kafka record that is not a well-formed bar batch: final, it reads the same every time. */
export class BarBatchError extends FinalError {
  override name = 'BarBatchError';
}

/**
 * Decodes and checks a message value: raw bytes or text, or JSON already parsed by the HTTP layer.
 * @throws BarBatchError naming what is wrong (never retriable)
 */
export function decodeBarBatch(value: unknown): BarBatch {
  let batch: BarBatch;
  try {
    batch =
      Buffer.isBuffer(value) || typeof value === 'string'
        ? JSON.parse(value.toString())
        : (value as BarBatch);
  } catch (error) {
    throw new BarBatchError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof batch !== 'object' || batch === null || batch.v !== BAR_BATCH_VERSION) {
    throw new BarBatchError(`not a bar batch of version ${BAR_BATCH_VERSION}`);
  }
  for (const field of ['symbol', 'object', 'generation'] as const) {
    if (typeof batch[field] !== 'string' || batch[field] === '') throw new BarBatchError(`missing ${field}`);
  }
  if (!Number.isInteger(batch.seq) || !Number.isInteger(batch.of) || !Array.isArray(batch.bars)) {
    throw new BarBatchError('missing seq, of or bars');
  }
  return batch;
}

/** The bars of a batch as a table, for the rules. @throws BarBatchError for a malformed bar */
export function batchTable(batch: BarBatch): { table: BarTable; rows: Uint32Array } {
  const table = new BarTable();
  const symbolId = table.symbolId(batch.symbol);
  let previous = -Infinity;
  for (const bar of batch.bars) {
    if (!Array.isArray(bar) || bar.length !== 7 || !Number.isInteger(bar[0]) || !(bar[0] > previous)) {
      throw new BarBatchError(`bars must be [minute, o, h, l, c, v, line] in ascending minutes`);
    }
    const [minute, , , , , , line] = bar;
    previous = minute;
    const row = table.addRow(symbolId, minute, Number(line));
    for (let column = OPEN; column <= VOLUME; column++) {
      const text = bar[column + 1] as string;
      if (typeof text !== 'string' || !scanDecimal(text)) throw new BarBatchError(`not a decimal: ${text}`);
      table.setScannedValue(row, column, text);
    }
  }
  return { table, rows: Uint32Array.from({ length: table.length }, (_, i) => i) };
}
