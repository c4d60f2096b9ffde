/**
 * Detection over whole objects in sequence, state carried from one to the next: what the batch CLI does,
 * and the reference the event-driven pipeline must match.
 */
import { alertOf, type Alert } from './alert.js';
import type { AlertSource, Finding } from './finding.js';
import type { DetectionConfig } from './detectionParameters.js';
import type { ObjectBars } from './objectIntake.js';
import { emptyCounts, SymbolDetector, type DetectionCounts } from './rules.js';
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

  /**
   * All alerts, by symbol then time. Per symbol they are already in time order: late bars never alert, so a
   * later object only adds later minutes.
   */
  *sorted(): Generator<Alert> {
    for (const symbol of sortedKeys(this.#alerts)) yield* this.#alerts.get(symbol)!;
  }
}

export class ObjectSeriesDetection {
  readonly #config: DetectionConfig;
  readonly #collector: AlertCollector;
  /** One callback for every run: a new one per object made V8 recompile the rules' loop. */
  readonly #found: (finding: Finding) => void;
  readonly #detectors = new Map<string, SymbolDetector>();

  /**
   * @param collector where alerts go (default: kept in memory, read back with {@link alerts})
   * @param states symbol states to resume from (as saved by {@link states})
   */
  constructor(
    config: DetectionConfig,
    collector: AlertCollector = new AlertsBySymbol(),
    states?: ReadonlyMap<string, SymbolState>,
  ) {
    this.#config = config;
    this.#collector = collector;
    this.#found = (finding) => collector.found(finding);
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
      detector.run(bars.table, run.rows, source, counts, this.#found);
    }
    return counts;
  }

  /** All alerts, by symbol then time, when the default collector keeps them. */
  alerts(): Generator<Alert> {
    if (!(this.#collector instanceof AlertsBySymbol)) throw new TypeError('alerts went to another collector');
    return this.#collector.sorted();
  }

  /** Every symbol's state, to resume from later. */
  states(): Map<string, SymbolState> {
    return new Map([...this.#detectors].map(([symbol, detector]) => [symbol, detector.toState()]));
  }
}
