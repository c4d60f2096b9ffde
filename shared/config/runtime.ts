/**
 * The runtime settings of the functions, the Kafka dispatcher and the console, read from the environment once.
 *
 * This file is the single source of truth for the names: deploy.sh sets exactly these variables and
 * a test checks that it does (see test/unit/deploy). Defaults are the local stack's.
 */
import { FinalError } from '../errors.js';

/** A setting no retry can fix: the component must be started again with it corrected. */
export class ConfigError extends FinalError {
  override name = 'ConfigError';
}

/** Every environment variable a deployed component reads, with its default (undefined = required). */
export const RUNTIME_VARIABLES = {
  // Cloud Storage layout
  /** The bucket of uploads and set-aside rows, for the console (the functions take it from their events). */
  UPLOAD_BUCKET: 'stock-anomalies-local',
  UPLOAD_PREFIX: '',
  QUARANTINE_PREFIX: 'quarantine/',
  // Kafka
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_TOPIC: 'minute-bars',
  KAFKA_DEAD_LETTER_TOPIC: 'minute-bars-dead-letter',
  KAFKA_CLIENT_ID: 'stock-anomalies',
  KAFKA_GROUP_ID: 'stock-anomalies-detect',
  /** none | plain | oauthbearer (oauthbearer uses Google application-default credentials) */
  KAFKA_SASL_MECHANISM: 'none',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SSL: 'false',
  /** Most minutes of one symbol in one Kafka message. */
  BATCH_MINUTES: '1875',
  /** How long ingest's claim on an object holds without renewal; renewed every third of it. */
  INGEST_LEASE_MS: '60000',
  // Ingest limits: an object past any of them is rejected whole (contract §1, Limits).
  /** Most bytes of one record's text (a line, or the lines of a record with a quoted line break). */
  MAX_LINE_BYTES: '65536',
  /** Most bytes of an object's text after gunzipping: 1 GiB (a 1 GB object peaks at 1.4 GiB in ingest). */
  MAX_OBJECT_BYTES: '1073741824',
  MAX_ROWS_PER_OBJECT: '18000000',
  MAX_SYMBOLS_PER_OBJECT: '10000',
  /** Most set-aside rows, each kept with its text until the object is read: about 0.5 GiB at the default. */
  MAX_SET_ASIDE_ROWS: '1000000',
  // Pub/Sub
  ANOMALIES_TOPIC: 'anomalies',
  // Firestore collections
  INGESTIONS_COLLECTION: 'ingestions',
  ALERTS_COLLECTION: 'alerts',
  STATE_COLLECTION: 'symbol-state',
  EPISODES_COLLECTION: 'episodes',
  BARS_COLLECTION: 'bars',
  /** Days after which a Firestore TTL policy deletes an alert (deploy.sh --alert-ttl-days); 0 = never. */
  ALERT_TTL_DAYS: '0',
  // Detection (contract §1, §2)
  EXCHANGE_TIMEZONE: 'Asia/Kolkata',
  A1_THRESHOLD: '0.005',
  A2_THRESHOLD: '0.02',
  WINDOW_MINUTES: '10',
  /** Contract §5: the longest quiet gap, in minutes, inside one episode. */
  EPISODE_GAP_MINUTES: '5',
  // Dispatcher (Kafka -> detect)
  DETECT_URL: 'http://127.0.0.1:8082/',
  DISPATCH_AUTH: 'none',
  /** The first wait after a failed delivery, doubling up to the next; a record is retried until it is done. */
  DISPATCH_INITIAL_BACKOFF_MS: '200',
  DISPATCH_MAX_BACKOFF_MS: '30000',
  /** How long detect may take to answer one delivery. */
  DISPATCH_ATTEMPT_TIMEOUT_MS: '300000',
} as const;

export type RuntimeVariable = keyof typeof RUNTIME_VARIABLES;

/** Which variables each deployed component reads; deploy.sh must set these for each. */
export const COMPONENT_VARIABLES: Record<
  'ingest' | 'detect' | 'notify' | 'dispatcher' | 'console',
  RuntimeVariable[]
> = {
  ingest: [
    'UPLOAD_PREFIX',
    'QUARANTINE_PREFIX',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_CLIENT_ID',
    'KAFKA_SASL_MECHANISM',
    'KAFKA_SSL',
    'BATCH_MINUTES',
    'INGEST_LEASE_MS',
    'MAX_LINE_BYTES',
    'MAX_OBJECT_BYTES',
    'MAX_ROWS_PER_OBJECT',
    'MAX_SYMBOLS_PER_OBJECT',
    'MAX_SET_ASIDE_ROWS',
    'INGESTIONS_COLLECTION',
    'EXCHANGE_TIMEZONE',
  ],
  detect: [
    'ANOMALIES_TOPIC',
    'STATE_COLLECTION',
    'INGESTIONS_COLLECTION',
    'A1_THRESHOLD',
    'A2_THRESHOLD',
    'WINDOW_MINUTES',
    'EPISODE_GAP_MINUTES',
    'EPISODES_COLLECTION',
    'BARS_COLLECTION',
    'EXCHANGE_TIMEZONE',
  ],
  notify: ['ALERTS_COLLECTION', 'ALERT_TTL_DAYS'],
  dispatcher: [
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_DEAD_LETTER_TOPIC',
    'KAFKA_CLIENT_ID',
    'KAFKA_GROUP_ID',
    'KAFKA_SASL_MECHANISM',
    'KAFKA_SSL',
    'DETECT_URL',
    'DISPATCH_AUTH',
    'DISPATCH_INITIAL_BACKOFF_MS',
    'DISPATCH_MAX_BACKOFF_MS',
    'DISPATCH_ATTEMPT_TIMEOUT_MS',
  ],
  // The analysts' web console (console/server.ts): alerts, episodes and reports in Firestore, set-aside rows in
  // the bucket, and the dispatcher's consumer-group lag for its health page.
  console: [
    'ALERTS_COLLECTION',
    'INGESTIONS_COLLECTION',
    'STATE_COLLECTION',
    'EPISODES_COLLECTION',
    'BARS_COLLECTION',
    'A1_THRESHOLD',
    'A2_THRESHOLD',
    'WINDOW_MINUTES',
    'EPISODE_GAP_MINUTES',
    'UPLOAD_BUCKET',
    'QUARANTINE_PREFIX',
    'KAFKA_BROKERS',
    'KAFKA_TOPIC',
    'KAFKA_DEAD_LETTER_TOPIC',
    'KAFKA_CLIENT_ID',
    'KAFKA_GROUP_ID',
    'KAFKA_SASL_MECHANISM',
    'KAFKA_SSL',
    'EXCHANGE_TIMEZONE',
  ],
};

/** Reads one variable, falling back to its default. */
export function readVariable(name: RuntimeVariable, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? RUNTIME_VARIABLES[name] : value;
}

/** Reads a positive integer variable, or throws a ConfigError naming it. */
export function readPositiveInt(name: RuntimeVariable, env: NodeJS.ProcessEnv = process.env): number {
  const text = readVariable(name, env);
  const value = Number(text);
  // Plain digits only: Number() would also take '1e3', '0x10' and ' 5 ', and integers past 2^53 lose digits.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got '${text}'`);
  }
  return value;
}
