import { describe, expect, it } from 'vitest';

import { VARIABLES } from '../../../shared/config/variables.js';
import { stackClientEnv, stackEndpoints } from '../../../stack/endpoints.js';

describe('stackEndpoints', () => {
  it('defaults to the documented ports and names', () => {
    const endpoints = stackEndpoints({});
    expect(endpoints.kafka.brokers).toBe('127.0.0.1:9092');
    expect(endpoints.kafka.controllerPort).toBe(9093);
    expect(endpoints.kafka.partitions).toBe(48);
    expect(endpoints.firestore.emulatorHost).toBe('127.0.0.1:8080');
    expect(endpoints.pubsub.emulatorHost).toBe('127.0.0.1:8085');
    expect(endpoints.storage.apiEndpoint).toBe('http://127.0.0.1:4443');
    expect(endpoints.project).toBe('stock-anomalies-local');
    expect(endpoints.bucket).toBe('stock-anomalies-local');
    expect(endpoints.functions).toEqual({
      ingestPort: 8081,
      detectPort: 8082,
      notifyPort: 8083,
      escalatePort: 8084,
    });
  });

  it('moves with the environment, and the push endpoint follows the notify port and project', () => {
    const endpoints = stackEndpoints({
      STACK_NOTIFY_PORT: '9183',
      STACK_PROJECT: 'demo-project',
      STACK_GCS_PORT: '',
    });
    expect(endpoints.pubsub.notifyPushEndpoint).toBe(
      'http://127.0.0.1:9183/projects/demo-project/topics/anomalies',
    );
    expect(
      stackEndpoints({ STACK_ESCALATE_PORT: '9184', STACK_PROJECT: 'demo-project' }).pubsub
        .escalatePushEndpoint,
    ).toBe('http://127.0.0.1:9184/projects/demo-project/topics/suspicious-episodes');
    expect(endpoints.storage.port).toBe(4443);
  });

  it('rejects malformed values, naming the variable', () => {
    expect(() => stackEndpoints({ STACK_KAFKA_PORT: '90x' })).toThrow(/STACK_KAFKA_PORT/);
    expect(() => stackEndpoints({ STACK_PUBSUB_PORT: '70000' })).toThrow(/STACK_PUBSUB_PORT/);
    expect(() => stackEndpoints({ STACK_KAFKA_PARTITIONS: '0' })).toThrow(/STACK_KAFKA_PARTITIONS/);
  });

  it('creates the names the runtime configuration reads by default', () => {
    const endpoints = stackEndpoints({});
    expect(endpoints.kafka.topic).toBe(VARIABLES.KAFKA_TOPIC.default);
    expect(endpoints.kafka.deadLetterTopic).toBe(VARIABLES.KAFKA_DEAD_LETTER_TOPIC.default);
    expect(endpoints.pubsub.anomaliesTopic).toBe(VARIABLES.ANOMALIES_TOPIC.default);
    expect(endpoints.pubsub.escalationsTopic).toBe(VARIABLES.ESCALATIONS_TOPIC.default);
    expect(endpoints.pubsub.anomaliesDeadLetterSubscription).toBe(
      VARIABLES.ANOMALIES_DEAD_LETTER_SUBSCRIPTION.default,
    );
    // deploy.sh's names: the topic's name + -dead-letter, and its subscription's + -sub.
    expect(endpoints.pubsub.anomaliesDeadLetterTopic).toBe(`${endpoints.pubsub.anomaliesTopic}-dead-letter`);
    expect(endpoints.pubsub.anomaliesDeadLetterSubscription).toBe(
      `${endpoints.pubsub.anomaliesDeadLetterTopic}-sub`,
    );
    expect(endpoints.kafka.brokers).toBe(VARIABLES.KAFKA_BROKERS.default);
    expect(`http://127.0.0.1:${endpoints.functions.detectPort}/`).toBe(VARIABLES.DETECT_URL.default);
  });
});

describe('stackClientEnv', () => {
  it('gives clients the emulator hosts and never STORAGE_EMULATOR_HOST', () => {
    const env = stackClientEnv({ STACK_FIRESTORE_PORT: '18080' });
    expect(env).toMatchObject({
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:18080',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      KAFKA_BROKERS: '127.0.0.1:9092',
      GOOGLE_CLOUD_PROJECT: 'stock-anomalies-local',
      STORAGE_API_ENDPOINT: 'http://127.0.0.1:4443',
      METADATA_SERVER_DETECTION: 'none',
    });
    expect(env).not.toHaveProperty('STORAGE_EMULATOR_HOST');
  });
});
