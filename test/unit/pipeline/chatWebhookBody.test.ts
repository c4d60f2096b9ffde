/** What escalate posts: Slack's and Google Chat's bodies, written out by hand, and the console's link. */
import { describe, expect, it } from 'vitest';
import { parseHash } from '../../../console/web/hashRoutes.js';
import { chatWebhookBody, episodeLink, episodeSpan } from '../../../shared/pipeline/chatWebhookBody.js';
import type { EscalationMessage } from '../../../shared/pipeline/escalationMessage.js';

const message: EscalationMessage = {
  v: 1,
  episode: 'M&M@2017-01-02T04:49:00Z',
  symbol: 'M&M',
  start: '2017-01-02T04:49:00Z',
  end: '2017-01-02T05:06:00Z',
  score: 72.5,
  factors: [
    { factor: 'move', points: 30, detail: '+2.9% in 20 min, 6.1× its usual volatility' },
    { factor: 'volume', points: 25.5, detail: 'volume > 8× usual' },
  ],
  alerts: 12,
};
const CONSOLE = 'https://console.example.com/';
const LINK = 'https://console.example.com/#/episodes/M%26M@2017-01-02T04:49:00Z';

describe('episodeLink', () => {
  it("is the console's hash route of the episode, which the console reads back as that episode", () => {
    expect(episodeLink(CONSOLE, message.episode)).toBe(LINK);
    const hash = new URL(LINK).hash;
    expect(parseHash(hash)).toMatchObject({ page: 'episode', id: 'M&M@2017-01-02T04:49:00Z' });
  });
});

describe('episodeSpan', () => {
  it('gives the day once, both days across midnight UTC, and one minute once', () => {
    expect(episodeSpan('2017-01-02T04:49:00Z', '2017-01-02T05:06:00Z')).toBe('2017-01-02 04:49–05:06 UTC');
    expect(episodeSpan('2017-01-02T23:58:00Z', '2017-01-03T00:02:00Z')).toBe(
      '2017-01-02 23:58 – 2017-01-03 00:02 UTC',
    );
    expect(episodeSpan('2017-01-02T04:49:00Z', '2017-01-02T04:49:00Z')).toBe('2017-01-02 04:49 UTC');
  });
});

describe('chatWebhookBody', () => {
  it("gives Slack's {text, blocks}, its text escaped as Slack asks", () => {
    expect(chatWebhookBody('slack', message, CONSOLE)).toEqual({
      text:
        'Suspicious episode: M&amp;M, score 72.5 of 100, 2017-01-02 04:49–05:06 UTC, 12 alerts. ' +
        `<${LINK}|Open in the console>`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Suspicious episode: M&M' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Score*\n72.5 of 100' },
            { type: 'mrkdwn', text: '*Alerts*\n12' },
            { type: 'mrkdwn', text: '*When*\n2017-01-02 04:49–05:06 UTC' },
            { type: 'mrkdwn', text: '*Episode*\nM&amp;M@2017-01-02T04:49:00Z' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Why*\n• *move* +30.0: +2.9% in 20 min, 6.1× its usual volatility\n' +
              '• *volume* +25.5: volume &gt; 8× usual',
          },
        },
        {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Open in the console' }, url: LINK },
          ],
        },
      ],
    });
  });

  it("gives Google Chat's {text, cardsV2}", () => {
    expect(chatWebhookBody('google-chat', message, CONSOLE)).toEqual({
      text:
        'Suspicious episode: M&M, score 72.5 of 100, 2017-01-02 04:49–05:06 UTC, 12 alerts. ' +
        `<${LINK}|Open in the console>`,
      cardsV2: [
        {
          cardId: 'escalation',
          card: {
            header: {
              title: 'Suspicious episode: M&M',
              subtitle: 'Score 72.5 of 100 · 2017-01-02 04:49–05:06 UTC · 12 alerts',
            },
            sections: [
              {
                header: 'Why',
                widgets: [
                  {
                    decoratedText: {
                      topLabel: 'move +30.0',
                      text: '+2.9% in 20 min, 6.1× its usual volatility',
                      wrapText: true,
                    },
                  },
                  {
                    decoratedText: { topLabel: 'volume +25.5', text: 'volume &gt; 8× usual', wrapText: true },
                  },
                ],
              },
              {
                widgets: [
                  {
                    buttonList: {
                      buttons: [{ text: 'Open in the console', onClick: { openLink: { url: LINK } } }],
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    });
  });

  it('leaves out the reasons when no factor added points, and says "1 alert"', () => {
    const bare = { ...message, factors: [], alerts: 1 };
    const slack = chatWebhookBody('slack', bare, CONSOLE) as {
      blocks: Array<{ type: string }>;
      text: string;
    };
    expect(slack.blocks.map((block) => block.type)).toEqual(['header', 'section', 'actions']);
    expect(slack.text).toContain(', 1 alert.');
    const chat = chatWebhookBody('google-chat', bare, CONSOLE) as {
      cardsV2: Array<{ card: { sections: unknown[] } }>;
    };
    expect(chat.cardsV2[0]!.card.sections).toHaveLength(1);
  });
});
