/**
 * The accepted bars of one object (or of one Kafka message), held column by column in typed arrays.
 *
 * A row of plain objects costs hundreds of bytes; this layout costs 61 bytes a bar and no garbage, which is
 * what lets a 1 GB CSV ingest inside a 2 GiB instance. Past their first chunk, columns grow in fixed-size chunks
 * rather than by doubling, so growing a large table never copies and never needs twice the memory.
 */
import { OVERFLOW_SCALE, exactOf, formatDecimal, scanned, valueOf, type ExactDecimal } from './decimal.js';

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

type TypedArray = Float64Array | Uint32Array | Int8Array;

/** A column's kind of typed array: made of a length, or over a buffer of a chunk's size. */
interface ColumnKind<T extends TypedArray> {
  new (length: number): T;
  new (buffer: ArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** The first chunk's first size: it doubles up to CHUNK_SIZE. */
const FIRST_CHUNK_SIZE = 64;

/**
 * The full-size chunks of tables done with, to build the next tables on: a thread that reads one large object after
 * another (detect's read workers) then reuses the same memory instead of leaving each table's to the collector.
 * Left to it, dead tables (17 MB each for three years of a symbol) waited for a collection that the heap's own
 * garbage did not call for, and the run's peak memory moved by tens of MiB from one run to the next.
 */
export class ChunkPool {
  /** Free chunk buffers by byte length (a chunk of one kind of column). */
  readonly #free = new Map<number, ArrayBuffer[]>();
  #bytes = 0;

  /** @param maxBytes the most it keeps: chunks given past it are left to the collector */
  constructor(private readonly maxBytes: number) {}

  /** The bytes it holds. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A free buffer of `byteLength` bytes (its contents are a dead table's), if it has one. */
  take(byteLength: number): ArrayBuffer | undefined {
    const buffer = this.#free.get(byteLength)?.pop();
    if (buffer !== undefined) this.#bytes -= byteLength;
    return buffer;
  }

  /** Keeps `buffer` for a later table, within its bound. */
  give(buffer: ArrayBuffer): void {
    if (this.#bytes + buffer.byteLength > this.maxBytes) return;
    let free = this.#free.get(buffer.byteLength);
    if (free === undefined) this.#free.set(buffer.byteLength, (free = []));
    free.push(buffer);
    this.#bytes += buffer.byteLength;
  }
}

class ChunkedColumn<T extends TypedArray> {
  chunks: T[] = [];
  constructor(
    private readonly kind: ColumnKind<T>,
    private readonly pool: ChunkPool | undefined,
  ) {}

  /** The chunks' memory, to hand to another thread. */
  buffers(): ArrayBuffer[] {
    return this.chunks.map((chunk) => chunk.buffer as ArrayBuffer);
  }

  /** Takes over chunks made by {@link buffers} elsewhere (this column must be empty). */
  adopt(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) this.chunks.push(new this.kind(buffer));
  }

  /** The rows it has room for. */
  capacity(): number {
    const count = this.chunks.length;
    // Past the first chunk, every chunk is full size.
    return count === 0 ? 0 : (count - 1) * CHUNK_SIZE + this.chunks[count - 1]!.length;
  }

  /** Gives its full-size chunks to `pool` and empties the column. */
  recycle(pool: ChunkPool): void {
    for (const chunk of this.chunks) if (chunk.length === CHUNK_SIZE) pool.give(chunk.buffer as ArrayBuffer);
    this.chunks = [];
  }

  set(index: number, value: number): void {
    const chunk = index >>> CHUNK_BITS;
    if (chunk === 0) {
      if (index >= (this.chunks[0]?.length ?? 0)) this.#growFirst(index + 1);
    } else if (chunk === this.chunks.length) {
      if (this.chunks[0]!.length < CHUNK_SIZE) this.#growFirst(CHUNK_SIZE);
      this.chunks.push(this.#fullChunk() ?? new this.kind(CHUNK_SIZE));
    }
    this.chunks[chunk]![index & CHUNK_MASK] = value;
  }

  /** A full-size chunk from the pool, if it has one. */
  #fullChunk(): T | undefined {
    const buffer = this.pool?.take(CHUNK_SIZE * this.kind.BYTES_PER_ELEMENT);
    return buffer === undefined ? undefined : new this.kind(buffer);
  }

  /**
   * The first chunk starts small and doubles, copying, up to CHUNK_SIZE: detect builds a table per Kafka
   * record, often of one minute, and a full first chunk of every column is 4 MB to allocate and zero for it.
   * A chunk the pool has is taken whole instead: it costs nothing to make.
   */
  #growFirst(needed: number): void {
    const first = this.chunks[0];
    const pooled = first === undefined ? this.#fullChunk() : undefined;
    if (pooled !== undefined) {
      this.chunks[0] = pooled;
      return;
    }
    let size = Math.max(FIRST_CHUNK_SIZE, first?.length ?? 0);
    while (size < needed) size *= 2;
    const grown = new this.kind(Math.min(size, CHUNK_SIZE));
    if (first !== undefined) grown.set(first);
    this.chunks[0] = grown;
  }
}

/** The five values of a bar, in column order. */
export const OPEN = 0;
export const HIGH = 1;
export const LOW = 2;
export const CLOSE = 3;
export const VOLUME = 4;

/**
 * A table's memory as plain values and ArrayBuffers, to move it to another thread without copying (transfer
 * the buffers: {@link BarTable.transferList}) and without an object per bar.
 */
export interface TransferredTable {
  symbols: string[];
  length: number;
  symbol: ArrayBuffer[];
  minute: ArrayBuffer[];
  line: ArrayBuffer[];
  mantissa: ArrayBuffer[][];
  scale: ArrayBuffer[][];
  overflow: Array<[number, string]>;
}

export class BarTable {
  /** Symbols by id. */
  readonly symbols: string[] = [];
  readonly #symbolIds = new Map<string, number>();
  #length = 0;
  readonly #symbol: ChunkedColumn<Uint32Array>;
  readonly #minute: ChunkedColumn<Float64Array>;
  readonly #line: ChunkedColumn<Uint32Array>;
  readonly #mantissa: Array<ChunkedColumn<Float64Array>>;
  readonly #scale: Array<ChunkedColumn<Int8Array>>;
  /** Texts of the rare values that overflowed the fast form, by `row * 5 + column`. */
  readonly #overflow = new Map<number, string>();
  /**
   * Rows every column has room for, as {@link addScannedRow} last found: columns may differ (a pool may have a
   * full chunk for one kind of column and not another), and room only grows.
   */
  #room = 0;

