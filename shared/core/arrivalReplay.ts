/**
 * The second pass of detection over whole objects (objectSeriesDetection.ts) for the symbols whose bars did not
 * arrive in minute order: their objects are given again, in the order they first came, and each bar's arrival
 * is replayed to classify it (contract §2): too late, a repeat, or accepted (late when before its symbol's latest
 * minute so far). Each symbol's accepted bars are then sorted by minute and detected from scratch, so that its
 * alerts and episodes are those of its bars in minute order, whatever order the objects came in.
 *
 * Only these symbols' accepted bars are held, copied out of each object's table: the object itself is dropped as
 * soon as it has been gone through.
 */
import { BarTable } from './barTable.js';
import type { DetectionConfig } from './detectionParameters.js';
import type { AlertSource, Finding } from './finding.js';
import { MinuteSet } from './minuteSet.js';
import type { ObjectBars } from './objectIntake.js';
import { emptyCounts, SymbolDetector, type BarObserver, type DetectionCounts } from './rules.js';
import { sortByMinute } from './sortByMinute.js';

/** An object as the first pass took it: where its bars came from, and its counts (fixed here in place). */
export interface AddedObject {
  source: AlertSource;
  counts: DetectionCounts;
}

/** One symbol's bars as they arrive again. */
class SymbolArrivals {
  /** The minutes of the symbol's accepted bars so far. */
  readonly seen = new MinuteSet();
  /** The latest of them. */
  latest = -Infinity;
  /** The accepted bars, copied, in arrival order; one symbol (id 0). */
  readonly table = new BarTable();
  /** Per row of the table: the index of the object that brought it. */
  readonly objects: number[] = [];
  /**
   * The first pass's detector, run again over the bars the first pass detected (those of the objects before
   * `disorderedAt`) to know what it counted for each, and take that back.
   */
  readonly firstPass: SymbolDetector;

  constructor(
    readonly symbol: string,
    /** The index of the object in which the first pass met the symbol out of order. */
    readonly disorderedAt: number,
    config: DetectionConfig,
    takeBack: BarObserver | undefined,
  ) {
    this.table.symbolId(symbol);
    this.firstPass = new SymbolDetector(symbol, config, undefined, takeBack);
  }
}

const ignoreFinding = (): void => {};

export class ArrivalReplay {
  readonly #config: DetectionConfig;
  readonly #objects: readonly AddedObject[];
  readonly #symbols = new Map<string, SymbolArrivals>();
  #lastIndex = -1;

  /**
   * @param disordered each symbol to replay, with the index of the object in which the first pass met it out
   *   of order (it detected the symbol's runs of the objects before that one, and none after)
   * @param objects every object the first pass took, by index
   * @param observe an observer for each symbol's bars as they are detected from scratch
   * @param takeBack an observer for each symbol's bars the first pass detected, shown to it again in the same
   *   order (to take back what the first pass's observer made of them)
   */
  constructor(
    config: DetectionConfig,
    disordered: ReadonlyMap<string, number>,
    objects: readonly AddedObject[],
    private readonly observe?: (symbol: string) => BarObserver,
    takeBack?: (symbol: string) => BarObserver,
  ) {
    this.#config = config;
    this.#objects = objects;
    for (const [symbol, disorderedAt] of disordered) {
      this.#symbols.set(symbol, new SymbolArrivals(symbol, disorderedAt, config, takeBack?.(symbol)));
    }
  }

  /**
   * Takes an object again: `index` is its place in the first pass. Every object that holds one of the symbols
   * must be given, in the first pass's order; the others may be left out.
   */
  addObject(index: number, bars: ObjectBars): void {
    if (!(index > this.#lastIndex && index < this.#objects.length)) {
      throw new RangeError(`object ${index} given out of order (after ${this.#lastIndex})`);
    }
    this.#lastIndex = index;
    const object = this.#objects[index]!;
    for (const run of bars.runs) {
      const arrivals = this.#symbols.get(run.symbol);
      if (arrivals === undefined) continue;
      if (index < arrivals.disorderedAt) this.#takeBackFirstPass(arrivals, bars, run.rows, object);
      this.#arrive(arrivals, bars, run.rows, index, object.counts);
    }
  }

  /** Subtracts from the object's counts what the first pass counted for this run. */
  #takeBackFirstPass(
    arrivals: SymbolArrivals,
    bars: ObjectBars,
    rows: Uint32Array,
    object: AddedObject,
  ): void {
    const counted = emptyCounts();
    arrivals.firstPass.run(bars.table, rows, object.source, counted, ignoreFinding);
    const counts = object.counts;
    for (const key of Object.keys(counted) as Array<keyof DetectionCounts>) counts[key] -= counted[key];
  }

  /** Classifies a run's bars (ascending, as an object's runs are) as they arrive, and keeps the accepted ones. */
  #arrive(
    arrivals: SymbolArrivals,
    bars: ObjectBars,
    rows: Uint32Array,
    index: number,
    counts: DetectionCounts,
  ): void {
    const { table } = bars;
    const horizon = this.#config.latenessHorizonMinutes;
    const kept = arrivals.table;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const minute = table.minute(row);
      // Too late is decided first: it needs only the latest minute, not the minutes seen long ago.
      if (minute < arrivals.latest - horizon) {
        counts.tooLate++;
        continue;
      }
      if (!arrivals.seen.add(minute)) {
        counts.repeats++;
        continue;
      }
      if (minute < arrivals.latest) counts.late++;
      else arrivals.latest = minute;
      const copy = kept.addRow(0, minute, table.line(row));
      for (let column = 0; column < 5; column++) {
        kept.setValue(
          copy,
          column,
          table.mantissa(row, column),
          table.scale(row, column),
          table.overflowText(row, column),
        );
      }
      arrivals.objects.push(index);
    }
  }

  /**
   * Detects each symbol's accepted bars in minute order, from scratch, into `collector` (symbol by symbol, in
   * code-unit order), counting them for the objects that brought them.
   * @returns each symbol's detector, as it stands after its last bar
   */
  detect(collector: { found(finding: Finding): void }): Map<string, SymbolDetector> {
    const found = (finding: Finding) => collector.found(finding);
    const detectors = new Map<string, SymbolDetector>();
    const symbols = [...this.#symbols.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const symbol of symbols) {
      const { table, objects } = this.#symbols.get(symbol)!;
      const rows = new Uint32Array(table.length);
      for (let row = 0; row < rows.length; row++) rows[row] = row;
      if (rows.length > 1) sortByMinute(table, rows);
      const detector = new SymbolDetector(symbol, this.#config, undefined, this.observe?.(symbol));
      // Consecutive bars of one object go in one run, with that object's source and counts.
      let start = 0;
      while (start < rows.length) {
        const index = objects[rows[start]!]!;
        let end = start + 1;
        while (end < rows.length && objects[rows[end]!] === index) end++;
        const { source, counts } = this.#objects[index]!;
        detector.run(table, rows.subarray(start, end), source, counts, found);
        start = end;
      }
      detectors.set(symbol, detector);
    }
    return detectors;
  }
}
