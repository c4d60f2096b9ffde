/**
 * The server's change feed (GET /api/events, event `change` with the alert and episode totals). One
 * EventSource for the whole app; pages subscribe while they are shown. EventSource reconnects by itself; the
 * header's dot says whether the feed is live.
 */

import type { ChangeEvent } from '../api/contract.js';

type Listener = (change: ChangeEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;

/** Starts the feed; `onState` hears whether it is connected. */
export function startEvents(onState: (live: boolean) => void): void {
  if (source !== null || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events');
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => onState(false));
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
