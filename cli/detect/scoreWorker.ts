/**
 * A scoring worker of `detect --episodes`: once every object is in and the market's minutes are complete, scores
 * the episodes set aside (episodeSpill.ts) a piece of a symbol's records at a time, and writes their lines, on a
 * thread of its own (scorePool.ts). It reads the records from the spill's file, and the market where the main
 * thread left it, in shared memory.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { episodeScore } from '../../shared/core/suspicion/episodeScore.js';
import { PeerMarket } from '../../shared/core/suspicion/peerMarket.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { addRecordLines } from '../output/episodeLines.js';
import { LineBytes } from '../output/lineBytes.js';
import { readSpan } from '../output/fdBytes.js';
import { sendableError } from './readMessages.js';
import type { ScoreReply, ScoreSettings, ScoreWorkerRequest } from './scoreMessages.js';

const port = parentPort!;
const settings = workerData as ScoreSettings;
const market = PeerMarket.fromShared(settings.market);
const score = (figures: EpisodeFigures) => episodeScore(figures, market.viewOf(figures.symbol), true);
const lines = new LineBytes();
const fd = openSync(settings.file, 'r');
/** The records of a request, read from the file into room kept from request to request. */
let records = new Float64Array(1 << 17);

function recordsAt(spans: number[]): Float64Array {
  let length = 0;
  for (let i = 1; i < spans.length; i += 2) length += spans[i]!;
  if (length / 8 > records.length) records = new Float64Array(Math.max(length / 8, records.length * 2));
  const bytes = new Uint8Array(records.buffer, 0, length);
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    readSpan(fd, bytes, at, spans[i]!, spans[i + 1]!);
    at += spans[i + 1]!;
  }
  return records.subarray(0, length / 8);
}

port.on('message', (request: ScoreWorkerRequest) => {
  if (request.type === 'stop') {
    closeSync(fd);
    port.close();
    return;
  }
  try {
    addRecordLines(lines, request.symbol, recordsAt(request.spans), score, settings.csv);
    // Encoded here rather than on the main thread, which only writes the bytes out; in a buffer it can move: the one
    // handed back with the request when they fit.
    const bytes = lines.take(request.room);
    port.postMessage({ id: request.id, ok: true, bytes } satisfies ScoreReply, [bytes.buffer]);
  } catch (error) {
    lines.clear();
    port.postMessage({ id: request.id, ok: false, error: sendableError(error) } satisfies ScoreReply);
  }
});
