/**
 * One POST of a JSON body to a chat's incoming webhook, and what its answer means for a retry. The webhook's URL
 * is a credential (whoever has it can post to the channel): no error or log line here repeats it.
 */
import { StockAnomaliesError } from '../../shared/errors.js';

/** How long the chat service may take to answer: well inside the claim's lease (ESCALATION_LEASE_MS). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** What the chat service answered: its status and the start of its body (Slack names the problem there). */
export interface WebhookAnswer {
  status: number;
  body: string;
}

/** The answers that may pass with time: the service timing out, throttling, or failing for a while. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** The webhook did not take the message. `retriable` as its answer says (see isRetriableStatus). */
export class ChatWebhookError extends StockAnomaliesError {
  override name = 'ChatWebhookError';
  constructor(
    message: string,
    readonly httpStatus: number | null,
    options: { retriable: boolean; cause?: unknown },
  ) {
    super(`chat webhook: ${message}`, options);
  }
}

/**
 * POSTs `body` and resolves with the answer, whatever its status; redirects are not followed (a webhook that
 * moves is a setting to fix, not something to chase).
 *
 * @throws ChatWebhookError (retriable) when there is no answer: refused, reset, or none within the timeout
 */
export async function postWebhook(
  url: string,
  body: unknown,
  timeoutMs: number = WEBHOOK_TIMEOUT_MS,
): Promise<WebhookAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `no answer (${typeof cause?.code === 'string' ? cause.code : (error as Error).message})`;
    throw new ChatWebhookError(reason, null, { retriable: true, cause: error });
  }
  const text = await response.text().catch(() => '');
  return { status: response.status, body: text.slice(0, 300) };
}
