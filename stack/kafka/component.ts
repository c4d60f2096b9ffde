/**
 * Apache Kafka as one combined KRaft node, run from jars that Maven resolves from stack/kafka/pom.xml into
 * .stack/kafka/libs (Maven Central is reachable here; Kafka's download site is not).
 *
 * Kafka keeps its data in .stack/kafka/data across `down`/`up`, like a real cluster would: committed consumer
 * offsets survive a restart. `stack down --purge` deletes it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ProcessComponent, StackContext } from '../component.js';
import type { StackPaths } from '../paths.js';
import { requireExecutable, requireJava, runLogged } from '../tools.js';
import { isKafkaHealthy } from './apiVersions.js';
import { KAFKA_LOG4J2_PROPERTIES, kafkaServerProperties } from './config.js';
import { ensureKafkaTopics } from './topics.js';

export const MAVEN_HINT = 'Install Apache Maven 3.6+ (Debian: apt-get install maven).';

export interface KafkaFiles {
  readonly pom: string;
  readonly libs: string;
  /** sha256 of the pom the libs were resolved from. */
  readonly libsStamp: string;
  readonly data: string;
  /** What the data folder was formatted for; a mismatch means reformat. */
  readonly formatStamp: string;
  readonly serverProperties: string;
  readonly log4j2Properties: string;
}

export function kafkaFiles(paths: StackPaths): KafkaFiles {
  return {
    pom: path.join(paths.sources, 'kafka', 'pom.xml'),
    libs: path.join(paths.kafka, 'libs'),
    libsStamp: path.join(paths.kafka, 'libs.sha256'),
    data: path.join(paths.kafka, 'data'),
    formatStamp: path.join(paths.kafka, 'data.format.json'),
    serverProperties: path.join(paths.kafka, 'server.properties'),
    log4j2Properties: path.join(paths.kafka, 'log4j2.properties'),
  };
}

/** The java the stack runs (JAVA_HOME first, as requireJava checks it). */
function javaCommand(env: NodeJS.ProcessEnv): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

export function kafkaComponent(ctx: StackContext): ProcessComponent {
  const { endpoints, paths, env } = ctx;
  const files = kafkaFiles(paths);
  return {
    name: 'kafka',
    command: javaCommand(env),
    args: [
      '-Xmx512m',
      '-cp',
      // java expands the trailing * to every jar in the folder itself (no shell involved).
      `${files.libs}${path.sep}*`,
      `-Dlog4j2.configurationFile=${files.log4j2Properties}`,
      'kafka.Kafka',
      files.serverProperties,
    ],
    cwd: paths.kafka,
    ports: [endpoints.kafka.port, endpoints.kafka.controllerPort],
    startTimeoutMs: 90_000,
    // A controlled shutdown of a single node takes a few seconds.
    stopTimeoutMs: 20_000,
    provision: provisionKafka,
    healthCheck: () => isKafkaHealthy(endpoints.host, endpoints.kafka.port),
    ensureResources: (context) => ensureKafkaTopics(context.endpoints, context.log),
    purge: (context) => purgeKafkaData(context.paths),
    envLines: () => [`KAFKA_BROKERS=${endpoints.kafka.brokers}`],
  };
}

/** Resolves the jars when the pom changed, writes the configuration, formats the storage when needed. */
export async function provisionKafka(ctx: StackContext): Promise<void> {
  const { paths, env, log } = ctx;
  const files = kafkaFiles(paths);
  const java = await requireJava(env);
  await mkdir(paths.kafka, { recursive: true });
  const provisionLog = path.join(paths.logs, 'provision-kafka.log');

  const pomHash = createHash('sha256')
    .update(await readFile(files.pom))
    .digest('hex');
  if ((await readText(files.libsStamp)) !== pomHash || !(await hasJars(files.libs))) {
    const mvn = await requireExecutable('mvn', MAVEN_HINT, env);
    log('kafka: resolving the broker jars with Maven (first run only)...');
    await rm(files.libs, { recursive: true, force: true });
    await runLogged(
      mvn,
      [
        '-q',
        '-B',
        '-f',
        files.pom,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${files.libs}`,
      ],
      { cwd: paths.root, env, logFile: provisionLog },
    );
    await writeFile(files.libsStamp, pomHash);
  }

  await writeFile(files.serverProperties, kafkaServerProperties(ctx.endpoints, files.data));
  await writeFile(files.log4j2Properties, KAFKA_LOG4J2_PROPERTIES);

  // The controller's address is written into the storage at format time (--standalone records this node as the
  // only voter), and a newer Kafka may not read an older layout back: reformat when either changed.
  const wantedFormat = JSON.stringify({
    pomHash,
    port: ctx.endpoints.kafka.port,
    controllerPort: ctx.endpoints.kafka.controllerPort,
  });
  const formatted = existsSync(path.join(files.data, 'meta.properties'));
  if (formatted && (await readText(files.formatStamp)) === wantedFormat) return;
  if (formatted)
    log('kafka: configuration changed since the storage was formatted; wiping .stack/kafka/data');
  await rm(files.data, { recursive: true, force: true });
  await runLogged(
    java,
    [
      '-cp',
      `${files.libs}${path.sep}*`,
      `-Dlog4j2.configurationFile=${files.log4j2Properties}`,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      newKafkaClusterId(),
      '--config',
      files.serverProperties,
      '--standalone',
      '--ignore-formatted',
    ],
    { cwd: paths.kafka, env, logFile: provisionLog },
  );
  await writeFile(files.formatStamp, wantedFormat);
}

/** Deletes Kafka's data (topics, offsets); the next `up` formats afresh. */
export async function purgeKafkaData(paths: StackPaths): Promise<void> {
  const files = kafkaFiles(paths);
  await rm(files.data, { recursive: true, force: true });
  await rm(files.formatStamp, { force: true });
}

/**
 * A Kafka Uuid as `kafka-storage random-uuid` prints it: 16 random bytes, base64url without padding. Like Kafka's
 * Uuid.randomUuid it never starts with '-', which the command line would read as an option.
 */
export function newKafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function readText(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function hasJars(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.startsWith('kafka_2.13-'));
  } catch {
    return false;
  }
}
