/**
 * The console as Cloud Run runs it (K_SERVICE set), on the real emulator: a triage whose token is forged is
 * refused (401) and leaves no history; the documented way in, `gcloud run services proxy` (here a local proxy
 * that rewrites Host to the service's name and adds the analyst's ID token, as it does), works from the
 * console's own page in Chromium, recording the verified email; a POST from a page of another origin, sent
 * through the same proxy with the same token, is refused (403) and leaves no history.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../../helpers/browser.js';
import { TEST_AUDIENCE, tokenMint, unsignedToken } from '../../helpers/idTokens.js';
import { startRunProxy, type RunProxy } from '../../helpers/runProxy.js';
import { auditDb, COLLECTIONS, post, seededConsole, url } from './consoleUnderTest.js';
import { seeded, triaged } from './seeds.js';

const mint = tokenMint();
seededConsole({
  env: { K_SERVICE: 'stock-anomalies-console', CONSOLE_AUDIENCES: TEST_AUDIENCE, CONSOLE_HOST: '127.0.0.1' },
  idTokenCerts: mint.certs,
});
const browser = useBrowser();

const SERVICE_HOST = new URL(TEST_AUDIENCE).host;
const untriaged = seeded.episodes.filter((episode) => !triaged.has(episode.id));
const triagePath = (id: string) => `/api/episodes/${encodeURIComponent(id)}/triage`;
const historyOf = async (id: string) =>
  (await auditDb.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${id}/history`).get()).docs.map((doc) =>
    doc.data(),
  );

let proxy: RunProxy;
/** A page of another origin on this machine: what a CSRF attempt would be served from. */
let elsewhere: Server;
let elsewhereUrl = '';

beforeAll(async () => {
  proxy = await startRunProxy(new URL(url('/')), SERVICE_HOST, () => mint.sign({ email: 'ana@example.com' }));
  elsewhere = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://localhost:${(elsewhere.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => elsewhere?.close(resolve));
});

describe('the console on Cloud Run terms: verified identity', () => {
  it('refuses a triage with a forged token (401) and records nothing', async () => {
    const episode = untriaged[0]!;
    const refused = await post(
      triagePath(episode.id),
      { status: 'confirmed', comment: 'forged' },
      { authorization: `Bearer ${unsignedToken('forged@example.com')}` },
    );
    expect(refused.status).toBe(401);
    expect(refused.body.error).toContain('no verified identity');
    expect(await historyOf(episode.id)).toEqual([]);
    expect((await auditDb.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).exists).toBe(
      false,
    );
  });

  it("triages through the Host-rewriting proxy from the console's own page, as the verified email", async () => {
    const episode = untriaged[1]!;
    const page = await browser.newPage();
    await page.goto(`${proxy.url}/#/episodes`);
    // The lists came through the proxy (GETs with the token, Host rewritten).
    await page.waitForSelector('[data-testid=episode-row]');
    const answer = await page.evaluate(async (path) => {
      const response = await fetch(path, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'investigating', assignee: 'ana', seen: null }),
      });
      return { status: response.status, body: (await response.json()) as { episode: { updatedBy: string } } };
    }, triagePath(episode.id));
    expect(answer.status).toBe(200);
    expect(answer.body.episode.updatedBy).toBe('ana@example.com');
    expect(await historyOf(episode.id)).toMatchObject([
      { by: 'ana@example.com', from: 'new', to: 'investigating' },
    ]);
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('refuses a POST from a page of another origin sent through the same proxy (403), recording nothing', async () => {
    const episode = untriaged[2]!;
    const page = await browser.newPage();
    await page.goto(elsewhereUrl);
    // A simple request (no preflight): the browser sends it, with the proxy's credentials added on the way.
    await page.evaluate(
      async ([target]) => {
        // The console's answer carries Cross-Origin-Resource-Policy: same-origin, so the browser hands the page a
        // network error whatever the status; the proxy notes the status.
        await fetch(target!, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ status: 'dismissed', comment: 'forged from elsewhere' }),
        }).catch(() => undefined);
      },
      [`${proxy.url}${triagePath(episode.id)}`],
    );
    const sent = proxy.seen.filter(
      (entry) => entry.method === 'POST' && entry.path === triagePath(episode.id),
    );
    expect(sent).toEqual([{ method: 'POST', path: triagePath(episode.id), status: 403 }]);
    expect(await historyOf(episode.id)).toEqual([]);
  });
});
