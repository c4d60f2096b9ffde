/**
 * Hash routes (docs/console-api.md, "Static"): #/episodes (default), #/alerts, #/episodes/:id, #/alerts/:id, #/ingestions,
 * #/health. A list's filters and sort live in the hash's query (#/alerts?symbol=X&sort=severity), so a view can
 * be shared and reloaded. Pure parsing and building here; main.ts listens for hashchange.
 */

export type Route =
  | { page: 'episodes'; params: URLSearchParams }
  | { page: 'alerts'; params: URLSearchParams }
  | { page: 'episode'; id: string; params: URLSearchParams }
  | { page: 'alert'; id: string; params: URLSearchParams }
  | { page: 'ingestions'; params: URLSearchParams }
  | { page: 'health'; params: URLSearchParams }
  | { page: 'notFound'; path: string; params: URLSearchParams };

/** Parses a location hash (`#/alerts/X@2017-01-02T05:06:00Z?tab=1`). */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const path = q === -1 ? text : text.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : text.slice(q + 1));
  const segments = path.split('/').filter((segment) => segment !== '');
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return { page: 'notFound', path, params };
  }
  const [first, second, ...rest] = decoded;
  if (rest.length > 0) return { page: 'notFound', path, params };
  if (first === undefined) return { page: 'episodes', params };
  if (second === undefined) {
    if (first === 'episodes' || first === 'alerts' || first === 'ingestions' || first === 'health') {
      return { page: first, params };
    }
    return { page: 'notFound', path, params };
  }
  if (first === 'episodes') return { page: 'episode', id: second, params };
  if (first === 'alerts') return { page: 'alert', id: second, params };
  return { page: 'notFound', path, params };
}

/** An id as a hash segment: encoded, but keeping `@` and `:` readable (alert ids are `SYMBOL@ISO`). */
export function encodeSegment(id: string): string {
  return encodeURIComponent(id).replace(/%40/g, '@').replace(/%3A/gi, ':');
}

export const href = {
  episodes: (params?: URLSearchParams) => `#/episodes${query(params)}`,
  alerts: (params?: URLSearchParams) => `#/alerts${query(params)}`,
  episode: (id: string) => `#/episodes/${encodeSegment(id)}`,
  alert: (id: string) => `#/alerts/${encodeSegment(id)}`,
  ingestions: (params?: URLSearchParams) => `#/ingestions${query(params)}`,
  health: () => '#/health',
};

function query(params?: URLSearchParams): string {
  const text = params?.toString() ?? '';
  return text === '' ? '' : `?${text}`;
}
