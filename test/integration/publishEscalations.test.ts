/**
 * publishEscalations against the Pub/Sub emulator of the local stack: each message arrives once, as the JSON
 * escalate reads, with the episode and symbol as attributes. A topic of its own per run.
 */
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, describe, expect, it } from 'vitest';
import { publishEscalations } from '../../shared/clients/publishEscalations.js';
import type { EscalationMessage } from '../../shared/pipeline/escalationMessage.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
const pubsub = new PubSub({
  projectId: endpoints.project,
  apiEndpoint: endpoints.pubsub.emulatorHost,
  emulatorMode: true,
});
const topic = `escalations-test-${Date.now().toString(36)}-${process.pid}`;

afterAll(async () => {
  await pubsub
    .topic(topic)
    .delete()
    .catch(() => undefined);
  await pubsub.close();
});

const message = (symbol: string, score: number): EscalationMessage => ({
  v: 1,
  episode: `${symbol}@2017-01-02T04:49:00Z`,
  symbol,
  start: '2017-01-02T04:49:00Z',
  end: '2017-01-02T05:06:00Z',
  score,
  factors: [{ factor: 'move', points: 30, detail: '+2.9% in 20 min' }],
  alerts: 12,
});

describe('publishEscalations', () => {
  it('publishes each message once, as JSON with the episode and symbol as attributes', async () => {
    await pubsub.createTopic(topic);
    const [subscription] = await pubsub.topic(topic).createSubscription(`${topic}-pull`);
    const sent = [message('ACME', 72.5), message('INFY', 61)];

    const ids = await publishEscalations(pubsub, topic, sent);
    expect(ids).toHaveLength(2);
    expect(await publishEscalations(pubsub, topic, [])).toEqual([]);

    const received: Array<{ data: unknown; attributes: Record<string, string> }> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of 2 messages in 20 s`)),
        20_000,
      );
      subscription.on(
        'message',
        (pulled: { data: Buffer; attributes: Record<string, string>; ack(): void }) => {
          received.push({ data: JSON.parse(pulled.data.toString()), attributes: pulled.attributes });
          pulled.ack();
          if (received.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      );
      subscription.on('error', reject);
    });
    await subscription.close();

    received.sort((a, b) => a.attributes.symbol!.localeCompare(b.attributes.symbol!));
    expect(received).toEqual([
      {
        data: {
          v: 1,
          episode: 'ACME@2017-01-02T04:49:00Z',
          symbol: 'ACME',
          start: '2017-01-02T04:49:00Z',
          end: '2017-01-02T05:06:00Z',
          score: 72.5,
          factors: [{ factor: 'move', points: 30, detail: '+2.9% in 20 min' }],
          alerts: 12,
        },
        attributes: { episode: 'ACME@2017-01-02T04:49:00Z', symbol: 'ACME' },
      },
      {
        data: {
          v: 1,
          episode: 'INFY@2017-01-02T04:49:00Z',
          symbol: 'INFY',
          start: '2017-01-02T04:49:00Z',
          end: '2017-01-02T05:06:00Z',
          score: 61,
          factors: [{ factor: 'move', points: 30, detail: '+2.9% in 20 min' }],
          alerts: 12,
        },
        attributes: { episode: 'INFY@2017-01-02T04:49:00Z', symbol: 'INFY' },
      },
    ]);
  });

  it('reports a topic that does not exist as a Pub/Sub error', async () => {
    await expect(publishEscalations(pubsub, `${topic}-missing`, [message('ACME', 70)])).rejects.toThrow(
      /Pub\/Sub/,
    );
  });
});
