/**
 * One reading shared by every caller for `maxAgeMs`: each open health page polls every few seconds, and each
 * reading costs Kafka a consumer join and Firestore a read of every state and ingestion, whoever asks.
 */
export function sharedReading<T>(read: () => Promise<T>, maxAgeMs: number, now = () => Date.now()) {
  let last: { at: number; reading: Promise<T> } | undefined;
  return (): Promise<T> => {
    if (last === undefined || now() - last.at >= maxAgeMs) {
      const reading = read();
      last = { at: now(), reading };
      // A failed reading is not kept: the next caller tries again.
      reading.catch(() => {
        if (last?.reading === reading) last = undefined;
      });
    }
    return last.reading;
  };
}
