/**
 * Asks detect to settle the scores (POST {detect}/settle, contract §6) whenever it has caught up: when no record
 * is being delivered for a moment, at most every `busyIntervalMs` while records keep coming (a live market never
 * quite pauses), and every `idleIntervalMs` when none comes. One request at a time; asked for during one, another
 * follows it.
 */
import type { Logger } from '../../shared/logging/logger.js';

export interface SettleTriggerOptions {
  /** detect's URL; settle is its path `settle`. */
  targetUrl: string;
  authHeaders?: () => Promise<Record<string, string>>;
  log: Logger;
  /** How long nothing must be in flight before asking. */
  quietMs?: number;
  /** How often to ask while records keep coming. */
  busyIntervalMs?: number;
  /**
   * How often to ask when nothing comes at all: a safety net for days changed outside the dispatcher's deliveries
   * (a record sent to detect by hand) or a settle that failed; a settle with nothing to do is one query.
   */
  idleIntervalMs?: number;
}

export interface SettleTrigger {
  /** A record's delivery began. */
  started(): void;
  /** A record's delivery ended (delivered, parked or abandoned). */
  ended(): void;
  stop(): void;
}

export function settleUrlOf(targetUrl: string): string {
  return new URL('settle', targetUrl.endsWith('/') ? targetUrl : `${targetUrl}/`).toString();
}

export function settleTrigger(options: SettleTriggerOptions): SettleTrigger {
  // Quiet for longer than a live market's gap between minutes (an object a second at most): a live market is
  // settled on the busy interval, so that settling never competes with every minute's detection.
  const quietMs = options.quietMs ?? 2_000;
  const busyIntervalMs = options.busyIntervalMs ?? 30_000;
  const idleIntervalMs = options.idleIntervalMs ?? 10_000;
  const url = settleUrlOf(options.targetUrl);
  let inFlight = 0;
  let quiet: NodeJS.Timeout | undefined;
  let lastAsked = Date.now();
  let running = false;
  let again = false;
  let stopped = false;

  const ask = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    lastAsked = Date.now();
    try {
      const response = await fetch(url, { method: 'POST', headers: { ...(await options.authHeaders?.()) } });
      if (!response.ok) {
        options.log.warn('detect could not settle the scores; asking again when it next catches up', {
          status: response.status,
          body: (await response.text()).slice(0, 500),
        });
      } else {
        // Time ran out with days left to settle: ask again once quiet (at once if nothing comes).
        const outcome = (await response.json().catch(() => ({}))) as { more?: boolean };
        if (outcome.more === true && inFlight === 0) again = true;
      }
    } catch (error) {
      options.log.warn('could not ask detect to settle the scores', { error });
    } finally {
      running = false;
      if (again) {
        again = false;
        void ask();
      }
    }
  };

  const idle = setInterval(() => {
    if (inFlight === 0 && Date.now() - lastAsked >= idleIntervalMs) void ask();
  }, idleIntervalMs);
  idle.unref();

  return {
    started() {
      inFlight++;
      clearTimeout(quiet);
      if (Date.now() - lastAsked >= busyIntervalMs) void ask();
    },
    ended() {
      inFlight--;
      if (inFlight > 0) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => void ask(), quietMs);
    },
    stop() {
      stopped = true;
      clearTimeout(quiet);
      clearInterval(idle);
    },
  };
}
