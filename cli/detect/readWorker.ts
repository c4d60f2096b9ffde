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
import { BarTable } from '../../shared/core/barTable.js';
import { readObject } from '../../shared/objects/readObject.js';
import { ZoneOffsets } from '../../shared/core/timestamp.js';
import { fileChunks } from '../fileChunks.js';
import { CSV_LAYOUT } from '../output/alertCsv.js';
import { JSON_LAYOUT } from '../output/alertJson.js';
import { AlertLineWriter } from '../output/alertLines.js';
import { writeRecords } from './findingRecords.js';
import {
  sendableBars,
  sendableError,
  type FormatRequest,
  type ReadRequest,
  type ReadSettings,
  type WorkerReply,
  type WorkerRequest,
} from './readMessages.js';

/** Below the main thread's 0: CFS then gives the main thread about three times a read worker's share. */
const READ_WORKER_NICE = 5;

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

async function read(request: ReadRequest): Promise<void> {
  let bytes = 0;
  const bars = await readObject(fileChunks(request.file), {
    objectName: request.object,
    zone,
    limits: settings.limits,
    clock: settings.clock,
    onBytes: (n) => (bytes += n),
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
  linesFd ??= openSync(linesFile!, 'w');
  const offset = linesSize;
  writeSync(linesFd, bytes, 0, bytes.length, offset);
  linesSize += bytes.length;
  return offset;
}

function format(request: FormatRequest): void {
  const table = BarTable.fromTransfer(request.table);
  const lines = writeRecords(table, request.records, request.object, writer!, appendLines);
  port.postMessage({ id: request.id, ok: true, file: linesFile!, lines } satisfies WorkerReply);
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
