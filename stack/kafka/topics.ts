/** Creates the stack's Kafka topics, idempotently, with kafkajs (loaded only when needed: it is slow to import). */
import type { Admin, ConfigResourceTypes as ResourceTypes } from 'kafkajs';
import type { StackLog } from '../component.js';
import type { StackEndpoints } from '../endpoints.js';

/**
 * Every topic keeps its records for ever (retention.ms=-1), as deploy.sh makes them: a record may wait with its
 * partition (the dispatcher stopped, a symbol's state unreadable) for as long as that takes, and one removed
 * before the dispatcher's group handled it would be skipped (docs/deploy.md, "Nothing expires silently").
 */
export const TOPIC_CONFIGS: ReadonlyArray<{ name: string; value: string }> = [
  { name: 'retention.ms', value: '-1' },
];

export interface KafkaTopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
}

export function stackKafkaTopics(endpoints: StackEndpoints): KafkaTopicSpec[] {
  return [
    { topic: endpoints.kafka.topic, numPartitions: endpoints.kafka.partitions },
    // One partition: dead letters are rare and read in order of failure.
    { topic: endpoints.kafka.deadLetterTopic, numPartitions: 1 },
  ];
}

/**
 * Creates missing topics and grows a topic whose partition count is below the wanted one (STACK_KAFKA_PARTITIONS
 * raised). Kafka cannot shrink a topic, so a larger count is kept with a warning.
 */
export async function ensureKafkaTopics(endpoints: StackEndpoints, log: StackLog): Promise<void> {
  const { Kafka, logLevel, ConfigResourceTypes } = (await import('kafkajs')).default;
  const kafka = new Kafka({
    clientId: 'stock-anomalies-stack',
    brokers: [endpoints.kafka.brokers],
    // Right after the broker starts, its first requests may answer "not ready": kafkajs retries those.
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = stackKafkaTopics(endpoints);
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.numPartitions,
          configEntries: [...TOPIC_CONFIGS],
        })),
        waitForLeaders: true,
      });
      log(
        `kafka: created topic(s) ${missing.map((spec) => `${spec.topic} (${spec.numPartitions})`).join(', ')}`,
      );
    }
    const present = wanted.filter((spec) => existing.has(spec.topic));
    if (present.length === 0) return;
    await correctConfigs(admin, ConfigResourceTypes.TOPIC, present, log);
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    for (const spec of present) {
      const count = metadata.topics.find((topic) => topic.name === spec.topic)?.partitions.length ?? 0;
      if (count < spec.numPartitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: spec.topic, count: spec.numPartitions }] });
        log(`kafka: grew ${spec.topic} from ${count} to ${spec.numPartitions} partitions`);
      } else if (count > spec.numPartitions) {
        log(
          `kafka: ${spec.topic} keeps ${count} partitions (Kafka cannot shrink a topic; down --purge resets it)`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sets TOPIC_CONFIGS on each existing topic that lacks them (made before, or changed by hand). Kafka's
 * AlterConfigs replaces a topic's whole set of overrides: ours are the only ones these topics have.
 */
async function correctConfigs(
  admin: Admin,
  topicType: ResourceTypes,
  specs: readonly KafkaTopicSpec[],
  log: StackLog,
): Promise<void> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({
      type: topicType,
      name: spec.topic,
      configNames: TOPIC_CONFIGS.map((config) => config.name),
    })),
  });
  for (const resource of described.resources) {
    const wrong = TOPIC_CONFIGS.filter(
      (want) =>
        resource.configEntries.find((entry) => entry.configName === want.name)?.configValue !== want.value,
    );
    if (wrong.length === 0) continue;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: topicType, name: resource.resourceName, configEntries: [...TOPIC_CONFIGS] }],
    });
    log(
      `kafka: set ${TOPIC_CONFIGS.map((c) => `${c.name}=${c.value}`).join(', ')} on ${resource.resourceName}`,
    );
  }
}
