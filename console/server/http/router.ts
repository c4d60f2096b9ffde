/**
 * A small router: routes are a method and a path pattern whose `:name` segments capture one decoded path
 * segment each. A path that matches with another method answers 405 naming the allowed ones.
 */
import { HttpError } from './httpError.js';

export interface Route<Handler> {
  method: 'GET' | 'POST';
  pattern: string;
  handler: Handler;
}

export interface Match<Handler> {
  handler: Handler;
  params: Record<string, string>;
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    const segment = have[i]!;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(segment);
      } catch {
        throw new HttpError(400, `${part.slice(1)}: not a valid URL path segment`);
      }
      // An id is one document's: a decoded '/' would name a path to another (a history entry, say).
      if (value.includes('/')) return undefined;
      params[part.slice(1)] = value;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** The route for (method, path); undefined when no pattern matches the path. @throws HttpError 405 */
export function route<Handler>(
  routes: readonly Route<Handler>[],
  method: string,
  path: string,
): Match<Handler> | undefined {
  const allowed: string[] = [];
  for (const candidate of routes) {
    const params = matchPattern(candidate.pattern, path);
    if (params === undefined) continue;
    if (candidate.method === method || (method === 'HEAD' && candidate.method === 'GET')) {
      return { handler: candidate.handler, params };
    }
    allowed.push(candidate.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, `${method} is not allowed here`, { allow: [...new Set(allowed)].join(', ') });
  }
  return undefined;
}
