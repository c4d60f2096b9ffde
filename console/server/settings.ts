/**
 * The console server's settings, read once at start from an `env` parameter into a typed value; a malformed
 * one stops the server with a ConfigError naming the variable.
 *
 * Where it listens: `PORT` (Cloud Run sets it, and so does the local stack), else 8090. On what: `CONSOLE_HOST`
 * when set, else every interface on Cloud Run (recognised by its `K_SERVICE` variable, so that a `PORT` set by
 * hand never exposes a developer's machine) and 127.0.0.1 anywhere else. Names and defaults are in the registry
 * (shared/config/variables.ts).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectionConfigFromEnv } from '../../shared/config/detectionParameterSettings.js';
import { ConfigError, readPort, readPositiveInt, readVariable } from '../../shared/config/variables.js';
import { findRepoRoot } from '../../shared/repoRoot.js';
import type { Thresholds } from '../api/contract.js';
import type { FollowSettings } from '../readModel/follow.js';
import type { RateSettings, StreamSettings } from './callerLimits.js';
import type { IdentitySettings } from './identity.js';

/** Off Cloud Run the console answers this machine only. */
const LOOPBACK_HOST = '127.0.0.1';
/**
 * How often the read model reads the episodes whose score settle wrote since (readModel/follow.ts). Settle runs
 * when detect has caught up and every 15 s while records keep coming, so a few seconds is as fresh as it gets;
 * on the emulator each read is a scan of the episodes, hence not every poll.
 */
const SCORES_POLL_MS = 5000;

export interface ConsoleSettings {
  host: string;
  port: number;
  /**
   * Who callers are: locally the configured user; on Cloud Run the email of the Google-signed ID token the console
   * verifies itself, whose audience must be one of `audiences` (identity.ts).
   */
  identity: IdentitySettings;
  /** The Host headers a local request may carry (a page elsewhere rebinding a name to 127.0.0.1 gets 403). */
  allowedHosts: string[] | undefined;
  collections: { alerts: string; episodes: string; bars: string; ingestions: string; state: string };
  /**
   * The Firestore database of triage and its history (docs/records.md), apart from the pipeline's so that only
   * the console's identity may write it.
   */
  auditDatabase: string;
  kafka: { topic: string; group: string; deadLetterTopic: string };
  /** The subscription holding the alert messages notify gave up on (Pub/Sub's dead-lettering). */
  notifyDeadLetters: string;
  /** Where ingest sets rows aside: the only objects the console serves. */
  setAside: { bucket: string; prefix: string };
  thresholds: Thresholds;
  timeZone: string;
  follow: FollowSettings;
  maxBodyBytes: number;
  /** Per-caller limits (callerLimits.ts): API requests, and event streams open at once. */
  limits: { rate: RateSettings; streams: StreamSettings };
  /** The front end's files (dist/console/web) and the chart library the front end loads. */
  webRoot: string;
  chartLibrary: string;
  version: string;
  /** GOOGLE_CLOUD_PROJECT, which a log entry's trace id names (Cloud Logging wants projects/P/traces/T). */
  project?: string;
}

/**
 * The audiences an ID token may name (CONSOLE_AUDIENCES, comma-separated), read always (so that a malformed one
 * stops the console anywhere) and required on Cloud Run, where a token of any other audience is refused.
 */
function audiencesOf(env: NodeJS.ProcessEnv, onCloudRun: boolean): string[] {
  const audiences = readVariable('CONSOLE_AUDIENCES', env)
    .split(',')
    .map((audience) => audience.trim())
    .filter((audience) => audience !== '');
  const malformed = audiences.find((audience) => /\s/.test(audience));
  if (malformed !== undefined) throw new ConfigError(`CONSOLE_AUDIENCES: '${malformed}' is not an audience`);
  if (onCloudRun && audiences.length === 0) {
    throw new ConfigError(
      "CONSOLE_AUDIENCES must name the console's URL (and any other audience its callers' ID tokens carry) on Cloud Run",
    );
  }
  return audiences;
}

export function consoleSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  root: string = findRepoRoot(),
): ConsoleSettings {
  const onCloudRun = readVariable('K_SERVICE', env) !== '';
  const listenPort = readPort('PORT', env);
  const host = readVariable('CONSOLE_HOST', env) || (onCloudRun ? '0.0.0.0' : LOOPBACK_HOST);
  const detection = detectionConfigFromEnv(env);
  const audiences = audiencesOf(env, onCloudRun);
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    host,
    port: listenPort,
    identity: onCloudRun
      ? { platformIdentity: true, audiences }
      : { platformIdentity: false, localUser: readVariable('CONSOLE_USER', env) || os.userInfo().username },
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
    auditDatabase: readVariable('CONSOLE_AUDIT_DATABASE', env),
    kafka: {
      topic: readVariable('KAFKA_TOPIC', env),
      group: readVariable('KAFKA_GROUP_ID', env),
      deadLetterTopic: readVariable('KAFKA_DEAD_LETTER_TOPIC', env),
    },
    notifyDeadLetters: readVariable('ANOMALIES_DEAD_LETTER_SUBSCRIPTION', env),
    setAside: { bucket: readVariable('UPLOAD_BUCKET', env), prefix: readVariable('QUARANTINE_PREFIX', env) },
    thresholds: {
      a1: Number(detection.parameters.a1),
      a2: Number(detection.parameters.a2),
      windowMinutes: detection.windowMinutes,
    },
    timeZone: detection.parameters.timezone,
    follow: {
      alertsCollection: readVariable('ALERTS_COLLECTION', env),
      episodesCollection: readVariable('EPISODES_COLLECTION', env),
      marginMs: readPositiveInt('CONSOLE_FOLLOW_MARGIN_MS', env),
      pollMs: readPositiveInt('CONSOLE_FOLLOW_POLL_MS', env),
      scoresMs: SCORES_POLL_MS,
      retryMs: 2000,
    },
    maxBodyBytes: readPositiveInt('CONSOLE_MAX_BODY_BYTES', env),
    limits: {
      rate: {
        perMinute: readPositiveInt('CONSOLE_RATE_PER_MINUTE', env),
        burst: readPositiveInt('CONSOLE_RATE_BURST', env),
      },
      streams: {
        total: readPositiveInt('CONSOLE_MAX_STREAMS', env),
        perCaller: readPositiveInt('CONSOLE_MAX_STREAMS_PER_CALLER', env),
      },
    },
    webRoot: path.join(root, 'dist/console/web'),
    chartLibrary: path.join(
      root,
      'node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js',
    ),
    version,
    ...(env.GOOGLE_CLOUD_PROJECT ? { project: env.GOOGLE_CLOUD_PROJECT } : {}),
  };
}
