/**
 * Every environment variable the project reads, in one registry: its default, what it is for, which parts read
 * it, and who sets it deployed and on the local stack. Each component's settings read their variables only
 * through `readVariable` and the typed readers below, so a name missing here does not compile.
 *
 * A test holds the registry to the code and to both places that start the components (test/unit/deploy/
 * environment.test.ts): for each deployed component, the variables its settings really read (recorded through a
 * Proxy env) are exactly the ones listed here for it, deploy.sh sets exactly those it should, and
 * stack/appComponents.ts passes exactly those it should.
 *
 * Not listed, because no part of ours reads them for itself: the variables of the Google client libraries
 * (PLATFORM_VARIABLES below names the ones the stack or deploy.sh sets for them), the system's (PATH, HOME,
 * JAVA_HOME), deploy.sh's own options and sizes (deploy.sh --help), and the benchmarks' BENCH_* knobs (bench/).
 */
import { FinalError } from '../errors.js';

/** A setting no retry can fix: the component must be started again with it corrected. */
export class ConfigError extends FinalError {
  override name = 'ConfigError';
}

/** The components deployed to Google Cloud, each with an environment of its own. */
export const COMPONENTS = ['ingest', 'detect', 'notify', 'escalate', 'dispatcher', 'console'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Who reads a variable: a deployed component, or the local stack and the CLI that drives it. */
export type Reader = Component | 'stack';

export interface Variable {
  /** The value when the variable is unset or empty; '' where none applies. */
  readonly default: string;
  readonly doc: string;
  readonly readBy: readonly Reader[];
  /**
   * Who sets it for its deployed readers: deploy.sh ('deploy'); deploy.sh, from a Secret Manager secret
   * ('secret'); deploy.sh only with --kafka-sasl=plain ('sasl-plain'); Cloud Run itself ('platform'); or nobody,
   * so that its default holds there too ('default').
   */
  readonly deployed: 'deploy' | 'secret' | 'sasl-plain' | 'platform' | 'default';
  /**
   * Whether the local stack passes its own value to every reader it starts ('stack'), or leaves it unset
   * because the default is the intended local value ('default').
   */
  readonly local: 'stack' | 'default';
}

type Where = Partial<Pick<Variable, 'deployed' | 'local'>>;

/** A component setting: deploy.sh sets it for its readers, and locally its default applies unless `where` says. */
const setting = (value: string, readBy: readonly Reader[], doc: string, where: Where = {}): Variable => ({
  default: value,
  doc,
  readBy,
  deployed: 'deploy',
  local: 'default',
  ...where,
});

/** A variable of the local stack's, set (if at all) by whoever runs `stack up`, the CLI or a test. */
const stackVariable = (value: string, doc: string): Variable => ({
  default: value,
  doc,
  readBy: ['stack'],
  deployed: 'default',
  local: 'default',
});

const KAFKA_CLIENTS = ['ingest', 'dispatcher', 'console'] as const;
const DETECTION_READERS = ['ingest', 'detect', 'console'] as const;
const FUNCTIONS = ['ingest', 'detect', 'notify', 'escalate'] as const;

export const VARIABLES = {
  // Cloud Storage layout
  UPLOAD_BUCKET: setting(
    'stock-anomalies-local',
    ['console'],
    'The bucket of uploads and set-aside rows, for the console (the functions take it from their events).',
    { local: 'stack' },
  ),
  UPLOAD_PREFIX: setting('', ['ingest'], 'Where uploads land; ingest skips any other object.'),
  QUARANTINE_PREFIX: setting('quarantine/', ['ingest', 'console'], 'Where ingest sets bad rows aside.'),

  // Kafka
  KAFKA_BROKERS: setting('127.0.0.1:9092', KAFKA_CLIENTS, 'host:port[,host:port...] of the brokers.', {
    local: 'stack',
  }),
  KAFKA_TOPIC: setting('minute-bars', ['ingest', 'dispatcher', 'console'], 'The topic of minute bars.', {
    local: 'stack',
  }),
  KAFKA_DEAD_LETTER_TOPIC: setting(
    'minute-bars-dead-letter',
    ['dispatcher', 'console'],
    'Where the dispatcher parks a record detect rejects for good.',
    { local: 'stack' },
  ),
  KAFKA_CLIENT_ID: setting(
    'stock-anomalies',
    KAFKA_CLIENTS,
    "The Kafka clients' id (the console adds -console).",
  ),
  KAFKA_GROUP_ID: setting(
    'stock-anomalies-detect',
    ['dispatcher', 'console'],
    "The dispatcher's consumer group (the console reads its lag).",
  ),
  KAFKA_SASL_MECHANISM: setting(
    'none',
    KAFKA_CLIENTS,
    'none | plain | oauthbearer (oauthbearer uses Google application-default credentials).',
  ),
  KAFKA_SASL_USERNAME: setting(
    '',
    KAFKA_CLIENTS,
    'SASL/PLAIN user, read only with KAFKA_SASL_MECHANISM=plain.',
    {
      deployed: 'sasl-plain',
    },
  ),
  KAFKA_SASL_PASSWORD: setting(
    '',
    KAFKA_CLIENTS,
    'SASL/PLAIN password, read only with KAFKA_SASL_MECHANISM=plain (deployed as a secret).',
    { deployed: 'sasl-plain' },
  ),
  KAFKA_SSL: setting('false', KAFKA_CLIENTS, 'true | false: TLS to the brokers.'),
  BATCH_MINUTES: setting('1875', ['ingest'], 'Most minutes of one symbol in one Kafka message.'),
  INGEST_LEASE_MS: setting(
    '60000',
    ['ingest'],
    "How long ingest's claim on an object holds without renewal; renewed every third of it.",
    // Locally an ingestion whose instance died is taken over within seconds (9000), not a minute.
    { local: 'stack' },
  ),

  // Ingest limits: an object past any of them is rejected whole (contract §1, Limits).
  MAX_LINE_BYTES: setting(
    '65536',
    ['ingest'],
    "Most bytes of one record's text (a line, or the lines of a record with a quoted line break).",
  ),
  MAX_OBJECT_BYTES: setting(
    '1073741824',
    ['ingest'],
    "Most bytes of an object's text after gunzipping: 1 GiB (a 1 GB object peaks at 1.4 GiB in ingest).",
  ),
  MAX_ROWS_PER_OBJECT: setting('18000000', ['ingest'], 'Most data rows of one object.'),
  MAX_SYMBOLS_PER_OBJECT: setting('10000', ['ingest'], 'Most distinct symbols of one object.'),
  MAX_SET_ASIDE_ROWS: setting(
    '1000000',
    ['ingest'],
    'Most set-aside rows, each kept with its text until the object is read: about 0.5 GiB at the default.',
  ),
  // Contract §1, `future`: a bar later than the reader's clock plus this is set aside. A few minutes, not zero:
  // some sources stamp a bar with the minute it ends (one ahead of its start) and clocks differ by seconds to a
  // minute or two; a wrong date or year is far beyond it.
  FUTURE_SKEW_MINUTES: setting(
    '5',
    ['ingest'],
    "How many minutes past the reader's clock a bar's minute may lie before it is set aside as `future`.",
  ),

  // Pub/Sub
  ANOMALIES_TOPIC: setting('anomalies', ['detect'], 'The topic detect publishes alerts to.', {
    local: 'stack',
  }),
  ESCALATIONS_TOPIC: setting(
    'suspicious-episodes',
    ['detect'],
    'The topic detect publishes an episode to once its settled suspicion score reaches ESCALATION_SCORE.',
    { local: 'stack' },
  ),
  ANOMALIES_DEAD_LETTER_SUBSCRIPTION: setting(
    'anomalies-dead-letter-sub',
    ['console'],
    "The subscription on the anomalies topic's dead-letter topic: the alerts notify could not write, for the health page.",
  ),

  // Firestore collections
  INGESTIONS_COLLECTION: setting('ingestions', ['ingest', 'detect', 'console'], 'One report per object.'),
  ALERTS_COLLECTION: setting('alerts', ['notify', 'console'], 'The alerts notify writes.'),
  STATE_COLLECTION: setting('symbol-state', ['detect', 'console'], "Each symbol's detection state."),
  EPISODES_COLLECTION: setting(
    'episodes',
    ['detect', 'console'],
    "Each symbol's episodes (docs/records.md).",
  ),
  BARS_COLLECTION: setting('bars', ['detect', 'console'], "Each symbol's bars by day (docs/records.md)."),
  ESCALATIONS_COLLECTION: setting(
    'escalations',
    ['escalate'],
    "escalate's marker per episode: what makes a redelivered escalation post nothing (docs/records.md).",
  ),
  ALERT_TTL_DAYS: setting(
    '0',
    ['notify'],
    'Days after which a Firestore TTL policy deletes an alert (deploy.sh --alert-ttl-days); 0 = never.',
  ),

  // Detection (contract §1, §2). ingest reads them all although it uses only the zone: it compiles the same
  // parameters as detect, so deploy.sh gives it the same values.
  EXCHANGE_TIMEZONE: setting(
    'Asia/Kolkata',
    DETECTION_READERS,
    'Zone of timestamps without an offset, and of local dates.',
  ),
  A1_THRESHOLD: setting(
    '0.005',
    DETECTION_READERS,
    'A1 fires when |close − prevClose| / prevClose exceeds it.',
  ),
  A2_THRESHOLD: setting(
    '0.02',
    DETECTION_READERS,
    "A2 fires when volume exceeds (1 + it) × the window's mean.",
  ),
  WINDOW_MINUTES: setting('10', DETECTION_READERS, "Minutes of history A2's mean volume covers."),
  EPISODE_GAP_MINUTES: setting(
    '5',
    DETECTION_READERS,
    'Contract §5: the longest quiet gap, in minutes, inside one episode.',
  ),
  LATENESS_HORIZON_DAYS: setting(
    '7',
    DETECTION_READERS,
    "Contract §2: days before its symbol's latest minute a late bar is still detected in its place.",
  ),

  PEER_GROUPS: setting(
    '',
    ['detect'],
    "Contract §6: who is whose peer, for the suspicion score's market (group=SYMBOL,SYMBOL;group=…); unset: the whole market for every symbol.",
  ),

  // Escalation (contract §6's suspicion score -> a chat webhook)
  ESCALATION_SCORE: setting(
    '60',
    ['detect'],
    'The suspicion score (0-100) at or above which an episode, once its score is settled, is escalated, once.',
  ),
  CHAT_WEBHOOK_URL: setting(
    '',
    ['escalate'],
    "The chat's incoming webhook escalate posts to (a credential: deployed as the secret chat-webhook-url); unset: escalations are only logged.",
    { deployed: 'secret', local: 'stack' },
  ),
  CHAT_WEBHOOK_FORMAT: setting(
    '',
    ['escalate'],
    "slack | google-chat: the webhook's body; unset: from the URL's host (hooks.slack.com, chat.googleapis.com).",
    { local: 'stack' },
  ),
  CONSOLE_URL: setting(
    'http://127.0.0.1:8090/',
    ['escalate'],
    "The console's address as analysts open it, for the episode's link in a chat message (deploy.sh --console-url).",
    { local: 'stack' },
  ),

  // Dispatcher (Kafka -> detect)
  DETECT_URL: setting('http://127.0.0.1:8082/', ['dispatcher'], "detect's URL.", { local: 'stack' }),
  DISPATCH_AUTH: setting(
    'none',
    ['dispatcher'],
    'none | google-id-token: how the dispatcher proves who it is to detect.',
    { local: 'stack' },
  ),
  DISPATCH_INITIAL_BACKOFF_MS: setting(
    '200',
    ['dispatcher'],
    'The first wait after a failed delivery, doubling up to the next; a record is retried until it is done.',
    // Locally detect comes back within a second or two of a restart: the stack retries about as often.
    { local: 'stack' },
  ),
  DISPATCH_MAX_BACKOFF_MS: setting('30000', ['dispatcher'], 'The longest wait between two deliveries.', {
    local: 'stack',
  }),
  DISPATCH_ATTEMPT_TIMEOUT_MS: setting(
    '300000',
    ['dispatcher'],
    'How long detect may take to answer one delivery.',
  ),
  HEALTH_PORT: setting(
    '',
    ['dispatcher', 'stack'],
    "The port of the dispatcher's (and the router's) health endpoint, which the stack probes; unset deployed.",
    { deployed: 'default', local: 'stack' },
  ),

  // The console (console/server/settings.ts)
  PORT: setting(
    '8090',
    ['console'],
    'The port the console listens on: Cloud Run sets it; the stack passes its STACK_CONSOLE_PORT.',
    { deployed: 'platform', local: 'stack' },
  ),
  K_SERVICE: setting(
    '',
    ['console'],
    "Set by Cloud Run only: the console then listens on every interface and verifies its callers' Google ID tokens.",
    { deployed: 'platform' },
  ),
  CONSOLE_HOST: setting(
    '',
    ['console'],
    'The interface to listen on; unset: every one on Cloud Run, 127.0.0.1 anywhere else.',
    { deployed: 'default', local: 'stack' },
  ),
  CONSOLE_AUDIT_DATABASE: setting(
    'audit',
    ['console'],
    'The Firestore database of triage and its history, which only the console may write (docs/records.md).',
  ),
  CONSOLE_AUDIENCES: setting(
    '',
    ['console'],
    "On Cloud Run, the audiences (comma-separated) a caller's Google ID token may carry: the console's URL and the gcloud CLI's client id (docs/deploy.md).",
  ),
  CONSOLE_USER: setting(
    '',
    ['console'],
    'Who triage changes are recorded as, locally (unset: the OS user).',
    {
      deployed: 'default',
    },
  ),
  // A read sees every commit timestamped up to its read time; the margin only absorbs a clock's jitter, and every
  // entry inside it is read again at each poll (and skipped): a minute of a batch load's feed was megabytes a second.
  CONSOLE_FOLLOW_MARGIN_MS: setting('5000', ['console'], 'How far back each poll of the feeds reads again.', {
    deployed: 'default',
  }),
  CONSOLE_FOLLOW_POLL_MS: setting('1000', ['console'], 'How often the console polls the feeds.', {
    deployed: 'default',
  }),
  CONSOLE_RATE_PER_MINUTE: setting(
    '600',
    ['console'],
    "API requests a minute one caller's allowance regains (429 with Retry-After past it).",
    { deployed: 'default' },
  ),
  CONSOLE_RATE_BURST: setting('120', ['console'], 'API requests one caller may make at once after a pause.', {
    deployed: 'default',
  }),
  CONSOLE_MAX_STREAMS: setting(
    '200',
    ['console'],
    'Event streams (/api/events) open at once on an instance.',
    {
      deployed: 'default',
    },
  ),
  CONSOLE_MAX_STREAMS_PER_CALLER: setting('8', ['console'], 'Event streams one caller holds open at once.', {
    deployed: 'default',
  }),
  CONSOLE_MAX_BODY_BYTES: setting('65536', ['console'], "Most bytes of a request's body.", {
    deployed: 'default',
  }),

  // Tests on the local stack, never deployed
  FAULTS: setting(
    '',
    ['detect', 'notify'],
    'Faults injected on purpose (shared/faultInjection.ts); the stack passes what whoever starts it asks.',
    { deployed: 'default', local: 'stack' },
  ),
  DELIVERY_TRACE: setting(
    '',
    FUNCTIONS,
    'A file to append one line per delivery to (shared/deliveryTrace.ts), for the fault tests to count.',
    { deployed: 'default', local: 'stack' },
  ),

  // The local stack (stack/endpoints.ts): where its parts listen, and what it is called.
  STACK_PROJECT: stackVariable('stock-anomalies-local', 'The project id the emulators serve.'),
  STACK_BUCKET: stackVariable('stock-anomalies-local', 'The bucket fake-gcs-server serves.'),
  STACK_KAFKA_PORT: stackVariable('9092', "Kafka's broker port."),
  STACK_KAFKA_CONTROLLER_PORT: stackVariable('9093', "Kafka's controller port."),
  STACK_KAFKA_PARTITIONS: stackVariable('48', 'Partitions of the minute-bars topic.'),
  STACK_FIRESTORE_PORT: stackVariable('8080', "The Firestore emulator's port."),
  STACK_PUBSUB_PORT: stackVariable('8085', "The Pub/Sub emulator's port."),
  STACK_GCS_PORT: stackVariable('4443', "fake-gcs-server's port."),
  STACK_INGEST_PORT: stackVariable('8081', "ingest's port."),
  STACK_DETECT_PORT: stackVariable('8082', "detect's port."),
  STACK_NOTIFY_PORT: stackVariable('8083', "notify's port."),
  STACK_ESCALATE_PORT: stackVariable('8084', "escalate's port."),
  STACK_ROUTER_HEALTH_PORT: stackVariable('8087', "The storage-event router's health port."),
  STACK_DISPATCHER_HEALTH_PORT: stackVariable('8088', "The dispatcher's health port."),
  STACK_CONSOLE_PORT: stackVariable('8090', "The analysts' console's port (passed to it as PORT)."),
  INGEST_URL: stackVariable(
    'http://127.0.0.1:8081/',
    "Where the storage-event router posts (the stack passes ingest's).",
  ),
  ROUTER_SUBSCRIPTION: stackVariable('storage-events-router', "The storage-event router's subscription."),
  // On Google Cloud, Eventarc delivers each upload to an ingest instance of its own (up to deploy.sh's
  // INGEST_MAX_INSTANCES, 10); with 4 here, 160 small objects queued for 23 s behind each other.
  ROUTER_CONCURRENCY: stackVariable('16', 'Objects the storage-event router sends ingest at once.'),
  STACK_DIR: stackVariable(
    '',
    'Where the stack keeps what it installs and runs (unset: <repository>/.stack).',
  ),
  STACK_GCLOUD_SDK_ROOT: stackVariable(
    '/usr/lib/google-cloud-sdk',
    'The Google Cloud SDK with the emulators.',
  ),
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/**
 * Set for the Google client libraries and the stack's preload (GOOGLE_CLOUD_PROJECT also names the project of
 * the loggers' trace ids), so no component's registry entries list them: deploy.sh sets
 * GOOGLE_CLOUD_PROJECT for every component (Cloud Functions gen2 does not), the stack sets all of them for
 * every process it starts (stackGoogleEnv in stack/endpoints.ts).
 */
export const PLATFORM_VARIABLES = {
  GOOGLE_CLOUD_PROJECT:
    "The project the Google clients address, and the one each component's log entries name with a trace id.",
  GCLOUD_PROJECT: 'The same, for older client libraries.',
  PUBSUB_PROJECT_ID: "The same, for the Pub/Sub emulator's tools.",
  FIRESTORE_EMULATOR_HOST: 'Locally: the Firestore emulator.',
  PUBSUB_EMULATOR_HOST: 'Locally: the Pub/Sub emulator.',
  STORAGE_API_ENDPOINT: 'Locally: fake-gcs-server (shared/clients/google.ts; never STORAGE_EMULATOR_HOST).',
  METADATA_SERVER_DETECTION: "Locally 'none': no metadata server to probe for credentials.",
  STACK_LISTEN_HOST: 'Locally: the interface stack/loopbackListen.ts binds functions-framework to.',
} as const;

/** The registry's variables `reader` reads, in registry order. */
export function variablesReadBy(reader: Reader): VariableName[] {
  return (Object.keys(VARIABLES) as VariableName[]).filter((name) =>
    (VARIABLES[name].readBy as readonly Reader[]).includes(reader),
  );
}

/** The variables deploy.sh sets for `component` in every configuration (GOOGLE_CLOUD_PROJECT aside). */
export function deployedVariables(component: Component): VariableName[] {
  return variablesReadBy(component).filter((name) => VARIABLES[name].deployed === 'deploy');
}

/** Reads one variable, falling back to its default when unset or empty. */
export function readVariable(name: VariableName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? VARIABLES[name].default : value;
}

/** Reads a positive integer variable, or throws a ConfigError naming it. */
export function readPositiveInt(name: VariableName, env: NodeJS.ProcessEnv = process.env): number {
  const text = readVariable(name, env);
  const value = Number(text);
  // Plain digits only: Number() would also take '1e3', '0x10' and ' 5 ', and integers past 2^53 lose digits.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got '${text}'`);
  }
  return value;
}

/** Reads a whole number variable (0 allowed), or throws a ConfigError naming it. */
export function readNonNegativeInt(name: VariableName, env: NodeJS.ProcessEnv = process.env): number {
  const text = readVariable(name, env);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new ConfigError(`${name} must be a whole number (0 or more), got '${text}'`);
  }
  return value;
}

/** Reads a TCP port variable, or throws a ConfigError naming it. */
export function readPort(name: VariableName, env: NodeJS.ProcessEnv = process.env): number {
  const value = readPositiveInt(name, env);
  if (value > 65535) {
    throw new ConfigError(`${name} must be a TCP port (1-65535), got '${readVariable(name, env)}'`);
  }
  return value;
}
