/**
 * Detection over whole objects in sequence, state carried from one to the next: what the batch CLI does,
 * and the reference the event-driven pipeline must match.
 *
 * Contract §2 makes each symbol's alerts those of its accepted bars in minute order, whatever order the objects
 * come in. Objects usually come in order (one per symbol, or in time order), and then one pass detects each bar
 * as it comes. A symbol that meets a bar not after its latest minute is *disordered*: the first pass stops
 * detecting it there, and a second pass (arrivalReplay.ts) is given the objects that hold such symbols again,
 * replays their arrival and detects each such symbol from scratch. Its first-pass alerts must then be withdrawn
 * from wherever they went (the caller's collector), and the second pass's put in their place.
 */
import { alertOf, type Alert } from './alert.js';
import type { AlertSource, Finding } from './finding.js';
import type { DetectionConfig } from './detectionParameters.js';
import type { ObjectBars } from './objectIntake.js';
import { ArrivalReplay, type AddedObject } from './arrivalReplay.js';
import { emptyCounts, SymbolDetector, type BarObserver, type DetectionCounts } from './rules.js';
import type { SymbolState } from './symbolState.js';

/** Where alerts go: each symbol's in minute order; symbols may interleave across objects. */
export interface AlertCollector {
  /** A bar the rules fired on; the record is refilled for the next one (see {@link Finding}). */
  found(finding: Finding): void;
}

