/**
 * Faults injected through configuration, for proving on the real stack that the pipeline loses and doubles
 * nothing when a step fails or a process dies at that step: the local fault tests set `FAULTS` when they start
 * a component; deploy.sh never does, and without it every checkpoint is a no-op.
 *
 * `FAULTS` is a comma-separated list of `point=action/N`:
 * - `fail/N`: every Nth arrival at the point fails with a retriable error (the delivery is retried);
 * - `exit/N`: the Nth arrival kills the process there and then (SIGKILL: nothing is flushed or answered);
 * - `fail-for/MS`: every arrival in the first MS milliseconds after the process started fails.
 * e.g. `FAULTS=detect.after-publish=fail/3` or `FAULTS=notify.after-write=exit/20`.
 */
import { ConfigError, readVariable } from './config/variables.js';
import { StockAnomaliesError } from './errors.js';

/** Where a fault can be injected: each a step a crash could interrupt. */
export const FAULT_POINTS = [
  /** detect: the symbol's state read, nothing published. */
  'detect.after-load',
  /** detect: the batch's alerts published, the state not yet committed. */
  'detect.after-publish',
  /** detect: about to commit the state (also when the batch raised no alert). */
  'detect.before-commit',
  /** detect: the state committed, the dispatcher not yet answered. */
  'detect.after-commit',
  /** notify: a message received, nothing written. */
  'notify.before-write',
  /** notify: the alerts written, Pub/Sub not yet answered. */
  'notify.after-write',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

export type FaultAction =
  { kind: 'fail'; every: number } | { kind: 'exit'; at: number } | { kind: 'fail-for'; ms: number };

/** A failure made on purpose: retriable, as the outage or crash it stands for. */
export class InjectedFault extends StockAnomaliesError {
  override name = 'InjectedFault';
  constructor(point: FaultPoint, arrival: number) {
    super(`injected fault at ${point} (arrival ${arrival}; FAULTS)`, { retriable: true });
  }
}

/** @throws ConfigError naming what in `text` is not a fault */
export function parseFaults(text: string): Map<FaultPoint, FaultAction> {
  const faults = new Map<FaultPoint, FaultAction>();
  for (const item of text.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const match = /^([a-z.-]+)=(fail|exit|fail-for)\/(\d+)$/.exec(item);
    const point = match?.[1] as FaultPoint | undefined;
    if (!match || !FAULT_POINTS.includes(point!)) {
      throw new ConfigError(
        `FAULTS: '${item}' is not point=fail/N, point=exit/N or point=fail-for/MS with a point among ${FAULT_POINTS.join(', ')}`,
      );
    }
    if (faults.has(point!)) throw new ConfigError(`FAULTS: '${point}' is given more than once`);
    const n = Number(match[3]);
    if (n <= 0) throw new ConfigError(`FAULTS: '${item}' needs a positive number`);
    const action: FaultAction =
      match[2] === 'fail'
        ? { kind: 'fail', every: n }
        : match[2] === 'exit'
          ? { kind: 'exit', at: n }
          : { kind: 'fail-for', ms: n };
    faults.set(point!, action);
  }
  return faults;
}

/** Counts arrivals at each point and acts as configured. */
export class FaultInjector {
  readonly #faults: Map<FaultPoint, FaultAction>;
  readonly #arrivals = new Map<FaultPoint, number>();
  readonly #startedAt: number;
  readonly #now: () => number;
  readonly #kill: () => never;

  constructor(
    faults: Map<FaultPoint, FaultAction>,
    options: { now?: () => number; kill?: () => never } = {},
  ) {
    this.#faults = faults;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#kill =
      options.kill ??
      (() => {
        process.kill(process.pid, 'SIGKILL');
        // SIGKILL to oneself is not handled and ends the process before kill() returns.
        throw new Error('unreachable');
      });
  }

  /** @throws InjectedFault when the point is configured to fail at this arrival */
  at(point: FaultPoint): void {
    const action = this.#faults.get(point);
    if (action === undefined) return;
    const arrival = (this.#arrivals.get(point) ?? 0) + 1;
    this.#arrivals.set(point, arrival);
    if (action.kind === 'exit' && arrival === action.at) this.#kill();
    if (action.kind === 'fail' && arrival % action.every === 0) throw new InjectedFault(point, arrival);
    if (action.kind === 'fail-for' && this.#now() - this.#startedAt < action.ms) {
      throw new InjectedFault(point, arrival);
    }
  }
}

/** No faults: what every deployed component runs with. */
export const NO_FAULTS = new FaultInjector(new Map());

/** The process's injector, from `FAULTS`, read once at start-up. @throws ConfigError */
export function faultInjectorFromEnv(env: NodeJS.ProcessEnv): FaultInjector {
  const text = readVariable('FAULTS', env);
  return text.trim() === '' ? NO_FAULTS : new FaultInjector(parseFaults(text));
}
