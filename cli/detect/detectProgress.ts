/**
 * `detect`'s progress bar on a terminal, for a long run: the objects and bars done, bars a second and the time
 * left. The bar moves with the bytes read (known for every file before the run starts, where the bars are not),
 * so the time left is the bytes left at the pace so far.
 */
import type { SingleBar } from 'cli-progress';

/** Input larger than this gets a progress bar on a terminal. */
export const PROGRESS_BYTES = 32 << 20;

export class DetectProgress {
  readonly #bar: SingleBar;
  readonly #started = performance.now();
  #bytes = 0;
  #totalBytes: number;
  #objects = 0;
  #totalObjects: number;
  #bars = 0;

  constructor(bar: SingleBar, totalBytes: number, objects: number) {
    this.#bar = bar;
    this.#totalBytes = totalBytes;
    this.#totalObjects = objects;
    bar.start(megabytes(totalBytes), 0, this.#payload(''));
  }

  /**
   * The bar on `stream` when it is a terminal and the input is large enough to be worth one (and `wanted`,
   * i.e. not `--no-progress`); undefined otherwise. cli-progress is loaded only then.
   */
  static async start(
    stream: NodeJS.WritableStream & { isTTY?: boolean },
    wanted: boolean,
    totalBytes: number,
    objects: number,
    minimumBytes = PROGRESS_BYTES,
  ): Promise<DetectProgress | undefined> {
    if (!wanted || stream.isTTY !== true || totalBytes <= minimumBytes) return undefined;
    const { SingleBar } = await import('cli-progress');
    const bar = new SingleBar({
      stream,
      format:
        'detecting {bar} {percentage}% | {objects}/{totalObjects} objects | {bars} bars | {rate} bars/s | ' +
        'ETA {eta_formatted} | {file}',
      hideCursor: true,
      etaBuffer: 20,
    });
    return new DetectProgress(bar, totalBytes, objects);
  }

  /** Bytes read (of any object, as they are read). */
  read(bytes: number): void {
    this.#bytes += bytes;
    this.#bar.update(megabytes(this.#bytes), this.#payload());
  }

  /** An object done (detected, or rejected): its accepted bars. */
  objectDone(object: string, bars: number): void {
    this.#objects++;
    this.#bars += bars;
    this.#bar.update(megabytes(this.#bytes), this.#payload(object));
  }

  /** More to do: files read a second time for the symbols out of order. */
  more(bytes: number, objects: number): void {
    this.#totalBytes += bytes;
    this.#totalObjects += objects;
    this.#bar.setTotal(megabytes(this.#totalBytes));
    this.#bar.update(megabytes(this.#bytes), this.#payload());
  }

  stop(): void {
    this.#bar.update(megabytes(this.#totalBytes), this.#payload());
    this.#bar.stop();
  }

  #payload(file?: string): Record<string, string | number> {
    const seconds = (performance.now() - this.#started) / 1000;
    return {
      objects: this.#objects.toLocaleString('en-US'),
      totalObjects: this.#totalObjects.toLocaleString('en-US'),
      bars: this.#bars.toLocaleString('en-US'),
      rate: seconds > 0 ? Math.round(this.#bars / seconds).toLocaleString('en-US') : '0',
      ...(file === undefined ? {} : { file }),
    };
  }
}

function megabytes(bytes: number): number {
  return Math.ceil(bytes / 1e6);
}