/** Symbols in code-unit order, the order alerts are written in. */
export function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Keeps the alerts themselves, by symbol: fine for thousands (see the CLI's text collector for millions). */
export class AlertsBySymbol implements AlertCollector {
  readonly #alerts = new Map<string, Alert[]>();

  found(finding: Finding): void {
    this.add(alertOf(finding));
  }

  add(alert: Alert): void {
    let alerts = this.#alerts.get(alert.symbol);
    if (alerts === undefined) {
      alerts = [];
      this.#alerts.set(alert.symbol, alerts);
    }
    alerts.push(alert);
  }

  /** Forgets a symbol's alerts so far (a disordered symbol's, to be detected again from scratch). */
  withdraw(symbol: string): void {
    this.#alerts.delete(symbol);
  }

  /**
   * All alerts, by symbol then time. Per symbol they are already in time order: a symbol's bars are detected in
   * minute order, in one pass or the other.
   */
  *sorted(): Generator<Alert> {
    for (const symbol of sortedKeys(this.#alerts)) yield* this.#alerts.get(symbol)!;
  }
}

/** One symbol as the first pass sees it. */
interface SymbolSeries {
  detector: SymbolDetector;
  /** The latest minute detected. */
  latest: number;
  /** The index of the object in which a bar came not after `latest` (-1: none so far). */
  disorderedAt: number;
  /** Whether its detector resumed from a saved state: its earlier bars are not here to detect again. */
  resumed: boolean;
}

export class ObjectSeriesDetection {
  readonly #config: DetectionConfig;
  readonly #collector: AlertCollector;
  /** One callback for every run: a new one per object made V8 recompile the rules' loop. */
  readonly #found: (finding: Finding) => void;
  readonly #series = new Map<string, SymbolSeries>();
  /** Every object added, by index: where its bars came from and its counts. */
  readonly #objects: AddedObject[] = [];
  #replay: ArrivalReplay | undefined;
  /** Whether the disordered symbols have been detected again. */
  #replayed = false;

  /**
   * @param collector where alerts go (default: kept in memory, read back with {@link alerts})
   * @param states symbol states to resume from (as saved by {@link states})
   * @param observe an observer for each symbol's processed bars, asked for again when a disordered symbol is
   *   detected from scratch (the earlier one's bars then no longer count)
   * @param takeBack an observer shown again, in the same order, the bars a disordered symbol's first observer
   *   was shown, before it is detected from scratch (to take back what that observer made of them)
   */
  constructor(
    config: DetectionConfig,
    collector: AlertCollector = new AlertsBySymbol(),
    states?: ReadonlyMap<string, SymbolState>,
    private readonly observe?: (symbol: string) => BarObserver,
    private readonly takeBack?: (symbol: string) => BarObserver,
  ) {
    this.#config = config;
    this.#collector = collector;
    this.#found = (finding) => collector.found(finding);
    for (const [symbol, state] of states ?? []) {
      this.#series.set(symbol, {
        detector: new SymbolDetector(symbol, config, state),
        latest: state.lastMinute ?? -Infinity,
        disorderedAt: -1,
        resumed: true,
      });
    }
  }

  /**
   * Runs the rules over an object's bars, after everything added before; the object's index is the number of
   * objects added before it.
   * @returns the object's counts: final, unless one of its symbols is disordered, when {@link finishReplay}
   *   fixes them in place
   */
  addObject(bars: ObjectBars, source: AlertSource = { object: bars.report.object }): DetectionCounts {
    if (this.#replay !== undefined || this.#replayed) {
      throw new TypeError('an object added after the disordered symbols were given again');
    }
    const index = this.#objects.length;
    const counts = emptyCounts();
    this.#objects.push({ source, counts });
    const table = bars.table;
    for (const run of bars.runs) {
      let series = this.#series.get(run.symbol);
      if (series === undefined) {
        series = {
          detector: new SymbolDetector(run.symbol, this.#config, undefined, this.observe?.(run.symbol)),
          latest: -Infinity,
          disorderedAt: -1,
          resumed: false,
        };
        this.#series.set(run.symbol, series);
      }
      if (series.disorderedAt >= 0) continue;
      // A run is in ascending minute order: it is in order when its first bar is after the latest minute.
      if (!(table.minute(run.rows[0]!) > series.latest)) {
        series.disorderedAt = index;
        continue;
      }
      series.detector.run(table, run.rows, source, counts, this.#found);
      series.latest = table.minute(run.rows[run.rows.length - 1]!);
    }
    return counts;
  }

  /** The symbols that met a bar not after their latest minute, in code-unit order: to be detected again. */
  disorderedSymbols(): string[] {
    const symbols: string[] = [];
    for (const [symbol, series] of this.#series) if (series.disorderedAt >= 0) symbols.push(symbol);
    return symbols.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * The second pass: an object added before, given again as `index` (its place among the objects added). Give
   * every object that holds a disordered symbol, in the order they were added; the others may be left out.
   */
  replayObject(index: number, bars: ObjectBars): void {
    this.#replayOf().addObject(index, bars);
  }

  /**
   * Detects each disordered symbol from scratch, its accepted bars in minute order, into `collector` (which
   * must not hold the symbol's first-pass alerts any more: see {@link disorderedSymbols}), and fixes the counts
   * of the objects that hold it.
   */
  finishReplay(collector: AlertCollector = this.#collector): void {
    const detectors = this.#replayOf().detect(collector);
    for (const [symbol, detector] of detectors) {
      const series = this.#series.get(symbol)!;
      series.detector = detector;
    }
    this.#replay = undefined;
    this.#replayed = true;
  }

  #replayOf(): ArrivalReplay {
    if (this.#replay !== undefined) return this.#replay;
    if (this.#replayed) throw new TypeError('the disordered symbols were detected again already');
    const disordered = new Map<string, number>();
    for (const [symbol, series] of this.#series) {
      if (series.disorderedAt < 0) continue;
      if (series.resumed) {
        throw new TypeError(
          `${symbol} resumed from a saved state: its earlier bars cannot be detected again`,
        );
      }
      disordered.set(symbol, series.disorderedAt);
    }
    this.#replay = new ArrivalReplay(this.#config, disordered, this.#objects, this.observe, this.takeBack);
    return this.#replay;
  }

  /** All alerts, by symbol then time, when the default collector keeps them. */
  alerts(): Generator<Alert> {
    if (!(this.#collector instanceof AlertsBySymbol)) throw new TypeError('alerts went to another collector');
    const disordered = this.disorderedSymbols();
    if (disordered.length > 0 && !this.#replayed) {
      throw new TypeError(`disordered symbols not detected again yet: ${disordered.join(', ')}`);
    }
    return this.#collector.sorted();
  }

  /** Every symbol's state, to resume from later. */
  states(): Map<string, SymbolState> {
    return new Map([...this.#series].map(([symbol, series]) => [symbol, series.detector.toState()]));
  }
}
