/**
 * The console's request handling, without listening: checks every request makes (a local Host, a same-origin
 * POST), the API routes, then the static files. start.ts listens with it; the tests call it in-process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { consoleRoutes, STREAMED, type ConsoleParts, type Handler } from './routes.js';
import { HttpError } from './http/httpError.js';
import { sendError, sendJson, type ErrorLog } from './http/respond.js';
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

export function consoleRequestListener(parts: ConsoleParts, log: ErrorLog): RequestListener {
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
      sendError(response, error, log, `${request.method} ${request.url}`),
    );
  };
}
