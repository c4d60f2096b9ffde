/**
 * The load proof (`npm run test:soak`): 40 objects, about 750,000 bars, dropped at once into a stack of its own
 * (bench/isolatedStack.ts, ports 10 200 above the defaults, state in .bench/stack-soak-load) must come out as
 * exactly the alerts `detect` finds in the same files, with every ingestion report complete, and no component's
 * processes may grow past its bound. It is `npm run bench:pipeline`'s run without the ceiling; it prints the
 * same figures (the dispatcher's lag over time, each component's peak memory).
 */
import { describe, expect, it } from 'vitest';
import { benchPlacement } from '../../bench/isolatedStack.js';
import { benchPipeline, printPipeline, type PipelineFigures } from '../../bench/pipeline.js';

/**
 * Peak resident memory (VmHWM, MiB) the application's processes may reach under this load: the functions a
 * 1 GiB instance, the two local stand-ins (the dispatcher for KafkaSource, the router for Eventarc) 512 MiB,
 * several times what they measured here (README, "Speed"). Kafka, the emulators and fake-gcs-server are
 * measured and printed, not bounded: they stand in for managed services, and the emulators' JVMs take heap as
 * they please (Firestore's grew past 6 GiB).
 */
const BOUNDS_MIB: Record<string, number> = {
  ingest: 1024,
  detect: 1024,
  notify: 1024,
  dispatcher: 512,
  router: 512,
};
const MEASURED_ONLY = ['kafka', 'firestore', 'pubsub', 'fake-gcs'];

describe('the pipeline under load', () => {
  let figures: PipelineFigures;

  it(
    'delivers exactly the alerts detect finds in 40 objects dropped at once, every report complete',
    { timeout: 900_000 },
    async () => {
      figures = await benchPipeline({ placement: benchPlacement('soak-load', 200), ceiling: false });
      printPipeline(figures);
      const [run] = figures.runs;
      expect(figures.files).toBe(40);
      expect(run!.verdict).toEqual({ verdict: 'ALL-DELIVERED', count: figures.expected });
      expect(run!.incomplete).toEqual([]);
      // The lag was seen: records waited in Kafka, and it drained to nothing by idle.
      expect(Math.max(...run!.lag.map((sample) => sample.total))).toBeGreaterThan(0);
      expect(run!.lag.at(-1)!.total).toBe(0);
    },
  );

  it('keeps every component within its memory bound', () => {
    expect(figures, 'the load run did not finish').toBeDefined();
    const peaks = Object.fromEntries(
      Object.entries(figures.runs[0]!.memory).map(([name, { peakMiB }]) => [name, Math.round(peakMiB)]),
    );
    expect(Object.keys(peaks).sort()).toEqual([...Object.keys(BOUNDS_MIB), ...MEASURED_ONLY].sort());
    for (const [name, bound] of Object.entries(BOUNDS_MIB)) {
      expect(peaks[name], `${name}: peak ${peaks[name]} MiB, bound ${bound} MiB`).toBeLessThanOrEqual(bound);
    }
  });
});
