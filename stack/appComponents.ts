/**
 * The application on the local stack: the four functions, each served by functions-framework exactly as
 * Cloud Run serves it, the storage-event router (Eventarc's part), the Kafka dispatcher (KafkaSource's
 * part) and the analysts' console. They run the compiled code in dist/, which `npm install` builds.
 *
 * Each gets the Google clients' environment (stackGoogleEnv) and, of the registry's variables
 * (shared/config/variables.ts), exactly those it reads that the registry marks as passed by the stack; for the
 * others the default is the local value. A unit test holds this file to the registry (test/unit/deploy/
 * environment.test.ts). The processes also inherit the environment `stack up` runs in.
 */
import path from 'node:path';
import type { ComponentFactory, ProcessComponent, StackContext } from './component.js';
import { STACK_HOST, stackGoogleEnv } from './endpoints.js';
import { isHttpOk, isPortOpen } from './probes.js';

const FUNCTION_NAMES = ['ingest', 'detect', 'notify', 'escalate'] as const;

/** What each function reads of the stack's own values, besides the Google clients' environment. */
function functionEnv(ctx: StackContext, name: (typeof FUNCTION_NAMES)[number]): Record<string, string> {
  const { kafka, pubsub } = ctx.endpoints;
  // Faults injected on purpose, only when whoever starts the stack asks (shared/faultInjection.ts); ingest has
  // no fault point.
  const faults = { FAULTS: ctx.env.FAULTS ?? '' };
  switch (name) {
    case 'ingest':
      return {
        KAFKA_BROKERS: kafka.brokers,
        KAFKA_TOPIC: kafka.topic,
        // Locally an ingestion whose instance died is taken over within seconds, not a minute.
        INGEST_LEASE_MS: ctx.env.INGEST_LEASE_MS ?? '9000',
      };
    case 'detect':
      return {
        ANOMALIES_TOPIC: pubsub.anomaliesTopic,
        ESCALATIONS_TOPIC: pubsub.escalationsTopic,
        ...faults,
      };
    case 'notify':
      return faults;
    case 'escalate':
      // No webhook unless whoever starts the stack names one (a test's receiver): escalations are then logged.
      return {
        CHAT_WEBHOOK_URL: ctx.env.CHAT_WEBHOOK_URL ?? '',
        CHAT_WEBHOOK_FORMAT: ctx.env.CHAT_WEBHOOK_FORMAT ?? '',
        CONSOLE_URL: consoleUrl(ctx),
      };
  }
}

function functionComponent(ctx: StackContext, name: (typeof FUNCTION_NAMES)[number]): ProcessComponent {
  const ports = ctx.endpoints.functions;
  const port = {
    ingest: ports.ingestPort,
    detect: ports.detectPort,
    notify: ports.notifyPort,
    escalate: ports.escalatePort,
  }[name];
  const root = ctx.paths.root;
  return {
    name,
    command: process.execPath,
    args: [
      // functions-framework would listen on every interface: this binds it to the loopback one.
      `--import=${path.join(root, 'dist/stack/loopbackListen.js')}`,
      path.join(root, 'node_modules/@google-cloud/functions-framework/build/src/main.js'),
      `--target=${name}`,
      '--signature-type=cloudevent',
      `--port=${port}`,
      `--source=${root}`,
    ],
    env: {
      ...stackGoogleEnv(ctx.endpoints),
      STACK_LISTEN_HOST: STACK_HOST,
      // Each delivery the function receives, one line, for the fault tests to count (shared/deliveryTrace.ts).
      DELIVERY_TRACE: path.join(ctx.paths.logs, `${name}.deliveries`),
      ...functionEnv(ctx, name),
    },
    ports: [port],
    dependsOn: ['kafka', 'firestore', 'pubsub', 'fake-gcs'],
    startTimeoutMs: 30_000,
    async healthCheck() {
      return isPortOpen(STACK_HOST, port);
    },
    envLines: () => [`${name.toUpperCase()}_URL=http://${STACK_HOST}:${port}/`],
  };
}

function nodeProcess(
  ctx: StackContext,
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  dependsOn: string[],
): ProcessComponent {
  return {
    name,
    command: process.execPath,
    args: [path.join(ctx.paths.root, 'dist', script)],
    env: { ...stackGoogleEnv(ctx.endpoints), ...env, HEALTH_PORT: String(port) },
    ports: [port],
    dependsOn,
    startTimeoutMs: 60_000,
    healthCheck: () => isHttpOk(`http://${STACK_HOST}:${port}/`),
    envLines: () => [],
  };
}

/** The analysts' console (console/server.ts) on STACK_CONSOLE_PORT, bound to the loopback interface. */
function consoleComponent(ctx: StackContext): ProcessComponent {
  const port = ctx.endpoints.consolePort;
  const { kafka } = ctx.endpoints;
  return {
    name: 'console',
    command: process.execPath,
    args: [path.join(ctx.paths.root, 'dist/console/server.js')],
    env: {
      ...stackGoogleEnv(ctx.endpoints),
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC: kafka.topic,
      KAFKA_DEAD_LETTER_TOPIC: kafka.deadLetterTopic,
      PORT: String(port),
      CONSOLE_HOST: STACK_HOST,
      // The set-aside rows it serves are this bucket's only.
      UPLOAD_BUCKET: ctx.endpoints.bucket,
    },
    ports: [port],
    dependsOn: ['firestore', 'kafka', 'fake-gcs'],
    startTimeoutMs: 60_000,
    // /api/meta answers from the start, while the read model is still loading.
    healthCheck: () => isHttpOk(`http://${STACK_HOST}:${port}/api/meta`),
    envLines: () => [`CONSOLE_URL=${consoleUrl(ctx)}`],
  };
}

/** Where the local stack's console answers. */
export const consoleUrl = (ctx: StackContext) => `http://${STACK_HOST}:${ctx.endpoints.consolePort}/`;

export const appComponents: ComponentFactory = (ctx) => {
  const { functions, kafka } = ctx.endpoints;
  return [
    ...FUNCTION_NAMES.map((name) => functionComponent(ctx, name)),
    nodeProcess(
      ctx,
      'router',
      'stack/router/main.js',
      ctx.endpoints.health.routerPort,
      { INGEST_URL: `http://${STACK_HOST}:${functions.ingestPort}/` },
      ['ingest'],
    ),
    nodeProcess(
      ctx,
      'dispatcher',
      'functions/dispatcher/main.js',
      ctx.endpoints.health.dispatcherPort,
      {
        KAFKA_BROKERS: kafka.brokers,
        KAFKA_TOPIC: kafka.topic,
        KAFKA_DEAD_LETTER_TOPIC: kafka.deadLetterTopic,
        DETECT_URL: `http://${STACK_HOST}:${functions.detectPort}/`,
        DISPATCH_AUTH: 'none',
        // Locally detect comes back within a second or two of a restart: retry about as often.
        DISPATCH_INITIAL_BACKOFF_MS: ctx.env.DISPATCH_INITIAL_BACKOFF_MS ?? '100',
        DISPATCH_MAX_BACKOFF_MS: ctx.env.DISPATCH_MAX_BACKOFF_MS ?? '2000',
      },
      ['detect', 'kafka'],
    ),
    consoleComponent(ctx),
  ];
};
