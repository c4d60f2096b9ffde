/**
 * A read worker of `detect`: reads, gunzips, parses, validates and sorts whole objects (readObject) on a
 * thread of its own, one at a time in the order asked, and hands back each object's bars (transferred) or
 * why it yielded none. The rules stay on the main thread, which takes the objects in the order given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readObject } from '../../shared/core/readObject.js';
import { ZoneOffsets } from '../../shared/core/timestamp.js';
import { fileChunks } from '../fileChunks.js';
import {
  sendableBars,
  sendableError,
  type ReadReply,
  type ReadRequest,
  type ReadSettings,
} from './readMessages.js';

const port = parentPort!;
const settings = workerData as ReadSettings;
// The main thread has checked the zone already (compileSettings).
const zone = new ZoneOffsets(settings.timezone);

async function read(request: ReadRequest): Promise<void> {
  let bytes = 0;
  try {
    const bars = await readObject(fileChunks(request.file), {
      objectName: request.object,
      zone,
      limits: settings.limits,
      onBytes: (n) => (bytes += n),
    });
    const { bars: message, transfer } = sendableBars(bars);
    port.postMessage({ id: request.id, ok: true, bars: message, bytes } satisfies ReadReply, transfer);
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: sendableError(error) } satisfies ReadReply);
  }
}

// One object at a time: readObject awaits between chunks, and two reads interleaved would hold two objects.
let queue = Promise.resolve();
port.on('message', (request: ReadRequest) => {
  queue = queue.then(() => read(request));
});
