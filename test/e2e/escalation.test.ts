/**
 * escalate on the local stack, with a local HTTP receiver standing in for the chat service: an escalation
 * message published to the stack's suspicious-episodes topic is posted once with Slack's body and the console's
 * link; the same message published again (a redelivery) posts nothing; a receiver failing once with a 500 gets
 * the message again from Pub/Sub and takes it once. And end to end: an episode whose settled score crosses
 * ESCALATION_SCORE is published by settle, posted once, and not again when a later settle scores it again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../../stack/endpoints.js';
import { runCli } from '../helpers/runCli.js';
import { deliveryCounter, killAndRestart } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';
const db = new Firestore({ projectId: endpoints.project });
const pubsub = new PubSub({
  projectId: endpoints.project,
  apiEndpoint: endpoints.pubsub.emulatorHost,
  emulatorMode: true,
});
const CONSOLE = `http://127.0.0.1:${endpoints.consolePort}/`;

/** The chat service: records each request, answers with the next status queued (200 when none). */
interface Receiver {
  server: Server;
  url: string;
  requests: Array<{ path: string; contentType: string | undefined; body: unknown; answered: number }>;
  statuses: number[];
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { requests: [], statuses: [] } as unknown as Receiver;
  receiver.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = receiver.statuses.shift() ?? 200;
      receiver.requests.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString()),
        answered: status,
      });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/services/hook`;
  return receiver;
}

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // escalate posts to the receiver, in Slack's format (a loopback host implies none).
  await killAndRestart('escalate', { CHAT_WEBHOOK_URL: receiver.url, CHAT_WEBHOOK_FORMAT: 'slack' });
});

afterAll(async () => {
  // Back to the stack's own setting: no webhook, escalations only logged.
  await killAndRestart('escalate', { CHAT_WEBHOOK_URL: '', CHAT_WEBHOOK_FORMAT: '' });
  await new Promise((resolve) => receiver.server.close(resolve));
  await pubsub.close();
  await db.terminate();
});

const run = Date.now().toString(36).toUpperCase();

function escalation(symbol: string) {
  return {
    v: 1,
    episode: `${symbol}@2017-01-02T04:49:00Z`,
    symbol,
    start: '2017-01-02T04:49:00Z',
    end: '2017-01-02T05:06:00Z',
    score: 72.5,
    factors: [{ factor: 'move', points: 30, detail: '+2.9% in 20 min' }],
    alerts: 12,
  };
}

async function publish(message: unknown): Promise<void> {
  await pubsub
    .topic(endpoints.pubsub.escalationsTopic)
    .publishMessage({ data: Buffer.from(JSON.stringify(message)) });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}

const requestsFor = (symbol: string) =>
  receiver.requests.filter((request) => JSON.stringify(request.body).includes(`${symbol}@`));

describe('escalate', () => {
  it("posts an escalation once, in Slack's format with the console's link, and a redelivery posts nothing", async () => {
    const symbol = `ESC${run}`;
    const deliveries = deliveryCounter('escalate');
    await publish(escalation(symbol));
    await until(() => requestsFor(symbol).length === 1, 'the first post');

    const link = `${CONSOLE}#/episodes/${symbol}@2017-01-02T04:49:00Z`;
    const [request] = requestsFor(symbol);
    expect(request!.path).toBe('/services/hook');
    expect(request!.contentType).toBe('application/json; charset=UTF-8');
    expect(request!.body).toEqual({
      text:
        `Suspicious episode: ${symbol}, score 72.5 of 100, 2017-01-02 04:49–05:06 UTC, 12 alerts. ` +
        `<${link}|Open in the console>`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `Suspicious episode: ${symbol}` } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Score*\n72.5 of 100' },
            { type: 'mrkdwn', text: '*Alerts*\n12' },
            { type: 'mrkdwn', text: '*When*\n2017-01-02 04:49–05:06 UTC' },
            { type: 'mrkdwn', text: `*Episode*\n${symbol}@2017-01-02T04:49:00Z` },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Why*\n• *move* +30.0: +2.9% in 20 min' } },
        {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Open in the console' }, url: link },
          ],
        },
      ],
    });
    const marker = db.collection('escalations').doc(`${symbol}@2017-01-02T04:49:00Z`);
    await until(async () => (await marker.get()).get('status') === 'sent', 'the marker says sent');
    expect((await marker.get()).data()).toMatchObject({
      status: 'sent',
      httpStatus: 200,
      attempts: 1,
      score: 72.5,
    });

    // The same message again, as Pub/Sub redelivers it: escalate receives it and posts nothing.
    await publish(escalation(symbol));
    await until(() => deliveries().length >= 2, 'the second delivery');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(requestsFor(symbol)).toHaveLength(1);
  });

  it('takes a message again after a 500 and posts it once', async () => {
    const symbol = `RETRY${run}`;
    receiver.statuses.push(500);
    await publish(escalation(symbol));
    await until(() => requestsFor(symbol).some((request) => request.answered === 200), 'a post answered 200');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(requestsFor(symbol).map((request) => request.answered)).toEqual([500, 200]);
    const marker = await db.collection('escalations').doc(`${symbol}@2017-01-02T04:49:00Z`).get();
    expect(marker.data()).toMatchObject({ status: 'sent', httpStatus: 200, attempts: 2 });
  });

  it('escalates an episode whose settled score crosses the threshold once, however often it is scored again', async () => {
    // Contract §6's worked example: a spike that reverts, scored 63.3 (the stack's ESCALATION_SCORE is 60).
    const symbol = `HOT${run}`;
    const dir = mkdtempSync(join(tmpdir(), 'escalation-'));
    const minute = (i: number) => new Date(Date.UTC(2017, 0, 2, 3, 45 + i)).toISOString().slice(0, 16);
    const lines = ['timestamp,symbol,open,high,low,close,volume'];
    for (let i = 0; i < 40; i++) {
      const close = i % 2 === 0 ? '100.1' : '100';
      lines.push(`${minute(i)}:00Z,${symbol},${close},${close},${close},${close},1000`);
    }
    lines.push(`${minute(40)}:00Z,${symbol},100,102,100,102,5000`);
    lines.push(`${minute(41)}:00Z,${symbol},102,102,100.1,100.1,3000`);
    const hot = join(dir, `${symbol}.csv`);
    writeFileSync(hot, `${lines.join('\n')}\n`);
    expect((await runCli(['drop', hot])).code).toBe(0);
    expect((await runCli(['wait', '--timeout', '120'])).code).toBe(0);
    const id = `${symbol}@2017-01-02T04:25:00Z`;
    await until(() => requestsFor(symbol).length === 1, 'the escalation posted');
    const episode = (await db.collection('episodes').doc(id).get()).data()!;
    expect(episode).toMatchObject({ score: 63.3, scoreSettled: true });
    expect(episode.escalatedAt).toBeDefined();
    expect(JSON.stringify(requestsFor(symbol)[0]!.body)).toContain('score 63.3 of 100');

    // Another symbol's bars in the same minutes: settle scores the episode again (the market it is measured
    // against changed), and does not publish it again.
    const other = join(dir, `COLD${run}.csv`);
    writeFileSync(
      other,
      lines
        .map((line) => line.replace(symbol, `COLD${run}`))
        .join('\n')
        .replace('102,5000', '101,1000') + '\n',
    );
    expect((await runCli(['drop', other])).code).toBe(0);
    expect((await runCli(['wait', '--timeout', '120'])).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    const rescored = await db.collection('episodes').doc(id).get();
    expect(rescored.get('scoredAt').toMillis()).toBeGreaterThan(episode.scoredAt.toMillis());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(requestsFor(symbol)).toHaveLength(1);
  });
});
