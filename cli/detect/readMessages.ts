/**
 * What the read workers and `detect`'s main thread say to each other, and how an object's bars and a failure
 * cross between threads. Bars go as their table's ArrayBuffers, transferred (moved, not copied, and no object
 * per bar); errors go as plain values and are rebuilt as the class they were, because the main thread tells a
 * rejected object from a bug by class (isProgrammingError, ObjectRejectedError's missingColumns), and
 * structured cloning keeps only the built-in error classes.
 */
import { BarTable, type TransferredTable } from '../../shared/core/barTable.js';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import type { ReaderClock } from '../../shared/core/readerClock.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import { ObjectRejectedError, type QualityReport, type SetAsideRow } from '../../shared/core/report.js';
import type { SymbolLines } from './findingRecords.js';

/** Given to each worker when it starts. */
export interface ReadSettings {
  timezone: string;
  limits: IngestLimits;
  /** The command's clock, the same for every object it reads. */
  clock: ReaderClock;
  /** How the worker writes alert lines, when it is asked to (see findingRecords.ts). */
  lines?: LineSettings;
}

export interface LineSettings {
  format: 'jsonl' | 'csv';
  /** Where each worker writes its file of lines; the main thread reads and deletes them. */
  directory: string;
  /** Where the lines of a complete symbol may go straight, in turn (outputTurn.ts), instead. */
  output?: StraightOutput;
}

export interface StraightOutput {
  /** The output's file descriptor: a file or a device, written synchronously (context.ts, syncOutputFd). */
  fd: number;
  /** An OutputTurn's memory. */
  turn: SharedArrayBuffer;
}

/** Read an object. */
export interface ReadRequest {
  type: 'read';
  id: number;
  file: string;
  object: string;
}

/** Write the alert lines of what the rules found in an object this worker read; its table comes back. */
export interface FormatRequest {
  type: 'format';
  id: number;
  object: string;
  table: TransferredTable;
  records: Float64Array;
  /**
   * The place in the output of the object's one symbol, when this object is the last to hold it: its lines go
   * straight to the output if it is their turn when the worker comes to them.
   */
  ticket?: number;
}

/** Nothing more to do: the worker closes its port and ends. */
export interface StopRequest {
  type: 'stop';
}

export type WorkerRequest = ReadRequest | FormatRequest | StopRequest;

export interface TransferredBars {
  report: QualityReport;
  table: TransferredTable;
  runs: Array<{ symbol: string; rows: Uint32Array }>;
  setAside: SetAsideRow[];
}

export type WorkerReply =
  | { id: number; ok: true; bars: TransferredBars; bytes: number }
  | { id: number; ok: true; file: string; lines: SymbolLines[]; records: Float64Array }
  | { id: number; ok: false; error: SentError };

/** An object's bars as a message, and the buffers to transfer with it. */
export function sendableBars(bars: ObjectBars): { bars: TransferredBars; transfer: ArrayBuffer[] } {
  const table = bars.table.toTransfer();
  const runs = bars.runs.map((run) => ({ symbol: run.symbol, rows: run.rows }));
  // A Set: a buffer may be listed once only.
  const transfer = new Set([
    ...BarTable.transferList(table),
    ...runs.map((run) => run.rows.buffer as ArrayBuffer),
  ]);
  return { bars: { report: bars.report, table, runs, setAside: bars.setAside }, transfer: [...transfer] };
}

export function receivedBars(bars: TransferredBars): ObjectBars {
  return {
    report: bars.report,
    table: BarTable.fromTransfer(bars.table),
    runs: bars.runs,
    setAside: bars.setAside,
  };
}

/** A failure as a plain value: what the main thread needs to report it as it would have on its own. */
export interface SentError {
  /** `rejected`: an ObjectRejectedError; `builtin`: one of JavaScript's own classes; `other`: any other. */
  kind: 'rejected' | 'builtin' | 'other';
  /** For `builtin`: the nearest of JavaScript's classes it is an instance of. */
  builtin?: string;
  name: string;
  message: string;
  stack?: string;
  /** A system error's code (ENOENT, EISDIR, ...). */
  code?: string;
  missingColumns?: string[];
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  ReferenceError,
  RangeError,
  SyntaxError,
  EvalError,
  URIError,
};

function builtinClassOf(error: Error): string | undefined {
  let prototype: unknown = Object.getPrototypeOf(error);
  while (prototype !== null && prototype !== undefined) {
    const name = (prototype as { constructor?: { name?: string } }).constructor?.name;
    if (name !== undefined && BUILTIN_ERRORS[name]?.prototype === prototype) return name;
    prototype = Object.getPrototypeOf(prototype);
  }
  return undefined;
}

export function sendableError(error: unknown): SentError {
  if (!(error instanceof Error)) return { kind: 'other', name: 'Error', message: String(error) };
  const { code } = error as NodeJS.ErrnoException;
  const base = {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' ? { code } : {}),
  };
  if (error instanceof ObjectRejectedError) {
    return {
      kind: 'rejected',
      ...base,
      ...(error.missingColumns ? { missingColumns: error.missingColumns } : {}),
    };
  }
  // The project's own classes (FinalError, ...) other than the rejection are not the reader's to throw.
  const builtin = builtinClassOf(error);
  return builtin === undefined ? { kind: 'other', ...base } : { kind: 'builtin', builtin, ...base };
}

/** The error a worker sent, as the class it was (the nearest built-in one for a class of its own). */
export function receivedError(sent: SentError): Error {
  let error: Error;
  if (sent.kind === 'rejected') error = new ObjectRejectedError(sent.message, sent.missingColumns);
  else {
    error = new (BUILTIN_ERRORS[sent.builtin ?? 'Error'] ?? Error)(sent.message);
    // A class of its own keeps its name (describeError shows it); the built-in's own name is the default.
    if (error.name !== sent.name) error.name = sent.name;
  }
  if (sent.stack !== undefined) error.stack = sent.stack;
  if (sent.code !== undefined) (error as NodeJS.ErrnoException).code = sent.code;
  return error;
}
