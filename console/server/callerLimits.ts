/**
 * Per-caller limits, as pure values (app.ts and routes.ts answer 429 with their Retry-After):
 *
 * - RequestRate: a token bucket per caller. Each API request takes a token; a caller's bucket holds at most
 *   `burst` and refills at `perMinute`, so a page that loads a list, its episode and the chart at once is never
 *   held up while a script looping on the API is, without slowing the other analysts down. A caller is the
 *   verified email on Cloud Run (the local user locally): the buckets are as many as the analysts, and a bucket
 *   refilled to the brim is forgotten when the table is swept.
 * - StreamSlots: the event streams open at once, in all and per caller. Each holds a socket and a place in every
 *   change's broadcast for as long as the page is open, so a page opened many times, or a client that never closes
 *   them, is refused before it can exhaust the instance's sockets.
 */

export interface RateSettings {
  /** Tokens a caller's bucket gains a minute. */
  perMinute: number;
  /** Most tokens a bucket holds: the requests a caller may make at once after a pause. */
  burst: number;
}

export interface StreamSettings {
  /** Most event streams open at once on this instance. */
  total: number;
  /** Most event streams one caller holds open at once. */
  perCaller: number;
}

/** Allowed, or refused with the whole seconds after which a retry will be allowed. */
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** When the buckets are swept of the callers whose bucket is full again: past this many callers. */
const SWEEP_AT = 1000;

export class RequestRate {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;

  constructor(private readonly settings: RateSettings) {
    this.#perMs = settings.perMinute / 60_000;
  }

  /** Takes one token from `caller`'s bucket at `now` (ms). */
  take(caller: string, now: number): Verdict {
    const bucket = this.#buckets.get(caller) ?? { tokens: this.settings.burst, at: now };
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
    bucket.at = now;
    this.#buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.#buckets.size > SWEEP_AT) this.#sweep(now);
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)) };
  }

  #sweep(now: number): void {
    for (const [caller, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.settings.burst)
        this.#buckets.delete(caller);
    }
  }
}

/**
 * How long a caller refused a stream is asked to wait: streams are held for as long as a page is open, so no
 * time is known when one frees; this is the pace of a retry that costs the server little.
 */
export const STREAM_RETRY_SECONDS = 15;

export class StreamSlots {
  #open = 0;
  readonly #byCaller = new Map<string, number>();

  constructor(private readonly settings: StreamSettings) {}

  get open(): number {
    return this.#open;
  }

  /** A slot for `caller`, with the function that gives it back (once), or the refusal. */
  acquire(
    caller: string,
  ): { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number; why: string } {
    const held = this.#byCaller.get(caller) ?? 0;
    if (held >= this.settings.perCaller) {
      return {
        ok: false,
        retryAfterSeconds: STREAM_RETRY_SECONDS,
        why: `${held} event streams are open for you already (at most ${this.settings.perCaller}): close a tab`,
      };
    }
    if (this.#open >= this.settings.total) {
      return {
        ok: false,
        retryAfterSeconds: STREAM_RETRY_SECONDS,
        why: `${this.#open} event streams are open on this instance (at most ${this.settings.total})`,
      };
    }
    this.#open++;
    this.#byCaller.set(caller, held + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
        const left = (this.#byCaller.get(caller) ?? 1) - 1;
        if (left > 0) this.#byCaller.set(caller, left);
        else this.#byCaller.delete(caller);
      },
    };
  }
}
