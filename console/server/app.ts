/**
 * The console's request handling, without listening: checks every request makes (a local Host, a same-origin
 * POST), the API routes, then the static files. start.ts listens with it; the tests call it in-process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logging/logger.js';
import { traceFromHeaders } from '../../shared/logging/trace.js';
import { RequestRate } from './callerLimits.js';
import { callerIdentity } from './identity.js';
import { consoleRoutes, STREAMED, type ConsoleParts, type Handler } from './routes.js';
import { HttpError } from './http/httpError.js';
import { sendError, sendJson } from './http/respond.js';
import { route } from './http/router.js';
import { serveStatic } from './http/staticFiles.js';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d{1,5}$/;

/**
 * Whether a request that changes something (a POST) comes from the console's own pages, the defence against
 * cross-site request forgery: the caller's credentials (the local user, or the token `gcloud run services proxy`
 * adds to whatever reaches its port) go with any request the browser sends, whoever's page asked for it.
 *
 * - No `Origin`: not a browser's request (every browser sends one with a POST), so no page of another site made
 *   it; a program that can send it can send anything as this user anyway.
 * - `Origin` equal to the Host the request came to: the page is the console's own (locally, and on the service's
 *   own URL).
 * - Through `gcloud run services proxy` the browser talks to `http://localhost:PORT` and the proxy rewrites Host to
 *   the service's name, so Origin never equals Host. A loopback Origin is then taken only with
 *   `Sec-Fetch-Site: same-origin`, which the browser computes itself (no page can set it) and which says the
 *   page's origin is the one the request went to: the proxy's, i.e. the console's own page. A page on another
 *   port of this machine sends `same-site` and one elsewhere `cross-site`: both refused. A page of another site
 *   that rebinds its name to 127.0.0.1 (DNS rebinding) sends `same-origin` but its own name as Origin: refused.
 *   A browser that sends no `Sec-Fetch-Site` (older than 2023) cannot triage through the proxy: refused, not
 *   trusted.
 */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (origin === `http://${host}` || origin === `https://${host}`) return true;
  return LOOPBACK_ORIGIN.test(origin) && request.headers['sec-fetch-site'] === 'same-origin';
}

/**
 * The logger of one request: its entries name it (method and path, never the query, which may carry a
 * cursor or a filter of no use in a log) and carry its trace, so that Cloud Logging groups them under it.
 */
function requestLogger(logger: Logger, request: IncomingMessage): Logger {
  const path = new URL(request.url ?? '/', 'http://console.invalid').pathname;
  const trace = traceFromHeaders(request.headers);
  return logger.with({
    fields: { method: request.method ?? 'GET', path },
    ...(trace !== undefined && { trace }),
  });
}

export function consoleRequestListener(parts: ConsoleParts, logger: Logger): RequestListener {
  const routes = consoleRoutes(parts);
  const { allowedHosts } = parts.settings;
  const identify = parts.identity ?? callerIdentity(parts.settings.identity);
  // On Cloud Run only: locally the one caller is this machine's user, whose own scripts and tests page through the
  // lists as fast as they like, on a server nobody else can reach.
  const rate = parts.settings.identity.platformIdentity
    ? new RequestRate(parts.settings.limits.rate)
    : undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A page on another site that rebinds its name to 127.0.0.1 sends its own name as Host.
    if (allowedHosts !== undefined && !allowedHosts.includes(request.headers.host ?? '')) {
      throw new HttpError(403, 'unexpected Host header');
    }
    const url = new URL(request.url ?? '/', 'http://console.invalid');
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
      if (method !== 'GET' && method !== 'HEAD' && !sameOrigin(request)) {
        throw new HttpError(403, 'cross-origin requests are refused');
      }
      // Every API request names its caller: on Cloud Run one without a verified ID token is refused here, before
      // any handler reads or writes anything.
      const caller = await identify(request.headers);
      if (!caller.ok) {
        throw new HttpError(401, `no verified identity: ${caller.reason}`, {
          'www-authenticate': 'Bearer realm="stock-anomalies console"',
        });
      }
      const allowed = rate?.take(caller.email, Date.now()) ?? { ok: true };
      if (!allowed.ok) {
        throw new HttpError(
          429,
          `too many requests: at most ${parts.settings.limits.rate.perMinute} a minute (${parts.settings.limits.rate.burst} at once); retry in ${allowed.retryAfterSeconds} s`,
          { 'retry-after': String(allowed.retryAfterSeconds) },
        );
      }
      const match = route<Handler>(routes, method, url.pathname);
      if (match === undefined) throw new HttpError(404, `no such endpoint: ${url.pathname}`);
      const body = await match.handler({
        request,
        response,
        params: match.params,
        query: url.searchParams,
        caller: caller.email,
      });
      if (body !== STREAMED) sendJson(response, 200, body);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, `${method} is not allowed here`, { allow: 'GET, HEAD' });
    }
    if (!(await serveStatic(parts.settings, url.pathname, method === 'HEAD', response))) {
      throw new HttpError(404, `no such file: ${url.pathname}`);
    }
  }

  return (request, response) => {
    handle(request, response).catch((error: unknown) =>
      sendError(response, error, requestLogger(logger, request)),
    );
  };
}
