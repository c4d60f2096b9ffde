/**
 * The server's change feed (GET /api/events, event `change` with the alert and episode totals). One
 * EventSource for the whole app; pages subscribe while they are shown. EventSource reconnects by itself (and is
 * started again after a refusal); the header's dot says whether the feed is live.
 */

import type { ChangeEvent } from '../api/contract.js';

type Listener = (change: ChangeEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
/** How long after a refusal the feed is asked for again (the server's Retry-After for streams is 15 s). */
const RESTART_MS = 15_000;

/** Starts the feed; `onState` hears whether it is connected. */
export function startEvents(onState: (live: boolean) => void): void {
  if (source !== null || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events');
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => {
    onState(false);
    // EventSource gives up for good on an answer other than 200 (a 429 when too many streams are open, a 503):
    // start again later, as its own reconnection would.
    if (source?.readyState === EventSource.CLOSED) {
      source = null;
      setTimeout(() => startEvents(onState), RESTART_MS);
    }
  });
  source.addEventListener('change', (event) => {
    let change: ChangeEvent;
    try {
      change = JSON.parse((event as MessageEvent<string>).data) as ChangeEvent;
    } catch {
      return;
    }
    for (const listener of listeners) listener(change);
  });
}

/** Hears every change until `signal` aborts (its page goes). */
export function onChange(listener: Listener, signal: AbortSignal): void {
  if (signal.aborted) return;
  listeners.add(listener);
  signal.addEventListener('abort', () => listeners.delete(listener), { once: true });
}
