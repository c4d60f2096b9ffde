/** Settings read once at start-up: defaults, overrides, and a malformed value named with what it expects. */
import { describe, expect, it } from 'vitest';
import { detectSettings } from '../../../shared/config/detectSettings.js';
import { dispatcherSettings } from '../../../shared/config/dispatcherSettings.js';
import { ConfigError } from '../../../shared/config/variables.js';

describe('dispatcherSettings', () => {
  it('takes the local defaults when nothing is set', () => {
    expect(dispatcherSettings({})).toMatchObject({
      topic: 'minute-bars',
      deadLetterTopic: 'minute-bars-dead-letter',
      groupId: 'stock-anomalies-detect',
      targetUrl: 'http://127.0.0.1:8082/',
      auth: 'none',
      initialBackoffMs: 200,
      maxBackoffMs: 30_000,
      attemptTimeoutMs: 300_000,
    });
  });

  it('takes each variable set', () => {
    expect(
      dispatcherSettings({
        DETECT_URL: 'https://detect.example/',
        DISPATCH_AUTH: 'google-id-token',
        DISPATCH_INITIAL_BACKOFF_MS: '50',
        DISPATCH_MAX_BACKOFF_MS: '5000',
        DISPATCH_ATTEMPT_TIMEOUT_MS: '1000',
      }),
    ).toMatchObject({
      targetUrl: 'https://detect.example/',
      auth: 'google-id-token',
      initialBackoffMs: 50,
      maxBackoffMs: 5_000,
      attemptTimeoutMs: 1_000,
    });
  });

  it.each([
    [{ DISPATCH_AUTH: 'token' }, "DISPATCH_AUTH must be none or google-id-token, got 'token'"],
    [{ DETECT_URL: 'detect:8082' }, "DETECT_URL must be an http(s) URL, got 'detect:8082'"],
    [{ DISPATCH_MAX_BACKOFF_MS: '-1' }, "DISPATCH_MAX_BACKOFF_MS must be a positive integer, got '-1'"],
    [
      { DISPATCH_ATTEMPT_TIMEOUT_MS: '1.5' },
      "DISPATCH_ATTEMPT_TIMEOUT_MS must be a positive integer, got '1.5'",
    ],
    [
      { DISPATCH_INITIAL_BACKOFF_MS: '500', DISPATCH_MAX_BACKOFF_MS: '100' },
      'DISPATCH_MAX_BACKOFF_MS (100) must be at least DISPATCH_INITIAL_BACKOFF_MS (500)',
    ],
  ])('stops with a message naming the variable: %j', (env, message) => {
    const attempt = () => dispatcherSettings(env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});

describe('detectSettings', () => {
  it('compiles the detection settings from the defaults', () => {
    const settings = detectSettings({});
    expect(settings).toMatchObject({
      anomaliesTopic: 'anomalies',
      stateCollection: 'symbol-state',
      ingestionsCollection: 'ingestions',
      episodesCollection: 'episodes',
      barsCollection: 'bars',
    });
    expect(settings.detection.parameters).toEqual({
      a1: '0.005',
      a2: '0.02',
      windowMinutes: 10,
      episodeGapMinutes: 5,
      latenessHorizonDays: 7,
      timezone: 'Asia/Kolkata',
    });
  });

  it.each([
    [{ A1_THRESHOLD: 'half' }, "A1_THRESHOLD: a1 must be a non-negative decimal number, got 'half'"],
    [{ A2_THRESHOLD: '-0.02' }, "A2_THRESHOLD: a2 must be a non-negative decimal number, got '-0.02'"],
    [{ WINDOW_MINUTES: 'ten' }, "WINDOW_MINUTES must be a positive integer, got 'ten'"],
    [
      { EXCHANGE_TIMEZONE: 'Mars/Olympus' },
      "EXCHANGE_TIMEZONE: unknown time zone 'Mars/Olympus' (use an IANA name like Asia/Kolkata or UTC)",
    ],
  ])('stops with a message naming the variable: %j', (env, message) => {
    const attempt = () => detectSettings(env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
