/**
 * A read worker of `detect`: reads, gunzips, parses, validates and sorts whole objects (readObject) on a
 * thread of its own and hands back each object's bars (transferred) or why it yielded none; then, asked to,
 * writes the alert lines of what the rules found in them into a file of its own (findingRecords.ts). The rules stay on the main
 * thread, which takes the objects in the order given. Requests are served one at a time, in the order asked.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { BarTable, ChunkPool } from '../../shared/core/barTable.js';
import { readObject } from '../../shared/objects/readObject.js';
import { ZoneOffsets } from '../../shared/core/timestamp.js';
import { fileChunks } from '../fileChunks.js';
import { CSV_LAYOUT } from '../output/alertCsv.js';
import { JSON_LAYOUT } from '../output/alertJson.js';
import { AlertLineWriter } from '../output/alertLines.js';
import { readSpan, writeAll } from '../output/fdBytes.js';
import { writeRecords, type SymbolLines } from './findingRecords.js';
import { OutputTurn } from './outputTurn.js';
import {
  sendableBars,
  sendableError,
  type FormatRequest,
  type ReadRequest,
  type ReadSettings,
  type WorkerReply,
  type WorkerRequest,
} from './readMessages.js';

/**
 * The lowest priority: where a read worker and the main thread share a core, CFS gives the main thread about 98% of
 * it (at 5, about three quarters). The reading waits on the main thread; when the main thread waits for a read, the
 * read workers have the cores. At the seed's scale the reading ended at about 44 s against 48 at nice 5.
 */
const READ_WORKER_NICE = 19;

/**
 * The most a worker keeps of tables done with (ChunkPool): a table of three years of a symbol (19.2 MB). A worker
 * alternates reading an object and writing the lines of one, so the next read takes what the last lines freed.
 */
const TABLE_POOL_BYTES = 20 << 20;

const port = parentPort!;
const settings = workerData as ReadSettings;
// The main thread runs the rules over the objects in order, and the reading is bound by it: where the cores are
// short (two read workers and the main thread on two cores), a read worker gives way to it. Linux keeps a nice
// value per thread, and 0 is the calling thread; elsewhere it would be the whole process.
if (process.platform === 'linux') {
  try {
    setPriority(0, READ_WORKER_NICE);
  } catch {
    // Only a help: a system that refuses it reads as before.
  }
}
// The main thread has checked the zone already (compileParameters).
const zone = new ZoneOffsets(settings.timezone);
const writer =
  settings.lines === undefined
    ? undefined
    : new AlertLineWriter(settings.lines.format === 'csv' ? CSV_LAYOUT : JSON_LAYOUT);

/**
 * The memory of the tables whose lines this worker wrote, for the next tables it reads: a worker reads an object, and
 * later writes its lines from the same table, handed back.
 */
const chunks = new ChunkPool(TABLE_POOL_BYTES);

async function read(request: ReadRequest): Promise<void> {
  let bytes = 0;
  const bars = await readObject(fileChunks(request.file), {
    objectName: request.object,
    zone,
    limits: settings.limits,
    clock: settings.clock,
    onBytes: (n) => (bytes += n),
    chunks,
  });
  const { bars: message, transfer } = sendableBars(bars);
  port.postMessage({ id: request.id, ok: true, bars: message, bytes } satisfies WorkerReply, transfer);
}

/** This worker's file of alert lines, in the directory the main thread gave (made when first written to). */
const linesFile =
  settings.lines === undefined ? undefined : join(settings.lines.directory, `lines-${threadId}`);
let linesFd: number | undefined;
let linesSize = 0;

function appendLines(bytes: Uint8Array): number {
  // Read too: lines whose turn comes while they are written go out from here (see format).
  linesFd ??= openSync(linesFile!, 'w+');
  const offset = linesSize;
  writeSync(linesFd, bytes, 0, bytes.length, offset);
  linesSize += bytes.length;
  return offset;
}

/**
 * The longest a worker waits for another to finish writing the symbol before its own straight out: that takes
 * a tenth of a second for three years of a symbol; past this, something holds it up, and the lines go to the file.
 */
const TURN_WAIT_MS = 2000;

/** Where the lines of a complete symbol go when it is their turn, and the turn. */
const straight =
  settings.lines?.output === undefined
    ? undefined
    : { fd: settings.lines.output.fd, turn: new OutputTurn(settings.lines.output.turn) };

/** Writes bytes to the output (writeRecords' `append`: the offset it gives back is of no use here). */
function writeOut(bytes: Uint8Array): number {
  writeAll(straight!.fd, bytes);
  return 0;
}

/** Room to copy lines from this worker's file to the output. */
const COPY_BYTES = 1 << 20;
let copyRoom: Buffer | undefined;

function copyOut(lines: SymbolLines[]): void {
  copyRoom ??= Buffer.allocUnsafe(COPY_BYTES);
  for (const [, spans] of lines) {
    for (let i = 0; i < spans.length; i += 2) {
      const end = spans[i]! + spans[i + 1]!;
      for (let offset = spans[i]!; offset < end; offset += COPY_BYTES) {
        const length = Math.min(COPY_BYTES, end - offset);
        readSpan(linesFd!, copyRoom, 0, offset, length);
        writeOut(copyRoom.subarray(0, length));
      }
    }
  }
}

function format(request: FormatRequest): void {
  const table = BarTable.fromTransfer(request.table);
  try {
    formatTable(table, request);
  } finally {
    // Its lines are written (or failed to be): its memory is the next read's.
    table.recycle(chunks);
  }
}

function formatTable(table: BarTable, request: FormatRequest): void {
  const { ticket } = request;
  const mayGoOut = straight !== undefined && ticket !== undefined;
  if (mayGoOut && straight.turn.take(ticket, TURN_WAIT_MS)) {
    // Every symbol before this one is out, and no one writes until the turn is passed on.
    writeRecords(table, request.records, request.object, writer!, writeOut);
    straight.turn.passOn(ticket);
    reply(request, []);
    return;
  }
  const lines = writeRecords(table, request.records, request.object, writer!, appendLines);
  if (mayGoOut && straight.turn.take(ticket, TURN_WAIT_MS)) {
    // The turn came while they were written (the symbol before went out meanwhile): they go out from the file
    // here, rather than wait for the main thread's copy, and the next symbol's lines may go straight out.
    copyOut(lines);
    straight.turn.passOn(ticket);
    reply(request, []);
    return;
  }
  reply(request, lines);
}

/** Where the lines of a format request are (none: they went out), and its records back, to be used again. */
function reply(request: FormatRequest, lines: SymbolLines[]): void {
  const { records } = request;
  port.postMessage({ id: request.id, ok: true, file: linesFile!, lines, records } satisfies WorkerReply, [
    records.buffer as ArrayBuffer,
  ]);
}

async function serve(request: ReadRequest | FormatRequest): Promise<void> {
  try {
    if (request.type === 'read') await read(request);
    else format(request);
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: sendableError(error) } satisfies WorkerReply);
  }
}

function stop(): void {
  if (linesFd !== undefined) closeSync(linesFd);
  port.close();
}

// One request at a time: readObject awaits between chunks, and two reads interleaved would hold two objects.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => (request.type === 'stop' ? stop() : serve(request)));
});
