/**
 * Writing answers: JSON with the security headers every response carries, and errors mapped to their status
 * in one place (docs/console-api.md "Errors"): a handler's HttpError as it says; a backing service down (the project's
 * retriable errors, shared/errors.ts) 503 naming the service; anything else 500 with a generic text, logged
 * with its stack.
 */
import type { ServerResponse } from 'node:http';
import { StockAnomaliesError, UnavailableError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logging/logger.js';
import { HttpError } from './httpError.js';

/**
 * The one inline style the page may apply: the <style> element lightweight-charts adds for its attribution
 * logo, allowed by the sha256 of its exact text (in lightweight-charts.standalone.production.js; a unit test
 * computes it from the installed library, so an upgrade that changes the text fails there, not in a browser).
 */
export const CHART_LOGO_STYLE_HASH = "'sha256-3pRED1tOXas1FXFoPb9TGCjmYe9XQsmO9OV23khV2nY='";

/**
 * Same-origin only: no inline script, no inline style but the chart logo's, no framing, nothing sniffed; no
 * CORS header is ever sent.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    `default-src 'self'; style-src 'self' ${CHART_LOGO_STYLE_HASH}; img-src 'self' data:; object-src 'none'; ` +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** The answer for an error thrown by a handler. */
export function errorAnswer(error: unknown): {
  status: number;
  message: string;
  headers: Record<string, string>;
} {
  if (error instanceof HttpError)
    return { status: error.status, message: error.message, headers: error.headers };
  if (error instanceof UnavailableError || (error instanceof StockAnomaliesError && error.retriable)) {
    return {
      status: 503,
      message: `${error.message} (unavailable for now: retrying can help)`,
      headers: { 'retry-after': '2' },
    };
  }
  return { status: 500, message: 'internal error (logged)', headers: {} };
}

/** Answers `error`; `log` is the request's (it names the request and carries its trace). */
export function sendError(response: ServerResponse, error: unknown, log: Logger): void {
  const answer = errorAnswer(error);
  // A bug is logged with its stack; a service down in one line; what a handler decided (HttpError) not at all.
  if (answer.status === 500) {
    log.error('500: internal error', { status: 500, error });
  } else if (!(error instanceof HttpError)) {
    log.warn(`${answer.status}: ${answer.message}`, { status: answer.status });
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, answer.status, { error: answer.message }, answer.headers);
}
