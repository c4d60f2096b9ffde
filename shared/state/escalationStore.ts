/**
 * The one owner of `escalations/{episode}` (docs/records.md): escalate's marker of each episode it escalated,
 * which makes a redelivered escalation post nothing once one delivery posted it.
 *
 * A delivery first claims the episode in a transaction: absent, or `retrying` after a failure that may pass, it
 * becomes `sending` under a lease, and the delivery posts; `sent` or `failed` is settled and never claimed again;
 * `sending` under a lease that has not run out means another delivery is posting it right now (Pub/Sub pushes a
 * message again while the first push is still running), so this one comes back later. A lease that ran out
 * means the delivery that took it died: a later one takes over and posts. That is the one window in which a
 * message can be posted twice: a delivery that posted and died before it could mark the episode `sent`.
 */
import { FieldValue, Timestamp, type DocumentData, type Firestore } from '@google-cloud/firestore';
import { serviceError } from '../errors.js';
import type { EscalationMessage } from '../pipeline/escalationMessage.js';

/** `sending` (claimed, posting), `retrying` (a post failed in a way that may pass), `sent` or `failed` (settled). */
export type EscalationStatus = 'sending' | 'retrying' | 'sent' | 'failed';

/** The fields of an `escalations/{episode}` document that decide a claim. */
export interface EscalationMarker {
  status: EscalationStatus;
  attempts: number;
  /** While `sending`: until when the claiming delivery holds it. */
  leaseUntil?: Date;
}

export type EscalationClaim =
  /** Post it: this delivery holds the episode as attempt `attempt`; `takeover` when a lapsed lease was taken. */
  | { claimed: true; attempt: number; takeover: boolean }
  /** Posted already (`sent`), or refused for good (`failed`): post nothing. */
  | { claimed: false; settled: 'sent' | 'failed' }
  /** Another delivery holds it until `until`: come back later. */
  | { claimed: false; busy: Date };

/** What a claim decides from the marker found (pure: the store applies it in its transaction). */
export function decideEscalationClaim(
  current: EscalationMarker | undefined,
  now: number,
): { claim: true; takeover: boolean } | Exclude<EscalationClaim, { claimed: true }> {
  if (current === undefined || current.status === 'retrying') return { claim: true, takeover: false };
  if (current.status === 'sent' || current.status === 'failed')
    return { claimed: false, settled: current.status };
  const until = current.leaseUntil;
  if (until !== undefined && until.getTime() > now) return { claimed: false, busy: until };
  return { claim: true, takeover: true };
}

/** How a post ended, as the marker records it. */
export type EscalationOutcome =
  | { status: 'sent'; httpStatus: number }
  | { status: 'failed'; httpStatus: number | null; error: string }
  | { status: 'retrying'; httpStatus: number | null; error: string };

export interface EscalationStore {
  /** Claims the episode for one post. @throws UnavailableError (retriable) when Firestore fails */
  claim(message: EscalationMessage, now: number, leaseMs: number): Promise<EscalationClaim>;
  /** Records how the post of `attempt` ended. @throws UnavailableError (retriable) when Firestore fails */
  record(episode: string, attempt: number, outcome: EscalationOutcome, now: number): Promise<void>;
}

async function firestore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw serviceError('Firestore', error);
  }
}

function markerOf(data: DocumentData): EscalationMarker {
  const leaseUntil = data.leaseUntil as Timestamp | undefined;
  return {
    status: data.status as EscalationStatus,
    attempts: typeof data.attempts === 'number' ? data.attempts : 0,
    ...(leaseUntil instanceof Timestamp ? { leaseUntil: leaseUntil.toDate() } : {}),
  };
}

export class FirestoreEscalationStore implements EscalationStore {
  readonly #db: Firestore;
  readonly #collection: string;

  constructor(db: Firestore, collection: string) {
    this.#db = db;
    this.#collection = collection;
  }

  #doc(episode: string) {
    return this.#db.collection(this.#collection).doc(episode);
  }

  async claim(message: EscalationMessage, now: number, leaseMs: number): Promise<EscalationClaim> {
    const ref = this.#doc(message.episode);
    return firestore(() =>
      this.#db.runTransaction(async (transaction): Promise<EscalationClaim> => {
        const snapshot = await transaction.get(ref);
        const current = snapshot.exists ? markerOf(snapshot.data()!) : undefined;
        const decision = decideEscalationClaim(current, now);
        if (!('claim' in decision)) return decision;
        const attempt = (current?.attempts ?? 0) + 1;
        transaction.set(
          ref,
          {
            episode: message.episode,
            symbol: message.symbol,
            start: Timestamp.fromMillis(Date.parse(message.start)),
            score: message.score,
            status: 'sending',
            attempts: attempt,
            claimedAt: Timestamp.fromMillis(now),
            leaseUntil: Timestamp.fromMillis(now + leaseMs),
            updatedAt: FieldValue.serverTimestamp(),
          },
          { merge: true },
        );
        return { claimed: true, attempt, takeover: decision.takeover };
      }),
    );
  }

  async record(episode: string, attempt: number, outcome: EscalationOutcome, now: number): Promise<void> {
    const at = Timestamp.fromMillis(now);
    const fields: Record<string, unknown> = {
      status: outcome.status,
      attempts: attempt,
      httpStatus: outcome.httpStatus,
      leaseUntil: FieldValue.delete(),
      updatedAt: FieldValue.serverTimestamp(),
    };
    if (outcome.status === 'sent') {
      Object.assign(fields, { sentAt: at, error: FieldValue.delete() });
    } else if (outcome.status === 'failed') {
      Object.assign(fields, { failedAt: at, error: outcome.error });
    } else {
      Object.assign(fields, { error: outcome.error });
    }
    // Merged without a precondition: the delivery that posted says how it went, even if its lease ran out.
    await firestore(() => this.#doc(episode).set(fields, { merge: true }));
  }
}
