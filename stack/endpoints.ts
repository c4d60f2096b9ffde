/**
 * The local stack's addresses and names, read from the environment. Everything that talks to the stack (the
 * CLI, the functions run locally, the tests) takes its hosts, ports and names from here, so a port moved by an
 * environment variable moves for everyone. The STACK_* variables and their defaults are in the registry
 * (shared/config/variables.ts).
 */
import { ConfigError, readPort, readPositiveInt, readVariable } from '../shared/config/variables.js';

/** Every component listens on loopback only: the stack is for this machine. */
export const STACK_HOST = '127.0.0.1';

/** The names the stack creates. They equal the registry's defaults (shared/config/variables.ts; a unit test checks). */
export const STACK_NAMES = {
  kafkaTopic: 'minute-bars',
  kafkaDeadLetterTopic: 'minute-bars-dead-letter',
  /** fake-gcs-server publishes its upload notifications here. */
  storageEventsTopic: 'storage-events',
  anomaliesTopic: 'anomalies',
  /** Pull subscription on storage-events, read by the storage-event router. */
  storageEventsRouterSubscription: 'storage-events-router',
  /** Push subscription on anomalies, delivering to the notify function. */
  anomaliesNotifySubscription: 'anomalies-notify',
  /** Where anomalies-notify dead-letters a message notify kept failing on, as deploy.sh names it. */
  anomaliesDeadLetterTopic: 'anomalies-dead-letter',
  /** Pull subscription on it: what the health page, `wait` and `reports` count and `redrive` sends back. */
  anomaliesDeadLetterSubscription: 'anomalies-dead-letter-sub',
  /** detect publishes an episode here once its settled suspicion score reaches ESCALATION_SCORE. */
  escalationsTopic: 'suspicious-episodes',
  /** Push subscription on it, delivering to the escalate function. */
  escalationsEscalateSubscription: 'suspicious-episodes-escalate',
} as const;

export interface StackEndpoints {
  readonly host: typeof STACK_HOST;
  readonly project: string;
  readonly bucket: string;
  readonly kafka: {
    readonly port: number;
    readonly controllerPort: number;
    /** `host:port`, the form KAFKA_BROKERS takes (comma-separated when there are several). */
    readonly brokers: string;
    readonly partitions: number;
    readonly topic: typeof STACK_NAMES.kafkaTopic;
    readonly deadLetterTopic: typeof STACK_NAMES.kafkaDeadLetterTopic;
  };
  readonly firestore: {
    readonly port: number;
    /** `host:port`, the form FIRESTORE_EMULATOR_HOST takes. */
    readonly emulatorHost: string;
  };
  readonly pubsub: {
    readonly port: number;
    /** `host:port`, the form PUBSUB_EMULATOR_HOST takes. */
    readonly emulatorHost: string;
    readonly storageEventsTopic: typeof STACK_NAMES.storageEventsTopic;
    readonly anomaliesTopic: typeof STACK_NAMES.anomaliesTopic;
    readonly storageEventsRouterSubscription: typeof STACK_NAMES.storageEventsRouterSubscription;
    readonly anomaliesNotifySubscription: typeof STACK_NAMES.anomaliesNotifySubscription;
    readonly anomaliesDeadLetterTopic: typeof STACK_NAMES.anomaliesDeadLetterTopic;
    readonly anomaliesDeadLetterSubscription: typeof STACK_NAMES.anomaliesDeadLetterSubscription;
    /**
     * Where anomalies-notify pushes. The path names the topic because functions-framework turns a raw Pub/Sub
     * push into a CloudEvent only when the URL path contains `projects/P/topics/T`.
     */
    readonly notifyPushEndpoint: string;
    readonly escalationsTopic: typeof STACK_NAMES.escalationsTopic;
    readonly escalationsEscalateSubscription: typeof STACK_NAMES.escalationsEscalateSubscription;
    /** Where suspicious-episodes-escalate pushes (the path names the topic, as notify's does). */
    readonly escalatePushEndpoint: string;
  };
  readonly storage: {
    readonly port: number;
    /**
     * For `new Storage({ apiEndpoint, projectId })`; STORAGE_EMULATOR_HOST must stay unset (see
     * stackClientEnv).
     */
    readonly apiEndpoint: string;
  };
  /** Ports of the functions-framework servers run locally. */
  readonly functions: {
    readonly ingestPort: number;
    readonly detectPort: number;
    readonly notifyPort: number;
    readonly escalatePort: number;
  };
  /** Health ports of the storage-event router and the Kafka dispatcher. */
  readonly health: {
    readonly routerPort: number;
    readonly dispatcherPort: number;
  };
  /** The analysts' console's port. */
  readonly consolePort: number;
}

