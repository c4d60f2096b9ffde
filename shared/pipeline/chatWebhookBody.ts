/**
 * What escalate posts to a chat's incoming webhook for an escalation message: Slack's body (`{text, blocks}`,
 * Block Kit) or Google Chat's (`{text, cardsV2}`), each with a link to the episode's page in the console. Pure:
 * the same message gives the same bytes, whichever delivery posts it.
 */
import type { EscalationFactor, EscalationMessage } from './escalationMessage.js';

/** The chat services whose incoming webhooks escalate posts to, each with its own body. */
export const CHAT_FORMATS = ['slack', 'google-chat'] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

/**
 * The console's page of an episode: its address and the hash route `#/episodes/:id` (console/web/hashRoutes.ts,
 * whose `encodeSegment` this repeats: the id encoded, `@` and `:` kept readable).
 */
export function episodeLink(consoleUrl: string, episode: string): string {
  const segment = encodeURIComponent(episode).replace(/%40/g, '@').replace(/%3A/gi, ':');
  return `${consoleUrl}#/episodes/${segment}`;
}

const LINK_TEXT = 'Open in the console';

/** `2017-01-02 05:06–05:20 UTC`, or both dates when the episode crosses midnight UTC. */
export function episodeSpan(start: string, end: string): string {
  const [startDay, startTime] = [start.slice(0, 10), start.slice(11, 16)];
  const [endDay, endTime] = [end.slice(0, 10), end.slice(11, 16)];
  if (startDay !== endDay) return `${startDay} ${startTime} – ${endDay} ${endTime} UTC`;
  return startTime === endTime ? `${startDay} ${startTime} UTC` : `${startDay} ${startTime}–${endTime} UTC`;
}

const oneDecimal = (value: number) => value.toFixed(1);
const signed = (points: number) => (points >= 0 ? `+${oneDecimal(points)}` : oneDecimal(points));
const alertsText = (count: number) => (count === 1 ? '1 alert' : `${count} alerts`);

/** The one line both formats start from, and what a notification shows. */
function summary(message: EscalationMessage): string {
  return (
    `Suspicious episode: ${message.symbol}, score ${oneDecimal(message.score)} of 100, ` +
    `${episodeSpan(message.start, message.end)}, ${alertsText(message.alerts)}.`
  );
}

/** Slack's text escaping: `&`, `<` and `>` only (its link and mention syntax uses them). */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const slackFactor = ({ factor, points, detail }: EscalationFactor) =>
  `• *${factor}* ${signed(points)}: ${slackEscape(detail)}`;

/** Slack's incoming-webhook body: a text fallback (notifications) and Block Kit blocks. */
export function slackBody(message: EscalationMessage, link: string): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: `Suspicious episode: ${message.symbol}`.slice(0, 150) },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Score*\n${oneDecimal(message.score)} of 100` },
        { type: 'mrkdwn', text: `*Alerts*\n${message.alerts}` },
        { type: 'mrkdwn', text: `*When*\n${episodeSpan(message.start, message.end)}` },
        { type: 'mrkdwn', text: `*Episode*\n${slackEscape(message.episode)}` },
      ],
    },
  ];
  if (message.factors.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Why*\n${message.factors.map(slackFactor).join('\n')}` },
    });
  }
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: LINK_TEXT }, url: link }],
  });
  return { text: `${slackEscape(summary(message))} <${link}|${LINK_TEXT}>`, blocks };
}

/** Google Chat's card text takes a few HTML tags: the figures are shown as text. */
const htmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Google Chat's incoming-webhook body: a text fallback and one card (cardsV2). */
export function googleChatBody(message: EscalationMessage, link: string): Record<string, unknown> {
  const sections: Record<string, unknown>[] = [];
  if (message.factors.length > 0) {
    sections.push({
      header: 'Why',
      widgets: message.factors.map(({ factor, points, detail }) => ({
        decoratedText: { topLabel: `${factor} ${signed(points)}`, text: htmlEscape(detail), wrapText: true },
      })),
    });
  }
  sections.push({
    widgets: [{ buttonList: { buttons: [{ text: LINK_TEXT, onClick: { openLink: { url: link } } }] } }],
  });
  return {
    text: `${summary(message)} <${link}|${LINK_TEXT}>`,
    cardsV2: [
      {
        cardId: 'escalation',
        card: {
          header: {
            title: `Suspicious episode: ${message.symbol}`,
            subtitle:
              `Score ${oneDecimal(message.score)} of 100 · ${episodeSpan(message.start, message.end)} · ` +
              alertsText(message.alerts),
          },
          sections,
        },
      },
    ],
  };
}

/** The body for the webhook's format. */
export function chatWebhookBody(
  format: ChatFormat,
  message: EscalationMessage,
  consoleUrl: string,
): Record<string, unknown> {
  const link = episodeLink(consoleUrl, message.episode);
  return format === 'slack' ? slackBody(message, link) : googleChatBody(message, link);
}
