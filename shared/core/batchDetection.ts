/**
 * Detection over whole objects in sequence, state carried from one to the next: what the batch CLI does,
 * and the reference the event-driven pipeline must match.
 */
import type { Alert, AlertSource } from './alert.js';
import type { DetectionConfig } from './detectionConfig.js';
import type { ObjectBars } from './objectIntake.js';
import { emptyCounts, SymbolDetector, type DetectionCounts } from './rules.js';
import type { SymbolState } from './symbolState.js';

/**
 * @typeParam T what is kept of each alert until the end: the alert itself, or its output text. Keeping
 *   text lets the alert objects die young, which halves the garbage collector's work on large inputs.
 */
export class BatchDetection<T = Alert> {
  readonly #config: DetectionConfig;
  readonly #keep: (alert: Alert) => T;
  readonly #detectors = new Map<string, SymbolDetector>();
  readonly #alerts = new Map<string, T[]>();

  /**
   * @param keep what to keep of each alert (default: the alert)
   * @param states symbol states to resume from (as saved by {@link states})
   */
  constructor(
    config: DetectionConfig,
    keep: (alert: Alert) => T = (alert) => alert as T,
    states?: ReadonlyMap<string, SymbolState>,
  ) {
    this.#config = config;
    this.#keep = keep;
    for (const [symbol, state] of states ?? []) {
      this.#detectors.set(symbol, new SymbolDetector(symbol, config, state));
    }
  }

  /** Runs the rules over an object's bars, after everything added before. */
  addObject(bars: ObjectBars, source: AlertSource = { object: bars.report.object }): DetectionCounts {
    const counts = emptyCounts();
    for (const run of bars.runs) {
      let detector = this.#detectors.get(run.symbol);
      if (detector === undefined) {
        detector = new SymbolDetector(run.symbol, this.#config);
        this.#detectors.set(run.symbol, detector);
      }
      let alerts = this.#alerts.get(run.symbol);
      if (alerts === undefined) {
        alerts = [];
        this.#alerts.set(run.symbol, alerts);
      }
      const sink = alerts;
      const keep = this.#keep;
      detector.run(bars.table, run.rows, source, counts, (alert) => sink.push(keep(alert)));
    }
    return counts;
  }

  /**
   * All alerts, by symbol then time. Per symbol they are already in time order: late bars never alert, so
   * a later object only adds later minutes.
   */
  *alerts(): Generator<T> {
    const symbols = [...this.#alerts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const symbol of symbols) yield* this.#alerts.get(symbol)!;
  }

  get alertCount(): number {
    let count = 0;
    for (const alerts of this.#alerts.values()) count += alerts.length;
    return count;
  }

  /** Every symbol's state, to resume from later. */
  states(): Map<string, SymbolState> {
    return new Map([...this.#detectors].map(([symbol, detector]) => [symbol, detector.toState()]));
  }
}