/** The stack's endpoints as the given environment places them. @throws ConfigError naming a malformed variable */
export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const project = readVariable('STACK_PROJECT', env);
  // Pub/Sub ids (and so the push path) need at least 3 characters; bucket names too.
  if (project.length < 3)
    throw new ConfigError(`STACK_PROJECT must have at least 3 characters, got '${project}'`);
  const bucket = readVariable('STACK_BUCKET', env);
  const kafkaPort = readPort('STACK_KAFKA_PORT', env);
  const firestorePort = readPort('STACK_FIRESTORE_PORT', env);
  const pubsubPort = readPort('STACK_PUBSUB_PORT', env);
  const gcsPort = readPort('STACK_GCS_PORT', env);
  const notifyPort = readPort('STACK_NOTIFY_PORT', env);
  const escalatePort = readPort('STACK_ESCALATE_PORT', env);
  return {
    host: STACK_HOST,
    project,
    bucket,
    kafka: {
      port: kafkaPort,
      controllerPort: readPort('STACK_KAFKA_CONTROLLER_PORT', env),
      brokers: `${STACK_HOST}:${kafkaPort}`,
      partitions: readPositiveInt('STACK_KAFKA_PARTITIONS', env),
      topic: STACK_NAMES.kafkaTopic,
      deadLetterTopic: STACK_NAMES.kafkaDeadLetterTopic,
    },
    firestore: { port: firestorePort, emulatorHost: `${STACK_HOST}:${firestorePort}` },
    pubsub: {
      port: pubsubPort,
      emulatorHost: `${STACK_HOST}:${pubsubPort}`,
      storageEventsTopic: STACK_NAMES.storageEventsTopic,
      anomaliesTopic: STACK_NAMES.anomaliesTopic,
      storageEventsRouterSubscription: STACK_NAMES.storageEventsRouterSubscription,
      anomaliesNotifySubscription: STACK_NAMES.anomaliesNotifySubscription,
      anomaliesDeadLetterTopic: STACK_NAMES.anomaliesDeadLetterTopic,
      anomaliesDeadLetterSubscription: STACK_NAMES.anomaliesDeadLetterSubscription,
      notifyPushEndpoint: `http://${STACK_HOST}:${notifyPort}/projects/${project}/topics/${STACK_NAMES.anomaliesTopic}`,
      escalationsTopic: STACK_NAMES.escalationsTopic,
      escalationsEscalateSubscription: STACK_NAMES.escalationsEscalateSubscription,
      escalatePushEndpoint: `http://${STACK_HOST}:${escalatePort}/projects/${project}/topics/${STACK_NAMES.escalationsTopic}`,
    },
    storage: { port: gcsPort, apiEndpoint: `http://${STACK_HOST}:${gcsPort}` },
    functions: {
      ingestPort: readPort('STACK_INGEST_PORT', env),
      detectPort: readPort('STACK_DETECT_PORT', env),
      notifyPort,
      escalatePort,
    },
    health: {
      routerPort: readPort('STACK_ROUTER_HEALTH_PORT', env),
      dispatcherPort: readPort('STACK_DISPATCHER_HEALTH_PORT', env),
    },
    consolePort: readPort('STACK_CONSOLE_PORT', env),
  };
}

/**
 * What the Google client libraries of a process on this machine need (the registry's PLATFORM_VARIABLES):
 * emulator hosts, project, fake-gcs-server's endpoint. The stack gives it to every process it starts.
 *
 * STORAGE_EMULATOR_HOST is deliberately absent: the Storage client lets it override `apiEndpoint` and then drops
 * the `/storage/v1` path, which fake-gcs-server answers with 404s. Clients use STORAGE_API_ENDPOINT instead.
 */
export function stackGoogleEnv(endpoints: StackEndpoints): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: endpoints.project,
    GCLOUD_PROJECT: endpoints.project,
    FIRESTORE_EMULATOR_HOST: endpoints.firestore.emulatorHost,
    PUBSUB_EMULATOR_HOST: endpoints.pubsub.emulatorHost,
    PUBSUB_PROJECT_ID: endpoints.project,
    STORAGE_API_ENDPOINT: endpoints.storage.apiEndpoint,
    // Without this, Google's auth library probes the metadata server, which this machine cannot reach.
    METADATA_SERVER_DETECTION: 'none',
  };
}

/**
 * The environment a client process (the CLI, a test, a benchmark) needs to talk to the stack: the Google
 * clients' (stackGoogleEnv), the bucket, and the Kafka and Pub/Sub names the settings read. Merge it over
 * process.env when spawning one. The stack's own components get only what each reads (stack/appComponents.ts).
 */
export function stackClientEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const endpoints = stackEndpoints(env);
  const google = stackGoogleEnv(endpoints);
  return {
    ...google,
    STACK_BUCKET: endpoints.bucket,
    KAFKA_BROKERS: endpoints.kafka.brokers,
    KAFKA_TOPIC: endpoints.kafka.topic,
    KAFKA_DEAD_LETTER_TOPIC: endpoints.kafka.deadLetterTopic,
    ANOMALIES_TOPIC: endpoints.pubsub.anomaliesTopic,
    ESCALATIONS_TOPIC: endpoints.pubsub.escalationsTopic,
  };
}

/** The stack-wide lines `stack status` prints besides each component's own (project and bucket). */
export function stackGlobalEnvLines(endpoints: StackEndpoints): string[] {
  return [`GOOGLE_CLOUD_PROJECT=${endpoints.project}`, `STACK_BUCKET=${endpoints.bucket}`];
}
