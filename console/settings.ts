/**
 * The console server's settings, read once at start from an `env` parameter into a typed value; a malformed
 * one stops the server with a ConfigError naming the variable.
 *
 * Where it listens: `PORT` (Cloud Run sets it), else the local stack's `STACK_CONSOLE_PORT` (8090). On what:
 * `CONSOLE_HOST` when set, else every interface on Cloud Run (recognised by its `K_SERVICE` variable, so that a
 * `PORT` set by hand never exposes a developer's machine) and 127.0.0.1 anywhere else.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectionConfigFromEnv } from '../shared/config/detection.js';
import { ConfigError, readVariable } from '../shared/config/runtime.js';
import { readStackVariable, STACK_HOST } from '../stack/endpoints.js';
import { findRepoRoot } from '../stack/paths.js';
import type { Thresholds } from './api/contract.js';
import type { FollowSettings } from './readModel/follow.js';

/** The console's own variables and their defaults. */
export const CONSOLE_VARIABLES = {
  CONSOLE_HOST: '',
  /** Who triage changes are recorded as, locally (default: the OS user). */
  CONSOLE_USER: '',
  // A read sees every commit timestamped up to its read time; the margin only absorbs a clock's jitter, and every
  // entry inside it is read again at each poll (and skipped): a minute of a batch load's feed was megabytes a second.
  CONSOLE_FOLLOW_MARGIN_MS: '5000',
  CONSOLE_FOLLOW_POLL_MS: '1000',
  CONSOLE_MAX_BODY_BYTES: '65536',
} as const;

export interface ConsoleSettings {
  host: string;
  port: number;
  /** Whether callers are identified by the platform's headers (IAP, Cloud Run's verified token). */
  platformIdentity: boolean;
  /** Who a caller is when the platform does not say (locally). */
  localUser: string;
  /** The Host headers a local request may carry (a page elsewhere rebinding a name to 127.0.0.1 gets 403). */
  allowedHosts: string[] | undefined;
  collections: { alerts: string; episodes: string; bars: string; ingestions: string; state: string };
  kafka: { topic: string; group: string; deadLetterTopic: string };
  /** Where ingest sets rows aside: the only objects the console serves. */
  setAside: { bucket: string; prefix: string };
  thresholds: Thresholds;
  timeZone: string;
  follow: FollowSettings;
  maxBodyBytes: number;
  /** The front end's files (dist/console/web) and the chart library the front end loads. */
  webRoot: string;
  chartLibrary: string;
  version: string;
  /** GOOGLE_CLOUD_PROJECT, which a log entry's trace id names (Cloud Logging wants projects/P/traces/T). */
  project?: string;
}

const text = (name: keyof typeof CONSOLE_VARIABLES, env: NodeJS.ProcessEnv): string =>
  env[name] === undefined || env[name] === '' ? CONSOLE_VARIABLES[name] : env[name]!;

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got '${value}'`);
  }
  return number;
}

function port(name: string, value: string): number {
  const number = positive(name, value);
  if (number > 65535) throw new ConfigError(`${name} must be a TCP port (1-65535), got '${value}'`);
  return number;
}

export function consoleSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  root: string = findRepoRoot(),
): ConsoleSettings {
  const onCloudRun = env.K_SERVICE !== undefined && env.K_SERVICE !== '';
  const listenPort = env.PORT
    ? port('PORT', env.PORT)
    : port('STACK_CONSOLE_PORT', readStackVariable('STACK_CONSOLE_PORT', env));
  const host = text('CONSOLE_HOST', env) || (onCloudRun ? '0.0.0.0' : STACK_HOST);
  const detection = detectionConfigFromEnv(env);
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    host,
    port: listenPort,
    platformIdentity: onCloudRun,
    localUser: text('CONSOLE_USER', env) || os.userInfo().username,
    allowedHosts: onCloudRun
      ? undefined
      : [`127.0.0.1:${listenPort}`, `localhost:${listenPort}`, `[::1]:${listenPort}`],
    collections: {
      alerts: readVariable('ALERTS_COLLECTION', env),
      episodes: readVariable('EPISODES_COLLECTION', env),
      bars: readVariable('BARS_COLLECTION', env),
      ingestions: readVariable('INGESTIONS_COLLECTION', env),
      state: readVariable('STATE_COLLECTION', env),
    },
    kafka: {
      topic: readVariable('KAFKA_TOPIC', env),
      group: readVariable('KAFKA_GROUP_ID', env),
      deadLetterTopic: readVariable('KAFKA_DEAD_LETTER_TOPIC', env),
    },
    setAside: { bucket: readVariable('UPLOAD_BUCKET', env), prefix: readVariable('QUARANTINE_PREFIX', env) },
    thresholds: {
      a1: Number(detection.settings.a1),
      a2: Number(detection.settings.a2),
      windowMinutes: detection.windowMinutes,
    },
    timeZone: detection.settings.timezone,
    follow: {
      alertsCollection: readVariable('ALERTS_COLLECTION', env),
      episodesCollection: readVariable('EPISODES_COLLECTION', env),
      marginMs: positive('CONSOLE_FOLLOW_MARGIN_MS', text('CONSOLE_FOLLOW_MARGIN_MS', env)),
      pollMs: positive('CONSOLE_FOLLOW_POLL_MS', text('CONSOLE_FOLLOW_POLL_MS', env)),
      retryMs: 2000,
    },
    maxBodyBytes: positive('CONSOLE_MAX_BODY_BYTES', text('CONSOLE_MAX_BODY_BYTES', env)),
    webRoot: path.join(root, 'dist/console/web'),
    chartLibrary: path.join(
      root,
      'node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js',
    ),
    version,
    ...(env.GOOGLE_CLOUD_PROJECT ? { project: env.GOOGLE_CLOUD_PROJECT } : {}),
  };
}
