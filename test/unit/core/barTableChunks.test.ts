/**
 * A table built on the memory of tables done with (ChunkPool, what detect's read workers do): it must read back
 * exactly what was put in it, whatever the dead table left in that memory, and the pool must keep no more than
 * its bound.
 */
import { describe, expect, it } from 'vitest';
import { BarTable, ChunkPool, CLOSE, OPEN, VOLUME } from '../../../shared/core/barTable.js';
import { OVERFLOW_SCALE } from '../../../shared/core/decimal.js';

/** Rows a column chunk holds (barTable.ts): tables of more rows span several chunks. */
const CHUNK_ROWS = 1 << 16;
/** A full chunk of each of the table's 13 columns: 3 of 4 bytes and 5 of 8 a row, 5 of 1. */
const TABLE_CHUNK_BYTES = CHUNK_ROWS * (2 * 4 + 8 + 5 * 8 + 5 * 1);

/** A table of `rows` rows of symbol `symbol` whose minute, line and values all follow from the row and `seed`. */
function filled(rows: number, seed: number, symbol: string, pool?: ChunkPool): BarTable {
  const table = new BarTable(pool);
  const id = table.symbolId(symbol);
  for (let i = 0; i < rows; i++) {
    const row = table.addRow(id, 1_000_000 + seed * 7 + i, i + 2);
    for (let column = 0; column < 5; column++) {
      table.setValue(row, column, seed * 1000 + i * 5 + column, (seed + column) % 4, undefined);
    }
  }
  return table;
}

/** Every cell of the table as the rows `filled` wrote them, checked one by one (the first wrong one named). */
function expectFilled(table: BarTable, rows: number, seed: number, symbol: string): void {
  expect(table.length).toBe(rows);
  expect(table.symbols).toEqual([symbol]);
  for (let i = 0; i < rows; i++) {
    const cells = [table.symbolOf(i), table.minute(i), table.line(i)];
    for (let column = 0; column < 5; column++) cells.push(table.mantissa(i, column), table.scale(i, column));
    const expected = [0, 1_000_000 + seed * 7 + i, i + 2];
    for (let column = 0; column < 5; column++)
      expected.push(seed * 1000 + i * 5 + column, (seed + column) % 4);
    if (cells.some((cell, k) => cell !== expected[k]))
      expect({ row: i, cells }).toEqual({ row: i, cells: expected });
  }
}

/** {@link filled}, each row added whole as the reader adds it (BarTable.addScannedRow). */
function scannedIn(rows: number, seed: number, symbol: string, pool?: ChunkPool): BarTable {
  const table = new BarTable(pool);
  const id = table.symbolId(symbol);
  const mantissas = new Float64Array(5);
  const scales = new Int16Array(5);
  for (let i = 0; i < rows; i++) {
    for (let column = 0; column < 5; column++) {
      mantissas[column] = seed * 1000 + i * 5 + column;
      scales[column] = (seed + column) % 4;
    }
    table.addScannedRow(id, 1_000_000 + seed * 7 + i, i + 2, mantissas, scales);
  }
  return table;
}

describe('a table on recycled memory', () => {
  it('reads back its own rows, not the dead table’s, shorter or longer than it and across chunks', () => {
    const pool = new ChunkPool(64 << 20);
    const dead = filled(3 * CHUNK_ROWS + 123, 1, 'OLD', pool);
    dead.recycle(pool);
    // Every chunk went to the pool: four of each column (past its first chunk, a table's chunks are all full size).
    expect(pool.bytes).toBe(4 * TABLE_CHUNK_BYTES);
    expect(dead.length).toBe(0);

    const shorter = filled(CHUNK_ROWS + 5, 2, 'NEW', pool);
    expectFilled(shorter, CHUNK_ROWS + 5, 2, 'NEW');
    // Its two chunks of each column came from the pool.
    expect(pool.bytes).toBe(2 * TABLE_CHUNK_BYTES);
    shorter.recycle(pool);

    const longer = filled(5 * CHUNK_ROWS, 3, 'NEWER', pool);
    expectFilled(longer, 5 * CHUNK_ROWS, 3, 'NEWER');
    expect(pool.bytes).toBe(0);
  });

  it('crosses threads as any table does (its buffers transferred, read back whole)', () => {
    const pool = new ChunkPool(64 << 20);
    filled(2 * CHUNK_ROWS, 4, 'OLD', pool).recycle(pool);
    const table = filled(CHUNK_ROWS + 77, 5, 'NEW', pool);
    table.setValue(17, CLOSE, 1, OVERFLOW_SCALE, '123456789012345678901234567890');
    const moved = structuredClone(table.toTransfer(), {
      transfer: BarTable.transferList(table.toTransfer()),
    });
    const received = BarTable.fromTransfer(moved);
    expect(received.length).toBe(CHUNK_ROWS + 77);
    expect(received.minute(CHUNK_ROWS + 76)).toBe(1_000_000 + 5 * 7 + CHUNK_ROWS + 76);
    expect(received.mantissa(CHUNK_ROWS + 76, VOLUME)).toBe(5 * 1000 + (CHUNK_ROWS + 76) * 5 + 4);
    expect(received.mantissa(3, OPEN)).toBe(5 * 1000 + 15);
    expect(received.text(17, CLOSE)).toBe('123456789012345678901234567890');
  });

  it('takes whole rows where its columns have unlike room (a pool with full chunks of some kinds only)', () => {
    // Bound to about one chunk of each column: of a two-chunk table's, it keeps the small columns' both chunks
    // and the large ones' first few, so that a new table starts some columns full size and doubles the others.
    const pool = new ChunkPool(TABLE_CHUNK_BYTES + 1000);
    filled(2 * CHUNK_ROWS, 8, 'OLD', pool).recycle(pool);
    const table = scannedIn(2 * CHUNK_ROWS + 300, 9, 'NEW', pool);
    expectFilled(table, 2 * CHUNK_ROWS + 300, 9, 'NEW');
    // And its overflowed values' texts.
    const mantissas = new Float64Array([1, 2, Number.NaN, 4, 5]);
    const scales = new Int16Array([0, 0, OVERFLOW_SCALE, 0, 0]);
    const row = table.addScannedRow(0, 5, 6, mantissas, scales);
    table.setOverflowText(row, 2, ' 1e400 ');
    expect(table.text(row, 2)).toBe('1e400');
    expect(table.mantissa(row, 4)).toBe(5);
    expectFilled(scannedIn(100, 10, 'FRESH'), 100, 10, 'FRESH');
  });

  it('keeps no more than its bound, and a table without a pool takes nothing from one', () => {
    const pool = new ChunkPool(TABLE_CHUNK_BYTES + 1000);
    filled(2 * CHUNK_ROWS, 6, 'A', pool).recycle(pool);
    // Two chunks of each column given, room for one of each and a few small ones: what passed it was dropped.
    expect(pool.bytes).toBeLessThanOrEqual(TABLE_CHUNK_BYTES + 1000);
    expect(pool.bytes).toBeGreaterThanOrEqual(TABLE_CHUNK_BYTES - CHUNK_ROWS * 8);
    const held = pool.bytes;
    expectFilled(filled(CHUNK_ROWS + 1, 7, 'B'), CHUNK_ROWS + 1, 7, 'B');
    expect(pool.bytes).toBe(held);
  });
});
