/**
 * notify's settings, read from the environment and checked once, when the function loads: a malformed value
 * fails the deploy's first start, instead of every event or (worse) none.
 */
import { ConfigError, readVariable } from './variables.js';

export interface NotifySettings {
  /** The Firestore collection alerts are written to. */
  readonly alertsCollection: string;
  /** Days after writing at which an alert expires (a Firestore TTL policy deletes it); 0 = never. */
  readonly alertTtlDays: number;
}

/** @throws ConfigError naming the variable and what it expects */
export function notifySettings(env: NodeJS.ProcessEnv): NotifySettings {
  return {
    alertsCollection: readVariable('ALERTS_COLLECTION', env),
    alertTtlDays: readTtlDays(env),
  };
}

function readTtlDays(env: NodeJS.ProcessEnv): number {
  const text = readVariable('ALERT_TTL_DAYS', env).trim();
  // Number() would take '1e3', '0x10' and '2.0'; deploy.sh writes plain digits.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ConfigError(
      `ALERT_TTL_DAYS must be a whole number of days, 0 for no expiry; got '${readVariable('ALERT_TTL_DAYS', env)}'`,
    );
  }
  return Number(text);
}

const DAY_MS = 86_400_000;

/** When an alert written at `now` expires, or undefined when alerts are kept. */
export function alertExpiry(settings: NotifySettings, now: number): Date | undefined {
  return settings.alertTtlDays > 0 ? new Date(now + settings.alertTtlDays * DAY_MS) : undefined;
}
