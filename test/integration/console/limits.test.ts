/**
 * The per-caller limits over real HTTP, on the console as Cloud Run runs it (callers told apart by their verified
 * ID tokens): past its burst a caller gets 429 with Retry-After while another caller is still served; event
 * streams past a caller's own cap, or past the instance's, get 429 with Retry-After until one is closed.
 */
import { describe, expect, it } from 'vitest';
import { TEST_AUDIENCE, tokenMint } from '../../helpers/idTokens.js';
import { seededConsole, url } from './consoleUnderTest.js';

const mint = tokenMint();
seededConsole({
  env: {
    K_SERVICE: 'stock-anomalies-console',
    CONSOLE_AUDIENCES: TEST_AUDIENCE,
    CONSOLE_HOST: '127.0.0.1',
    CONSOLE_RATE_PER_MINUTE: '6',
    CONSOLE_RATE_BURST: '4',
    CONSOLE_MAX_STREAMS: '3',
    CONSOLE_MAX_STREAMS_PER_CALLER: '2',
  },
  idTokenCerts: mint.certs,
});

const as = (email: string) => ({ authorization: `Bearer ${mint.sign({ email })}` });

async function meta(email: string): Promise<{ status: number; retryAfter: string | null }> {
  const response = await fetch(url('/api/meta'), { headers: as(email) });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

/** An event stream held open (its first event read), or the refusal; close() ends it. */
async function openStream(email: string) {
  const controller = new AbortController();
  const response = await fetch(url('/api/events'), { headers: as(email), signal: controller.signal });
  if (response.status === 200) await response.body!.getReader().read();
  else await response.arrayBuffer();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    close: () => controller.abort(),
  };
}

describe('the console on Cloud Run terms: limits per caller', () => {
  it('answers a caller past its burst 429 with Retry-After (6 a minute: 10 s), and still serves another', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await meta('rate@example.com'));
    expect(answers.slice(0, 4).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers[4]!.status).toBe(429);
    // One token every 10 s; the burst spent within a second or so, the wait left is 9 or 10 s.
    expect(Number(answers[4]!.retryAfter)).toBeGreaterThanOrEqual(9);
    expect(Number(answers[4]!.retryAfter)).toBeLessThanOrEqual(10);
    expect((await meta('other@example.com')).status).toBe(200);
  });

  it('caps the event streams open per caller and in all, answering 429 with Retry-After until one closes', async () => {
    const first = await openStream('ana@example.com');
    const second = await openStream('ana@example.com');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await openStream('ana@example.com');
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(0);

    const bo = await openStream('bo@example.com');
    expect(bo.status).toBe(200);
    const cy = await openStream('cy@example.com');
    expect(cy.status).toBe(429); // three open on the instance
    expect(Number(cy.retryAfter)).toBeGreaterThan(0);

    first.close();
    // The server frees the slot when it sees the connection close.
    let again = await openStream('cy@example.com');
    for (let tries = 0; again.status !== 200 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await openStream('cy@example.com');
    }
    expect(again.status).toBe(200);
    for (const stream of [second, bo, again]) stream.close();
  });
});
