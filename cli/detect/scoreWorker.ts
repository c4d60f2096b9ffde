/**
 * A scoring worker of `detect --episodes`: once every object is in and the market's minutes are complete, scores
 * the episodes set aside (episodeSpill.ts) a piece of a symbol's records at a time, and writes their lines, on a
 * thread of its own (scorePool.ts). It reads the market where the main thread left it, in shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { episodeScore } from '../../shared/core/suspicion/episodeScore.js';
import { PeerMarket } from '../../shared/core/suspicion/peerMarket.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { recordLines } from '../output/episodeLines.js';
import { LineBytes } from '../output/lineBytes.js';
import { sendableError } from './readMessages.js';
import type { ScoreReply, ScoreSettings, ScoreWorkerRequest } from './scoreMessages.js';

const port = parentPort!;
const settings = workerData as ScoreSettings;
const market = PeerMarket.fromShared(settings.market);
const score = (figures: EpisodeFigures) => episodeScore(figures, market.viewOf(figures.symbol), true);
const lines = new LineBytes();

port.on('message', (request: ScoreWorkerRequest) => {
  if (request.type === 'stop') {
    port.close();
    return;
  }
  try {
    for (const line of recordLines(request.symbol, request.records, score, settings.csv)) lines.add(line);
    // Encoded here rather than on the main thread, which only writes the bytes out; in a buffer it can move: the one
    // handed back with the request when they fit.
    const bytes = lines.take(request.room);
    port.postMessage({ id: request.id, ok: true, bytes } satisfies ScoreReply, [bytes.buffer]);
  } catch (error) {
    lines.clear();
    port.postMessage({ id: request.id, ok: false, error: sendableError(error) } satisfies ScoreReply);
  }
});
