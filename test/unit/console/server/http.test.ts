/** The console's small HTTP pieces: the router, list parameters, static paths, error mapping. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listQueryOf } from '../../../../console/server/listParameters.js';
import { alertIdParts } from '../../../../console/answers/alertChart.js';
import { HttpError } from '../../../../console/server/http/httpError.js';
import { errorAnswer, SECURITY_HEADERS } from '../../../../console/server/http/respond.js';
import { route } from '../../../../console/server/http/router.js';
import { staticPath } from '../../../../console/server/http/staticFiles.js';
import { encodeCursor } from '../../../../console/readModel/cursor.js';
import { serviceError } from '../../../../shared/errors.js';

describe('route', () => {
  const routes = [
    { method: 'GET' as const, pattern: '/api/episodes/:id', handler: 'detail' },
    { method: 'POST' as const, pattern: '/api/episodes/:id/triage', handler: 'triage' },
  ];

  it('matches a pattern, decoding the captured segment once', () => {
    expect(route(routes, 'GET', '/api/episodes/a%252Fb%40c')).toEqual({
      handler: 'detail',
      params: { id: 'a%2Fb@c' },
    });
    expect(route(routes, 'HEAD', '/api/episodes/x')?.handler).toBe('detail');
    expect(route(routes, 'GET', '/api/episodes/')).toBeUndefined();
    expect(route(routes, 'GET', '/api/other')).toBeUndefined();
  });

  it("matches no id with an encoded '/' in it: it would name another document's path", () => {
    expect(route(routes, 'GET', '/api/episodes/X%2Fhistory%2FY')).toBeUndefined();
    expect(route(routes, 'POST', '/api/episodes/X%2Fhistory%2FY/triage')).toBeUndefined();
  });

  it('answers 405 naming the allowed method', () => {
    expect(() => route(routes, 'GET', '/api/episodes/x/triage')).toThrow(HttpError);
    try {
      route(routes, 'DELETE', '/api/episodes/x');
    } catch (error) {
      expect(error).toMatchObject({ status: 405, headers: { allow: 'GET' } });
    }
  });
});

describe('listQueryOf', () => {
  const query = (text: string) => listQueryOf(new URLSearchParams(text));
  const refused = (text: string) => {
    try {
      query(text);
    } catch (error) {
      return (error as HttpError).message;
    }
    return 'accepted';
  };

  it('defaults to the suspicion score, 50', () => {
    expect(query('')).toEqual({ sort: 'score', limit: 50 });
  });

  it('reads every filter', () => {
    const after = encodeCursor('severity', { score: Number.NaN, severity: 2, time: 5, tie: 'A' });
    expect(
      query(
        `sort=severity&symbol=ACME&rule=A2&from=2024-01-02T00:00:00Z&to=2024-01-03&status=escalated&minSeverity=0.25&minScore=37.5&limit=200&after=${after}`,
      ),
    ).toEqual({
      sort: 'severity',
      symbol: 'ACME',
      rule: 'A2',
      from: Date.parse('2024-01-02T00:00:00Z'),
      to: Date.parse('2024-01-03'),
      status: 'escalated',
      minSeverity: 0.25,
      minScore: 37.5,
      limit: 200,
      after: { score: Number.NaN, severity: 2, time: 5, tie: 'A' },
    });
  });

  it.each([
    ['sort=oldest', 'sort: must be one of score, newest, severity'],
    ['rule=A3', 'rule: must be A1 or A2'],
    ['from=yesterday', "from: not an ISO 8601 time: 'yesterday'"],
    ['to=2024-13-45', "to: not an ISO 8601 time: '2024-13-45'"],
    ['status=closed', 'status: must be one of new, investigating, escalated, dismissed, confirmed'],
    ['minSeverity=high', "minSeverity: not a number: 'high'"],
    ['minSeverity=', "minSeverity: not a number: ''"],
    ['minScore=high', "minScore: not a number: 'high'"],
    ['minScore=Infinity', "minScore: not a number: 'Infinity'"],
    ['minScore=1&minScore=2', 'minScore: given more than once'],
    ['limit=0', 'limit: must be a whole number from 1 to 200'],
    ['limit=201', 'limit: must be a whole number from 1 to 200'],
    ['limit=2.5', 'limit: must be a whole number from 1 to 200'],
    ['after=xyz', 'after: not a cursor of this list sorted by score'],
    [
      `after=${encodeCursor('severity', { score: 1, severity: 1, time: 1, tie: 'A' })}`,
      'after: not a cursor of this list sorted by score',
    ],
    ['symbol=A&symbol=B', 'symbol: given more than once'],
    ['page=2', 'page: unknown parameter'],
  ])('refuses %s naming the parameter', (text, message) => {
    expect(refused(text)).toBe(message);
  });
});

describe('staticPath', () => {
  const files = { webRoot: '/srv/web', chartLibrary: '/lib/chart.js' };
  it.each([
    ['/', '/srv/web/index.html'],
    ['/app.js', '/srv/web/app.js'],
    ['/assets/a%20b.css', '/srv/web/assets/a b.css'],
    ['/vendor/lightweight-charts.js', '/lib/chart.js'],
    ['/../secret', undefined],
    ['/%2e%2e/secret', undefined],
    ['/.env', undefined],
    ['/a/%00', undefined],
    ['/%E0%A4%A', undefined],
  ])('%s → %s', (urlPath, file) => {
    expect(staticPath(files, urlPath)).toBe(file);
  });
});

describe('errorAnswer', () => {
  it('maps a service down to 503 naming it, and a bug to a generic 500', () => {
    const down = errorAnswer(
      serviceError('Firestore', Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 })),
    );
    expect(down.status).toBe(503);
    expect(down.message).toContain('Firestore');
    expect(errorAnswer(new TypeError('x is undefined'))).toEqual({
      status: 500,
      message: 'internal error (logged)',
      headers: {},
    });
    expect(errorAnswer(new HttpError(404, 'no such alert')).status).toBe(404);
  });
});

describe('alertIdParts', () => {
  it('splits an alert id at its last @', () => {
    expect(alertIdParts('A%2FB@C@2017-01-02T03:45:00Z')).toEqual({
      symbolPart: 'A%2FB@C',
      minute: Date.parse('2017-01-02T03:45:00Z') / 60_000,
    });
    expect(alertIdParts('ACME@2017-01-02T03:45:30Z')).toBeUndefined();
    expect(alertIdParts('@2017-01-02T03:45:00Z')).toBeUndefined();
  });
});

describe('SECURITY_HEADERS', () => {
  const policy = new Map(
    SECURITY_HEADERS['content-security-policy']!.split(';').map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name!, sources.join(' ')];
    }),
  );

  it("allows exactly the chart library's inline <style>, by the sha256 of the text it inserts", () => {
    const library = readFileSync(
      'node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js',
      'utf8',
    );
    const inserted = [...library.matchAll(/createElement\("style"\),this\.\w+\.innerText="([^"\\]*)"/g)];
    expect(inserted).toHaveLength(1);
    expect(inserted[0]![1]).toMatch(/^a#tv-attr-logo\{/);
    const hash = createHash('sha256').update(inserted[0]![1]!, 'utf8').digest('base64');
    expect(policy.get('style-src')).toBe(`'self' 'sha256-${hash}'`);
  });

  it('is otherwise self-only', () => {
    expect(Object.fromEntries([...policy].filter(([name]) => name !== 'style-src'))).toEqual({
      'default-src': "'self'",
      'img-src': "'self' data:",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    });
    expect(SECURITY_HEADERS['content-security-policy']).not.toContain('unsafe');
  });
});
