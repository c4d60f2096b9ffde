/**
 * The console's request handling, without listening: checks every request makes (a local Host, a same-origin
 * POST), the API routes, then the static files. start.ts listens with it; the tests call it in-process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logging/logger.js';
import { traceFromHeaders } from '../../shared/logging/trace.js';
import { consoleRoutes, STREAMED, type ConsoleParts, type Handler } from './routes.js';
import { HttpError } from './http/httpError.js';
import { sendError, sendJson } from './http/respond.js';
import { route } from './http/router.js';
import { serveStatic } from './http/staticFiles.js';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** The request's own origin, as a browser would send it in `Origin`. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  return origin === `http://${host}` || origin === `https://${host}`;
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
      const match = route<Handler>(routes, method, url.pathname);
      if (match === undefined) throw new HttpError(404, `no such endpoint: ${url.pathname}`);
      const body = await match.handler({ request, response, params: match.params, query: url.searchParams });
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
