/** The ways `detect` and `alerts` write alerts on stdout: JSON lines, CSV, or a table for people. */
import { createRequire } from 'node:module';
import type { Alert } from '../../shared/core/alert.js';
import { AlertsBySymbol, sortedKeys, type AlertCollector } from '../../shared/core/objectSeriesDetection.js';
import type { Finding } from '../../shared/core/finding.js';
import { CSV_LAYOUT } from './alertCsv.js';
import { JSON_LAYOUT } from './alertJson.js';
import { AlertLineWriter, type AlertLayout } from './alertLines.js';
import type { ByteTarget } from './byteText.js';
import { SpillFile, type Kept } from './spillFile.js';

export const ALERT_FORMATS = ['jsonl', 'csv', 'table'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export function isAlertFormat(value: string): value is AlertFormat {
  return (ALERT_FORMATS as readonly string[]).includes(value);
}

/**
 * Collects alerts, from detection (as findings) or read back (as records), and writes them out in one format,
 * by symbol then time.
 */
export interface AlertOutput extends AlertCollector {
  add(alert: Alert): void;
  /**
   * Where others (read workers) may write lines in this output's format, in files of their own: a directory
   * this output deletes on {@link close}.
   */
  linesDirectory(): string;
  /** Lines of one symbol written elsewhere (a worker's, into `file` at `offset`), after its lines so far. */
  addWritten(symbol: string, file: string, offset: number, length: number): void;
  /** Forgets a symbol's alerts so far: they are detected again (see objectSeriesDetection.ts). */
  withdraw(symbol: string): void;
  /**
   * The lines of a symbol that no object still to come holds, to be written out now, after those of every symbol
   * before it in the output's order ({@link chunks} leaves them out); a symbol given lines afterwards is a bug.
   */
  linesOf(symbol: string): Iterable<string | Uint8Array>;
  /** What comes before every symbol's lines (a CSV header), unless it is out already; nothing for a table. */
  header(): Iterable<Uint8Array>;
  chunks(): Iterable<string | Uint8Array>;
  /** Frees what the output kept (its temporary file). */
  close(): void;
}

/** A symbol's first buffer of lines; each next one doubles, up to {@link MAX_BUFFER_BYTES}. */
const FIRST_BUFFER_BYTES = 4 << 10;
const MAX_BUFFER_BYTES = 64 << 10;

/**
 * Alert lines kept as bytes per symbol, written straight into buffers outside the JavaScript heap (and beyond
 * a limit, in a temporary file): the batch CLI's output, and most of its work on a large input. A large
 * input's hundreds of thousands of alerts as strings would cost more to make than the detection, and the
 * garbage collector would copy them again and again.
 */
class LinesBySymbol implements AlertOutput {
  readonly #bySymbol = new Map<string, { done: Kept[]; current: ByteTarget }>();
  readonly #spill = new SpillFile();
  /** The symbols whose lines were written out early ({@link linesOf}). */
  readonly #writtenOut = new Set<string>();
  #headerOut = false;

  readonly #writer: AlertLineWriter;

  constructor(layout: AlertLayout) {
    this.#writer = new AlertLineWriter(layout);
  }

  found(finding: Finding): void {
    const target = this.#target(finding.symbol, this.#writer.maxFindingBytes(finding));
    this.#writer.writeFinding(finding, target);
  }

  add(alert: Alert): void {
    const target = this.#target(alert.symbol, this.#writer.maxBytes(alert));
    this.#writer.write(alert, target);
  }

  linesDirectory(): string {
    return this.#spill.directory();
  }

  addWritten(symbol: string, file: string, offset: number, length: number): void {
    const lines = this.#lines(symbol);
    const current = lines.current;
    if (current.length > 0) {
      lines.done.push(this.#spill.keep(current.bytes.subarray(0, current.length)));
      current.bytes = new Uint8Array(0);
      current.length = 0;
    }
    lines.done.push(this.#spill.written(file, offset, length));
  }

  /** The lines already in the temporary file stay there, unread, until it is deleted. */
  withdraw(symbol: string): void {
    this.#notWrittenOut(symbol);
    this.#bySymbol.delete(symbol);
  }

  *linesOf(symbol: string): Generator<Uint8Array> {
    yield* this.header();
    this.#notWrittenOut(symbol);
    this.#writtenOut.add(symbol);
    const lines = this.#bySymbol.get(symbol);
    if (lines === undefined) return;
    this.#bySymbol.delete(symbol);
    yield* this.#bytesOf(lines);
  }

  #notWrittenOut(symbol: string): void {
    if (this.#writtenOut.has(symbol))
      throw new Error(`${symbol}: its alerts were written out already (a bug)`);
  }

  #lines(symbol: string): { done: Kept[]; current: ByteTarget } {
    let lines = this.#bySymbol.get(symbol);
    if (lines === undefined) {
      // Only a symbol without lines can be one written out (linesOf takes them): checked here, not per alert.
      this.#notWrittenOut(symbol);
      lines = { done: [], current: { bytes: new Uint8Array(0), length: 0 } };
      this.#bySymbol.set(symbol, lines);
    }
    return lines;
  }

  /** The symbol's buffer, with at least `needed` bytes free. */
  #target(symbol: string, needed: number): ByteTarget {
    const lines = this.#lines(symbol);
    const current = lines.current;
    if (current.length + needed > current.bytes.length) {
      if (current.length > 0) lines.done.push(this.#spill.keep(current.bytes.subarray(0, current.length)));
      const size = Math.min(MAX_BUFFER_BYTES, Math.max(FIRST_BUFFER_BYTES, 2 * current.bytes.length));
      current.bytes = Buffer.allocUnsafeSlow(Math.max(size, needed));
      current.length = 0;
    }
    return current;
  }

  *chunks(): Generator<Uint8Array> {
    yield* this.header();
    for (const symbol of sortedKeys(this.#bySymbol)) yield* this.#bytesOf(this.#bySymbol.get(symbol)!);
  }

  /** The layout's header, the first time only. */
  *header(): Generator<Uint8Array> {
    if (this.#headerOut) return;
    this.#headerOut = true;
    if (this.#writer.layout.header !== undefined) yield this.#writer.layout.header;
  }

  *#bytesOf(lines: { done: Kept[]; current: ByteTarget }): Generator<Uint8Array> {
    for (const kept of lines.done) yield* this.#spill.read(kept);
    if (lines.current.length > 0) yield lines.current.bytes.subarray(0, lines.current.length);
  }

  close(): void {
    this.#spill.close();
  }
}

class AlertTable implements AlertOutput {
  readonly #alerts = new AlertsBySymbol();

  found(finding: Finding): void {
    this.#alerts.found(finding);
  }

  add(alert: Alert): void {
    this.#alerts.add(alert);
  }

  linesDirectory(): string {
    throw new TypeError('a table is made of alerts, not of lines');
  }

  addWritten(): void {
    throw new TypeError('a table is made of alerts, not of lines');
  }

  withdraw(symbol: string): void {
    this.#alerts.withdraw(symbol);
  }

  linesOf(): never {
    throw new TypeError('a table is written whole, at the end');
  }

  *header(): Generator<Uint8Array> {}

  *chunks(): Generator<string> {
    yield formatTable([...this.#alerts.sorted()]);
  }

  close(): void {}
}

export function alertOutput(format: AlertFormat): AlertOutput {
  switch (format) {
    case 'jsonl':
      return new LinesBySymbol(JSON_LAYOUT);
    case 'csv':
      return new LinesBySymbol(CSV_LAYOUT);
    case 'table':
      return new AlertTable();
  }
}

/** Loaded only for a table: the JSON and CSV outputs start faster without it. */
function tableClass(): typeof import('cli-table3') {
  return createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
}

function formatTable(alerts: Alert[]): string {
  if (alerts.length === 0) return 'No alerts.\n';
  const Table = tableClass();
  const table = new Table({
    head: ['symbol', 'time (UTC)', 'rules', 'close', 'change %', 'volume', 'window avg', 'ratio', 'source'],
    style: { head: [], border: [] },
  });
  for (const alert of alerts) {
    table.push([
      alert.symbol,
      alert.timestamp.replace('T', ' ').replace(/:00Z$/, ''),
      alert.rules.join(' '),
      alert.close,
      alert.a1 ? signed(alert.a1.changePct.toFixed(3)) : '',
      alert.volume,
      alert.a2 ? alert.a2.avgVolume.toFixed(1) : '',
      alert.a2?.volumeRatio != null ? `${alert.a2.volumeRatio.toFixed(2)}×` : alert.a2 ? '∞' : '',
      `${alert.source.object}:${alert.source.line}`,
    ]);
  }
  return `${table.toString()}\n${alerts.length} alerts\n`;
}

function signed(text: string): string {
  return text.startsWith('-') ? text : `+${text}`;
}
