/** What the edge answers before any endpoint: 404, 400 and 405, the static files, a foreign Host refused. */
import { describe, expect, it } from 'vitest';
import { url, get, seededConsole } from './consoleUnderTest.js';

seededConsole();

describe('the console server on the real emulator: the HTTP edge', () => {
  it('answers 404, 400 and 405 as the contract says', async () => {
    expect((await get('/api/alerts/NOPE@2017-01-02T03:45:00Z')).status).toBe(404);
    expect((await get('/api/alerts/NOPE@2017-01-02T03:45:00Z/chart')).status).toBe(404);
    expect((await get('/api/episodes/nope')).status).toBe(404);
    expect((await get('/api/alerts?limit=500')).body).toEqual({
      error: 'limit: must be a whole number from 1 to 200',
    });
    expect((await get('/api/alerts?minSeverity=x')).status).toBe(400);
    expect((await get('/api/nothing')).status).toBe(404);
    const put = await fetch(url('/api/alerts'), { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(put.headers.get('x-content-type-options')).toBe('nosniff');
    expect(put.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the placeholder or the app at /, and the chart library', async () => {
    const page = await fetch(url('/'));
    expect(page.status).toBe(200);
    const library = await fetch(url('/vendor/lightweight-charts.js'));
    expect(library.status).toBe(200);
    expect(await library.text()).toContain('Lightweight Charts');
    expect((await fetch(url('/../package.json'))).status).toBe(404);
  });

  it('refuses a Host that is not its own (a rebound name)', async () => {
    // fetch may not set Host; node:http may.
    const http = await import('node:http');
    const address = new URL(url('/api/meta'));
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: address.hostname,
            port: address.port,
            path: address.pathname,
            headers: { host: 'evil.example' },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });
});
