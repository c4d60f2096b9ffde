/**
 * The local stack's addresses and names, read from the environment. Everything that talks to the stack (the
 * CLI, the functions run locally, the tests) takes its hosts, ports and names from here, so a port moved by an
 * environment variable moves for everyone.
 */

/** Every component listens on loopback only: the stack is for this machine. */
export const STACK_HOST = '127.0.0.1';

/** The names the stack creates. They equal the defaults of shared/config/runtime.ts (a unit test checks). */
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
} as const;

/** The environment variables that move the stack, with their defaults. */
export const STACK_VARIABLES = {
  STACK_PROJECT: 'stock-anomalies-local',
  STACK_BUCKET: 'stock-anomalies-local',
  STACK_KAFKA_PORT: '9092',
  STACK_KAFKA_CONTROLLER_PORT: '9093',
  STACK_KAFKA_PARTITIONS: '48',
  STACK_FIRESTORE_PORT: '8080',
  STACK_PUBSUB_PORT: '8085',
  STACK_GCS_PORT: '4443',
  STACK_INGEST_PORT: '8081',
  STACK_DETECT_PORT: '8082',
  STACK_NOTIFY_PORT: '8083',
  STACK_ROUTER_HEALTH_PORT: '8087',
  STACK_DISPATCHER_HEALTH_PORT: '8088',
  /** The analysts' console (console/server.ts). */
  STACK_CONSOLE_PORT: '8090',
} as const;

export type StackVariable = keyof typeof STACK_VARIABLES;

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
    /**
     * Where anomalies-notify pushes. The path names the topic because functions-framework turns a raw Pub/Sub
     * push into a CloudEvent only when the URL path contains `projects/P/topics/T`.
     */
    readonly notifyPushEndpoint: string;
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
  };
  /** Health ports of the storage-event router and the Kafka dispatcher. */
  readonly health: {
    readonly routerPort: number;
    readonly dispatcherPort: number;
  };
  /** The analysts' console's port. */
  readonly consolePort: number;
}

/** Reads one stack variable, falling back to its default when unset or empty. */
export function readStackVariable(name: StackVariable, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value === '' ? STACK_VARIABLES[name] : value;
}

function readPort(name: StackVariable, env: NodeJS.ProcessEnv): number {
  const text = readStackVariable(name, env);
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${text}'`);
  }
  return port;
}

function readPositiveInt(name: StackVariable, env: NodeJS.ProcessEnv): number {
  const text = readStackVariable(name, env);
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${text}'`);
  return value;
}

/** The stack's endpoints as the given environment places them. Throws on a malformed variable. */
export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const project = readStackVariable('STACK_PROJECT', env);
  // Pub/Sub ids (and so the push path) need at least 3 characters; bucket names too.
  if (project.length < 3) throw new Error(`STACK_PROJECT must have at least 3 characters, got '${project}'`);
  const bucket = readStackVariable('STACK_BUCKET', env);
  const kafkaPort = readPort('STACK_KAFKA_PORT', env);
  const firestorePort = readPort('STACK_FIRESTORE_PORT', env);
  const pubsubPort = readPort('STACK_PUBSUB_PORT', env);
  const gcsPort = readPort('STACK_GCS_PORT', env);
  const notifyPort = readPort('STACK_NOTIFY_PORT', env);
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
      notifyPushEndpoint: `http://${STACK_HOST}:${notifyPort}/projects/${project}/topics/${STACK_NAMES.anomaliesTopic}`,
    },
    storage: { port: gcsPort, apiEndpoint: `http://${STACK_HOST}:${gcsPort}` },
    functions: {
      ingestPort: readPort('STACK_INGEST_PORT', env),
      detectPort: readPort('STACK_DETECT_PORT', env),
      notifyPort,
    },
    health: {
      routerPort: readPort('STACK_ROUTER_HEALTH_PORT', env),
      dispatcherPort: readPort('STACK_DISPATCHER_HEALTH_PORT', env),
    },
    consolePort: readPort('STACK_CONSOLE_PORT', env),
  };
}

/**
 * The environment a client process needs to talk to the stack: emulator hosts, brokers, project, bucket and the
 * names the runtime configuration reads (shared/config/runtime.ts). Merge it over process.env when spawning a
 * function or a test client.
 *
 * STORAGE_EMULATOR_HOST is deliberately absent: the Storage client lets it override `apiEndpoint` and then drops
 * the `/storage/v1` path, which fake-gcs-server answers with 404s. Clients use STORAGE_API_ENDPOINT instead.
 */
export function stackClientEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const endpoints = stackEndpoints(env);
  return {
    GOOGLE_CLOUD_PROJECT: endpoints.project,
    GCLOUD_PROJECT: endpoints.project,
    FIRESTORE_EMULATOR_HOST: endpoints.firestore.emulatorHost,
    PUBSUB_EMULATOR_HOST: endpoints.pubsub.emulatorHost,
    PUBSUB_PROJECT_ID: endpoints.project,
    STORAGE_API_ENDPOINT: endpoints.storage.apiEndpoint,
    STACK_BUCKET: endpoints.bucket,
    KAFKA_BROKERS: endpoints.kafka.brokers,
    KAFKA_TOPIC: endpoints.kafka.topic,
    KAFKA_DEAD_LETTER_TOPIC: endpoints.kafka.deadLetterTopic,
    ANOMALIES_TOPIC: endpoints.pubsub.anomaliesTopic,
    // Without this, Google's auth library probes the metadata server, which this machine cannot reach.
    METADATA_SERVER_DETECTION: 'none',
  };
}

/** The stack-wide lines `stack status` prints besides each component's own (project and bucket). */
export function stackGlobalEnvLines(endpoints: StackEndpoints): string[] {
  return [`GOOGLE_CLOUD_PROJECT=${endpoints.project}`, `STACK_BUCKET=${endpoints.bucket}`];
}
