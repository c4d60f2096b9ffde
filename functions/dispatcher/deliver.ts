/**
 * Delivery of one record to the CloudEvent target under the contract in shared/pipeline/deliveryContract.ts:
 * sent until the target answers that it is done (2xx) or that it can never succeed (400, 413, 415, 422);
 * everything else, an unreachable target and a timeout included, is waited out with capped exponential
 * backoff, for as long as it takes. The partition waits with it: its later records stay behind, in order.
 */
import { dispatchAction } from '../../shared/pipeline/deliveryContract.js';

export interface DeliveryOptions {
  targetUrl: string;
  /** The first wait after a failed attempt; each further one doubles, up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long one attempt may take before it counts as failed. */
  attemptTimeoutMs: number;
  /** Extra request headers, e.g. an identity token for a private Cloud Run service. */
  authHeaders?: () => Promise<Record<string, string>>;
}

export type Delivery =
  | { outcome: 'delivered'; attempts: number }
  | { outcome: 'final'; attempts: number; status: number; reason: string };

export interface DeliveryHooks {
  /** Keeps the consumer's group membership alive while a record waits (called every few seconds). */
  heartbeat?: () => Promise<void>;
  /** Told of each failed attempt that will be retried. */
  retrying?: (attempt: number, reason: string, waitMs: number) => void;
  /** Ends the waiting: the dispatcher is stopping. The record is then neither committed nor parked. */
  signal?: AbortSignal;
}

/** How often the group membership is renewed while an attempt or a wait is in progress. */
const HEARTBEAT_EVERY_MS = 2_000;

/** Waits `ms`, heartbeating; rejects when `signal` aborts. */
async function pause(ms: number, hooks: DeliveryHooks): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    // An abort during the heartbeat below would not reach a listener added after it: look first.
    hooks.signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(hooks.signal!.reason);
      };
      const timer = setTimeout(
        () => {
          hooks.signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(left, HEARTBEAT_EVERY_MS),
      );
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
    });
    await hooks.heartbeat?.();
  }
}

/** The wait before attempt `attempt + 1`: exponential, capped, with full jitter. */
export function backoffMs(
  attempt: number,
  options: Pick<DeliveryOptions, 'initialBackoffMs' | 'maxBackoffMs'>,
) {
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
  // Half fixed, half random: spreads the retries of many partitions waiting on one target.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Posts one record until the target is done with it or says it never will be.
 * @param send one attempt: the target's status and body text (throws when there is no answer)
 */
export async function deliver(
  send: (signal: AbortSignal) => Promise<{ status: number; text: string }>,
  options: DeliveryOptions,
  hooks: DeliveryHooks = {},
): Promise<Delivery> {
  for (let attempt = 1; ; attempt++) {
    hooks.signal?.throwIfAborted();
    let reason: string;
    // The membership is renewed while the attempt runs: a target that answers slowly is not a dead consumer.
    // A heartbeat that fails means the group is rebalancing: the attempt is abandoned and the error thrown,
    // so that the consumer rejoins in time and whoever owns the partition next delivers the record.
    const rebalance = new AbortController();
    let beatFailure: unknown;
    const beat = hooks.heartbeat
      ? setInterval(() => {
          hooks.heartbeat!().catch((error: unknown) => {
            beatFailure ??= error;
            rebalance.abort(error);
          });
        }, HEARTBEAT_EVERY_MS)
      : undefined;
    try {
      const signals = [AbortSignal.timeout(options.attemptTimeoutMs), rebalance.signal];
      if (hooks.signal) signals.push(hooks.signal);
      const { status, text } = await send(AbortSignal.any(signals));
      const action = dispatchAction(status);
      if (action === 'commit') return { outcome: 'delivered', attempts: attempt };
      if (action === 'park') return { outcome: 'final', attempts: attempt, status, reason: reasonOf(text) };
      reason = `HTTP ${status}: ${reasonOf(text)}`;
    } catch (error) {
      hooks.signal?.throwIfAborted();
      // The system error's code (ECONNREFUSED, ECONNRESET) is on the error, or on its cause.
      const code =
        (error as { code?: string }).code ?? ((error as Error).cause as { code?: string } | undefined)?.code;
      reason = `${(error as Error).name}: ${(error as Error).message}${code ? ` (${code})` : ''}`;
    } finally {
      clearInterval(beat);
    }
    if (beatFailure !== undefined) throw beatFailure;
    const wait = backoffMs(attempt, options);
    hooks.retrying?.(attempt, reason, wait);
    await pause(wait, hooks);
  }
}

/** The reason in a target's answer: the `reason` of a JSON body, else the text itself, shortened. */
function reasonOf(text: string): string {
  try {
    const body = JSON.parse(text) as { reason?: unknown };
    if (typeof body?.reason === 'string') return body.reason.slice(0, 1000);
  } catch {
    // not JSON: the text is the reason
  }
  return text.slice(0, 1000);
}
