/**
 * The escalation settings: the threshold and topic detect reads beside its others (detectSettings), and the
 * escalate function's (escalateSettings). Read once, when an instance starts; a malformed value stops it with a
 * ConfigError naming the variable (see variables.ts for the names and defaults).
 */
import { CHAT_FORMATS, type ChatFormat } from '../pipeline/chatWebhookBody.js';
import { ConfigError, readVariable } from './variables.js';

/** What detect needs to escalate an episode (shared/pipeline/escalationDecision.ts). */
export interface EscalationSettings {
  /** The suspicion score (0 to 100) at or above which a settled episode is escalated. */
  readonly threshold: number;
  /** The Pub/Sub topic escalations go to. */
  readonly topic: string;
}

/** @throws ConfigError when ESCALATION_SCORE is not a number from 0 to 100 */
export function escalationSettings(env: NodeJS.ProcessEnv): EscalationSettings {
  return { threshold: readScore(env), topic: readVariable('ESCALATIONS_TOPIC', env) };
}

function readScore(env: NodeJS.ProcessEnv): number {
  const text = readVariable('ESCALATION_SCORE', env).trim();
  // Plain decimals only, as scores are written (one decimal): Number() would also take '1e1', '0x3c' and ''.
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value > 100) {
    throw new ConfigError(
      `ESCALATION_SCORE must be a suspicion score from 0 to 100 (e.g. 60 or 72.5); got '${readVariable('ESCALATION_SCORE', env)}'`,
    );
  }
  return value;
}

const isChatFormat = (text: string): text is ChatFormat => (CHAT_FORMATS as readonly string[]).includes(text);

/** The format a webhook's host implies, when it is one of the services' own. */
const FORMAT_BY_HOST: Record<string, ChatFormat> = {
  'hooks.slack.com': 'slack',
  'chat.googleapis.com': 'google-chat',
};

export interface EscalateSettings {
  /** The webhook, or null when none is set: escalations are then only logged (the local stack's default). */
  readonly webhook: { readonly url: string; readonly format: ChatFormat } | null;
  /** The console's address (ending in '/'), to which an episode's hash route is appended. */
  readonly consoleUrl: string;
  /** Where escalate keeps its marker per episode (docs/records.md, `escalations/`). */
  readonly escalationsCollection: string;
}

/**
 * The escalate function's settings. The webhook's URL is a credential (whoever has it can post to the channel):
 * no message here repeats it.
 *
 * @throws ConfigError naming the variable that is malformed
 */
export function escalateSettings(env: NodeJS.ProcessEnv): EscalateSettings {
  return {
    webhook: readWebhook(env),
    consoleUrl: readConsoleUrl(env),
    escalationsCollection: readVariable('ESCALATIONS_COLLECTION', env),
  };
}

function httpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

function readWebhook(env: NodeJS.ProcessEnv): EscalateSettings['webhook'] {
  const text = readVariable('CHAT_WEBHOOK_URL', env).trim();
  const formatText = readVariable('CHAT_WEBHOOK_FORMAT', env).trim();
  if (formatText !== '' && !isChatFormat(formatText)) {
    throw new ConfigError(`CHAT_WEBHOOK_FORMAT must be ${CHAT_FORMATS.join(' or ')}; got '${formatText}'`);
  }
  if (text === '') return null;
  const url = httpUrl(text);
  if (url === null) throw new ConfigError('CHAT_WEBHOOK_URL must be an https:// (or http://) URL');
  const format = formatText === '' ? FORMAT_BY_HOST[url.hostname.toLowerCase()] : formatText;
  if (format === undefined) {
    throw new ConfigError(
      `CHAT_WEBHOOK_FORMAT must be set (${CHAT_FORMATS.join(' or ')}): the webhook's host ${url.hostname} is neither hooks.slack.com nor chat.googleapis.com`,
    );
  }
  return { url: text, format };
}

function readConsoleUrl(env: NodeJS.ProcessEnv): string {
  const text = readVariable('CONSOLE_URL', env).trim();
  const url = httpUrl(text);
  if (url === null || url.hash !== '' || url.search !== '') {
    throw new ConfigError(
      `CONSOLE_URL must be the console's http(s) address, without a query or '#'; got '${readVariable('CONSOLE_URL', env)}'`,
    );
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
