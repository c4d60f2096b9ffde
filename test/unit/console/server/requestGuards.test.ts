/**
 * The checks every API request passes before a handler runs, over real HTTP with the console's request listener
 * set up as on Cloud Run: a caller without a verified Google ID token is refused (401) and nothing is applied; a
 * POST is taken from the console's own page, whether the browser reached it directly or through
 * `gcloud run services proxy` (Origin `http://localhost:PORT`, Host rewritten to the service's name), and refused
 * from any other page, DNS rebinding included (403).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consoleRequestListener } from '../../../../console/server/app.js';
import { callerIdentity } from '../../../../console/server/identity.js';
import type { ConsoleParts } from '../../../../console/server/routes.js';
import { consoleSettingsFromEnv } from '../../../../console/server/settings.js';
import { createLogger } from '../../../../shared/logging/logger.js';
import { asCloudRunPasses, TEST_AUDIENCE, tokenMint, unsignedToken } from '../../../helpers/idTokens.js';

const MINUTE = Date.UTC(2024, 0, 2, 4, 0);
const SERVICE_HOST = new URL(TEST_AUDIENCE).host;
const mint = tokenMint();
let server: Server;
let port = 0;
/** Who each triage applied was by. */
let appliedBy: string[];

beforeAll(async () => {
  const settings = consoleSettingsFromEnv({
    K_SERVICE: 'stock-anomalies-console',
    CONSOLE_AUDIENCES: TEST_AUDIENCE,
  });
  const parts = {
    settings,
    identity: callerIdentity(settings.identity, mint.certs),
    model: { setEpisodeStatus: () => undefined },
    now: () => MINUTE,
    triage: {
      apply: async (_id: string, request: { status: string }, by: string) => {
        appliedBy.push(by);
        return {
          episode: {
            symbol: 'ACME',
            start: Timestamp.fromMillis(MINUTE),
            end: Timestamp.fromMillis(MINUTE),
            count: 1,
            a1: 1,
            a2: 0,
            peakSeverity: 1,
            triage: { status: request.status },
          },
          history: [],
        };
      },
    },
  } as unknown as ConsoleParts;
  server = createServer(consoleRequestListener(parts, createLogger('console', { write: () => undefined })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  appliedBy = [];
});

/** A triage POST with exactly these headers (node:http sends Host and Origin as given, as a browser would not). */
function triage(headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify({ status: 'investigating' });
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/episodes/ACME@2024-01-02T04:00Z/triage',
        headers: { 'content-type': 'application/json', host: SERVICE_HOST, ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
}

const signed = { authorization: `Bearer ${mint.sign()}` };

describe('on Cloud Run, before any handler', () => {
  it('refuses a triage without a verified identity (401), applying nothing', async () => {
    expect(await triage({ authorization: `Bearer ${unsignedToken('forged@example.com')}` })).toBe(401);
    expect(await triage({})).toBe(401);
    expect(
      await triage({ authorization: `Bearer ${mint.sign({ aud: 'https://other-123.a.run.app' })}` }),
    ).toBe(401);
    expect(appliedBy).toEqual([]);
  });

  it('applies a triage with a verified identity as its email', async () => {
    expect(await triage(signed)).toBe(200);
    // As Cloud Run passes the token it checked on: its signature replaced, its claims checked here.
    expect(
      await triage({ authorization: `Bearer ${asCloudRunPasses(mint.sign({ email: 'bo@example.com' }))}` }),
    ).toBe(200);
    expect(appliedBy).toEqual(['ana@example.com', 'bo@example.com']);
  });

  it.each([
    ['a client that sends no Origin (not a browser)', {}],
    ['the service URL itself', { origin: `https://${SERVICE_HOST}` }],
    [
      'the proxy: Origin localhost:PORT, Host rewritten, the page same-origin with it',
      { origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' },
    ],
    ['the proxy on 127.0.0.1', { origin: 'http://127.0.0.1:9000', 'sec-fetch-site': 'same-origin' }],
  ])('takes a POST from %s', async (_, headers) => {
    expect(await triage({ ...signed, ...headers })).toBe(200);
    expect(appliedBy).toEqual(['ana@example.com']);
  });

  it.each([
    ['a page of another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    [
      'a page on another port of this machine (same site, not same origin)',
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
    ],
    [
      'a page of another site rebound to 127.0.0.1 (DNS rebinding: same-origin, its own name as Origin)',
      { origin: 'http://evil.example:8080', 'sec-fetch-site': 'same-origin' },
    ],
    [
      'a loopback Origin from a browser that says nothing of the relation',
      { origin: 'http://localhost:8080' },
    ],
  ])('refuses a POST from %s (403), applying nothing', async (_, headers) => {
    expect(await triage({ ...signed, ...headers })).toBe(403);
    expect(appliedBy).toEqual([]);
  });
});