  /** @param pool where its full-size chunks come from when it has them (see {@link recycle}) */
  constructor(pool?: ChunkPool) {
    this.#symbol = new ChunkedColumn(Uint32Array, pool);
    this.#minute = new ChunkedColumn(Float64Array, pool);
    this.#line = new ChunkedColumn(Uint32Array, pool);
    this.#mantissa = Array.from({ length: 5 }, () => new ChunkedColumn(Float64Array, pool));
    this.#scale = Array.from({ length: 5 }, () => new ChunkedColumn(Int8Array, pool));
  }

  /**
   * Gives the table's full-size chunks to `pool`, for the next tables built on it; the table is then empty, and
   * must not be used again.
   */
  recycle(pool: ChunkPool): void {
    for (const column of this.#columns()) column.recycle(pool);
    this.#length = 0;
    this.#room = 0;
  }

  #columns(): Array<ChunkedColumn<TypedArray>> {
    return [this.#symbol, this.#minute, this.#line, ...this.#mantissa, ...this.#scale];
  }

  get length(): number {
    return this.#length;
  }

  /** The table's memory (see {@link TransferredTable}); once transferred, this table must not be used. */
  toTransfer(): TransferredTable {
    return {
      symbols: this.symbols,
      length: this.#length,
      symbol: this.#symbol.buffers(),
      minute: this.#minute.buffers(),
      line: this.#line.buffers(),
      mantissa: this.#mantissa.map((column) => column.buffers()),
      scale: this.#scale.map((column) => column.buffers()),
      overflow: [...this.#overflow],
    };
  }

  /** The buffers of a transferred table, for postMessage's transfer list. */
  static transferList(table: TransferredTable): ArrayBuffer[] {
    return [table.symbol, table.minute, table.line, ...table.mantissa, ...table.scale].flat();
  }

  /** The table another thread made {@link toTransfer} of. */
  static fromTransfer(transferred: TransferredTable): BarTable {
    const table = new BarTable();
    for (const symbol of transferred.symbols) table.symbolId(symbol);
    table.#length = transferred.length;
    table.#symbol.adopt(transferred.symbol);
    table.#minute.adopt(transferred.minute);
    table.#line.adopt(transferred.line);
    transferred.mantissa.forEach((buffers, i) => table.#mantissa[i]!.adopt(buffers));
    transferred.scale.forEach((buffers, i) => table.#scale[i]!.adopt(buffers));
    for (const [key, text] of transferred.overflow) table.#overflow.set(key, text);
    return table;
  }

  /** The id of a symbol the table has been given, or -1 for one it has not. */
  knownSymbolId(symbol: string): number {
    return this.#symbolIds.get(symbol) ?? -1;
  }

  /** The id of a symbol, a new one for a symbol the table has not been given before. */
  symbolId(symbol: string): number {
    let id = this.#symbolIds.get(symbol);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbols.push(symbol);
      this.#symbolIds.set(symbol, id);
    }
    return id;
  }

  /** Starts a row; fill its five values with {@link setScannedValue} before starting the next. */
  addRow(symbolId: number, minute: number, line: number): number {
    const row = this.#length++;
    this.#symbol.set(row, symbolId);
    this.#minute.set(row, minute);
    this.#line.set(row, line);
    return row;
  }

  /**
   * Adds a row with its five values as scanned: `mantissas` and `scales` in column order (OPEN to VOLUME), a
   * value that overflowed the fast form (OVERFLOW_SCALE) then given its text with {@link setOverflowText}. The
   * reader's way (42 million rows at the seed's scale): every column has a row wherever one does, so one check of
   * room serves the 13 columns, where {@link addRow} and {@link setValue} check each.
   */
  addScannedRow(
    symbolId: number,
    minute: number,
    line: number,
    mantissas: Float64Array,
    scales: Int16Array,
  ): number {
    const row = this.#length;
    if (row >= this.#room) {
      // Past the room every column has: each column makes its own (a first chunk taken from a pool, or doubled).
      this.addRow(symbolId, minute, line);
      for (let column = 0; column < 5; column++) {
        this.#mantissa[column]!.set(row, mantissas[column]!);
        this.#scale[column]!.set(row, scales[column]!);
      }
      this.#room = Math.min(...this.#columns().map((column) => column.capacity()));
      return row;
    }
    const chunk = row >>> CHUNK_BITS;
    const at = row & CHUNK_MASK;
    this.#length++;
    this.#symbol.chunks[chunk]![at] = symbolId;
    this.#minute.chunks[chunk]![at] = minute;
    this.#line.chunks[chunk]![at] = line;
    for (let column = 0; column < 5; column++) {
      this.#mantissa[column]!.chunks[chunk]![at] = mantissas[column]!;
      this.#scale[column]!.chunks[chunk]![at] = scales[column]!;
    }
    return row;
  }

  /** The text of a value {@link addScannedRow} stored as overflowed. */
  setOverflowText(row: number, column: number, text: string): void {
    this.#overflow.set(row * 5 + column, text.trim());
  }

  /** Stores a value of a row as a decimal: mantissa × 10^-scale, or its text when it overflowed that form. */
  setValue(row: number, column: number, mantissa: number, scale: number, text: string | undefined): void {
    this.#mantissa[column]!.set(row, mantissa);
    this.#scale[column]!.set(row, scale);
    if (scale === OVERFLOW_SCALE) this.#overflow.set(row * 5 + column, text!.trim());
  }

  /** Stores the decimal last scanned by `scanDecimal` (its text is needed only if it overflowed). */
  setScannedValue(row: number, column: number, text: string): void {
    this.setValue(row, column, scanned.mantissa, scanned.scale, text);
  }

  // The getters index the chunks themselves rather than through a method of ChunkedColumn: one such function read
  // Float64Array, Uint32Array and Int8Array chunks alike, and its element loads, polymorphic, were not inlined
  // into the rules, which read three values a bar (42 million bars at the seed's scale). Each getter here
  // reads one kind.
  symbolOf(row: number): number {
    return this.#symbol.chunks[row >>> CHUNK_BITS]![row & CHUNK_MASK]!;
  }

  minute(row: number): number {
    return this.#minute.chunks[row >>> CHUNK_BITS]![row & CHUNK_MASK]!;
  }

  line(row: number): number {
    return this.#line.chunks[row >>> CHUNK_BITS]![row & CHUNK_MASK]!;
  }

  /** The value as a double (correctly rounded). */
  value(row: number, column: number): number {
    const mantissa = this.mantissa(row, column);
    const scale = this.scale(row, column);
    if (scale === OVERFLOW_SCALE) return Number(this.#overflow.get(row * 5 + column));
    return valueOf(mantissa, scale);
  }

  mantissa(row: number, column: number): number {
    return this.#mantissa[column]!.chunks[row >>> CHUNK_BITS]![row & CHUNK_MASK]!;
  }

  scale(row: number, column: number): number {
    return this.#scale[column]!.chunks[row >>> CHUNK_BITS]![row & CHUNK_MASK]!;
  }

  /** The value's text, when it overflowed the fast form. */
  overflowText(row: number, column: number): string | undefined {
    return this.#overflow.get(row * 5 + column);
  }

  exact(row: number, column: number): ExactDecimal {
    return exactOf(this.mantissa(row, column), this.scale(row, column), this.overflowText(row, column));
  }

  /** The value written back as decimal text that reads back to the same value. */
  text(row: number, column: number): string {
    const scale = this.scale(row, column);
    return scale === OVERFLOW_SCALE
      ? this.overflowText(row, column)!
      : formatDecimal(this.mantissa(row, column), scale);
  }
}
