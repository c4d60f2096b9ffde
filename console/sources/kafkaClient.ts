/** The console's Kafka client, for the health page's two readings (sources/healthReadings.ts). */
import { Kafka, logLevel } from 'kafkajs';
import { kafkaClientConfig } from '../../shared/clients/kafka.js';
import { kafkaSettings } from '../../shared/config/kafkaSettings.js';

/** It gives up quickly, so that the health page says Kafka is down instead of hanging. */
export function consoleKafka(env: NodeJS.ProcessEnv): Kafka {
  const settings = kafkaSettings(env);
  return new Kafka({
    ...kafkaClientConfig(settings),
    // KAFKA_CLIENT_ID's, marked as the console's in the broker's logs and quotas.
    clientId: `${settings.clientId}-console`,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
  });
}
