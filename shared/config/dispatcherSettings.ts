/** The dispatcher's settings, read once at start-up (see variables.ts for the names and defaults). */
import { kafkaSettings, type KafkaSettings } from './kafkaSettings.js';
import { ConfigError, readPositiveInt, readVariable } from './variables.js';

export interface DispatcherSettings {
  kafka: KafkaSettings;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  /** detect's URL. */
  targetUrl: string;
  /** How the dispatcher proves who it is to detect: not at all (locally) or with a Google identity token. */
  auth: 'none' | 'google-id-token';
  initialBackoffMs: number;
  maxBackoffMs: number;
  attemptTimeoutMs: number;
}

/** @throws ConfigError naming the variable that is malformed and what it expects */
export function dispatcherSettings(env: NodeJS.ProcessEnv): DispatcherSettings {
  const auth = readVariable('DISPATCH_AUTH', env);
  if (auth !== 'none' && auth !== 'google-id-token') {
    throw new ConfigError(`DISPATCH_AUTH must be none or google-id-token, got '${auth}'`);
  }
  const targetUrl = readVariable('DETECT_URL', env);
  if (!URL.canParse(targetUrl) || !/^https?:$/.test(new URL(targetUrl).protocol)) {
    throw new ConfigError(`DETECT_URL must be an http(s) URL, got '${targetUrl}'`);
  }
  const initialBackoffMs = readPositiveInt('DISPATCH_INITIAL_BACKOFF_MS', env);
  const maxBackoffMs = readPositiveInt('DISPATCH_MAX_BACKOFF_MS', env);
  if (maxBackoffMs < initialBackoffMs) {
    throw new ConfigError(
      `DISPATCH_MAX_BACKOFF_MS (${maxBackoffMs}) must be at least DISPATCH_INITIAL_BACKOFF_MS (${initialBackoffMs})`,
    );
  }
  return {
    kafka: kafkaSettings(env),
    topic: readVariable('KAFKA_TOPIC', env),
    deadLetterTopic: readVariable('KAFKA_DEAD_LETTER_TOPIC', env),
    groupId: readVariable('KAFKA_GROUP_ID', env),
    targetUrl,
    auth,
    initialBackoffMs,
    maxBackoffMs,
    attemptTimeoutMs: readPositiveInt('DISPATCH_ATTEMPT_TIMEOUT_MS', env),
  };
}
