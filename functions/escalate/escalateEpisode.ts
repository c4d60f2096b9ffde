/**
 * escalate's whole decision for one escalation message, apart from Pub/Sub and the logs (index.ts):
 *
 * 1. No webhook set (the local stack's default): nothing to post; the edge logs the escalation.
 * 2. Claim the episode's marker (shared/state/escalationStore.ts): one settled (`sent`, `failed`) posts
 *    nothing, so a redelivered message after a success is only acknowledged; one another delivery is posting
 *    comes back later (a retriable error).
 * 3. POST the chat's body. A 2xx is recorded `sent`; an answer that may pass (408, 425, 429, 5xx) or none at
 *    all is recorded `retrying` and thrown, so Pub/Sub redelivers; any other (a 4xx: the webhook was revoked,
 *    the body refused) is recorded `failed` and returned, for the edge to log and acknowledge.
 *
 * The one window for a second post is between a 2xx and its record: a crash there leaves the marker `sending`,
 * and the delivery that takes over once the lease runs out posts again. Recording is therefore retried a few
 * times before giving up, so that a moment's Firestore failure does not open it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EscalateSettings } from '../../shared/config/escalationSettings.js';
import { StockAnomaliesError, describeError } from '../../shared/errors.js';
import { chatWebhookBody } from '../../shared/pipeline/chatWebhookBody.js';
import type { EscalationMessage } from '../../shared/pipeline/escalationMessage.js';
import type { EscalationOutcome, EscalationStore } from '../../shared/state/escalationStore.js';
import { ChatWebhookError, isRetriableStatus, type WebhookAnswer } from './postWebhook.js';

/** How long a claim holds: longer than a post may take (WEBHOOK_TIMEOUT_MS) plus recording it. */
export const ESCALATION_LEASE_MS = 30_000;

/** Attempts at recording a post's outcome before the error goes to Pub/Sub (see the window above). */
const RECORD_ATTEMPTS = 3;

export interface EscalateDependencies {
  store: EscalationStore;
  post: (url: string, body: unknown) => Promise<WebhookAnswer>;
  now: () => number;
  /** Between attempts at recording; tests pass a shorter one. */
  recordRetryMs?: number;
}

export type EscalateResult =
  | { kind: 'unconfigured' }
  | { kind: 'settled'; status: 'sent' | 'failed' }
  | { kind: 'sent'; httpStatus: number; attempt: number; takeover: boolean }
  | { kind: 'refused'; httpStatus: number; attempt: number; reason: string };

/** Another delivery of the same episode is posting it: this one comes back once it is done. */
export class EscalationBusyError extends StockAnomaliesError {
  override name = 'EscalationBusyError';
  constructor(episode: string, until: Date) {
    super(`another delivery is posting episode ${episode} (its claim holds until ${until.toISOString()})`, {
      retriable: true,
    });
  }
}

async function record(
  deps: EscalateDependencies,
  episode: string,
  attempt: number,
  outcome: EscalationOutcome,
): Promise<void> {
  for (let tries = 1; ; tries += 1) {
    try {
      await deps.store.record(episode, attempt, outcome, deps.now());
      return;
    } catch (error) {
      if (tries >= RECORD_ATTEMPTS) throw error;
      await sleep((deps.recordRetryMs ?? 500) * tries);
    }
  }
}

/**
 * @throws ChatWebhookError (retriable) when the webhook did not answer or answered with a status that may pass;
 *   EscalationBusyError (retriable); the store's errors (retriable: Firestore)
 */
export async function escalateEpisode(
  message: EscalationMessage,
  settings: EscalateSettings,
  deps: EscalateDependencies,
): Promise<EscalateResult> {
  const { webhook } = settings;
  if (webhook === null) return { kind: 'unconfigured' };

  const claim = await deps.store.claim(message, deps.now(), ESCALATION_LEASE_MS);
  if (!claim.claimed) {
    if ('settled' in claim) return { kind: 'settled', status: claim.settled };
    throw new EscalationBusyError(message.episode, claim.busy);
  }
  const { attempt, takeover } = claim;

  let answer: WebhookAnswer;
  try {
    answer = await deps.post(webhook.url, chatWebhookBody(webhook.format, message, settings.consoleUrl));
  } catch (error) {
    await record(deps, message.episode, attempt, {
      status: 'retrying',
      httpStatus: null,
      error: describeError(error),
    });
    throw error;
  }

  if (answer.status >= 200 && answer.status < 300) {
    await record(deps, message.episode, attempt, { status: 'sent', httpStatus: answer.status });
    return { kind: 'sent', httpStatus: answer.status, attempt, takeover };
  }
  const reason = `HTTP ${answer.status}${answer.body === '' ? '' : `: ${answer.body}`}`;
  if (isRetriableStatus(answer.status)) {
    await record(deps, message.episode, attempt, {
      status: 'retrying',
      httpStatus: answer.status,
      error: reason,
    });
    throw new ChatWebhookError(reason, answer.status, { retriable: true });
  }
  await record(deps, message.episode, attempt, {
    status: 'failed',
    httpStatus: answer.status,
    error: reason,
  });
  return { kind: 'refused', httpStatus: answer.status, attempt, reason };
}
