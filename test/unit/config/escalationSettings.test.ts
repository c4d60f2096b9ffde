/** Escalation's settings: detect's threshold and topic, escalate's webhook, format and console address. */
import { describe, expect, it } from 'vitest';
import { escalateSettings, escalationSettings } from '../../../shared/config/escalationSettings.js';
import { ConfigError } from '../../../shared/config/variables.js';
import { classify } from '../../../shared/errors.js';

describe('escalationSettings', () => {
  it('takes 60 and suspicious-episodes by default, and the values set', () => {
    expect(escalationSettings({})).toEqual({ threshold: 60, topic: 'suspicious-episodes' });
    expect(escalationSettings({ ESCALATION_SCORE: '72.5', ESCALATIONS_TOPIC: 'alarms' })).toEqual({
      threshold: 72.5,
      topic: 'alarms',
    });
    expect(escalationSettings({ ESCALATION_SCORE: '0' }).threshold).toBe(0);
    expect(escalationSettings({ ESCALATION_SCORE: '100' }).threshold).toBe(100);
  });

  it.each(['-1', '100.1', 'high', '6e1', '0x3c', '60%'])(
    'refuses ESCALATION_SCORE=%s, naming the variable, as a final error',
    (value) => {
      const read = () => escalationSettings({ ESCALATION_SCORE: value });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(
        `ESCALATION_SCORE must be a suspicion score from 0 to 100 (e.g. 60 or 72.5); got '${value}'`,
      );
      let error: unknown;
      try {
        read();
      } catch (caught) {
        error = caught;
      }
      expect(classify(error)).toBe('final');
    },
  );
});

describe('escalateSettings', () => {
  it('has no webhook by default (escalations only logged) and the local console', () => {
    expect(escalateSettings({})).toEqual({
      webhook: null,
      consoleUrl: 'http://127.0.0.1:8090/',
      escalationsCollection: 'escalations',
    });
  });

  it("takes the format from the webhook's host, or from CHAT_WEBHOOK_FORMAT", () => {
    const slack = 'https://hooks.slack.com/services/T0/B0/x';
    const chat = 'https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t';
    expect(escalateSettings({ CHAT_WEBHOOK_URL: slack }).webhook).toEqual({ url: slack, format: 'slack' });
    expect(escalateSettings({ CHAT_WEBHOOK_URL: chat }).webhook).toEqual({
      url: chat,
      format: 'google-chat',
    });
    expect(
      escalateSettings({ CHAT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', CHAT_WEBHOOK_FORMAT: 'google-chat' })
        .webhook,
    ).toEqual({ url: 'http://127.0.0.1:9/hook', format: 'google-chat' });
  });

  it("ends the console's address with a slash, for the hash route to follow", () => {
    expect(escalateSettings({ CONSOLE_URL: 'https://console.example.com/anomalies' }).consoleUrl).toBe(
      'https://console.example.com/anomalies/',
    );
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [
      { CHAT_WEBHOOK_URL: 'https://example.com/hook' },
      'CHAT_WEBHOOK_FORMAT must be set (slack or google-chat)',
    ],
    [{ CHAT_WEBHOOK_FORMAT: 'teams' }, "CHAT_WEBHOOK_FORMAT must be slack or google-chat; got 'teams'"],
    [
      { CHAT_WEBHOOK_URL: 'hooks.slack.com/services/secret' },
      'CHAT_WEBHOOK_URL must be an https:// (or http://) URL',
    ],
    [{ CONSOLE_URL: 'http://localhost:8080/#/episodes' }, 'CONSOLE_URL must be'],
  ])('stops with a message naming the variable: %j', (env, message) => {
    expect(() => escalateSettings(env)).toThrow(ConfigError);
    expect(() => escalateSettings(env)).toThrow(message);
  });

  it("never repeats the webhook's URL, a credential, in an error", () => {
    expect(() => escalateSettings({ CHAT_WEBHOOK_URL: 'ftp://secret-token@example.com/' })).toThrow(
      /^((?!secret-token).)*$/,
    );
  });
});
