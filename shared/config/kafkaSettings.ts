/**
 * How the Kafka clients (ingest's producer, the dispatcher, the console's lag reader) reach the brokers, read
 * from the environment: plaintext for the local broker; TLS with SASL for a cloud cluster. Plain values: the
 * client itself, with its token provider for OAUTHBEARER, is made in shared/clients/kafka.ts.
 */
import { ConfigError, readVariable } from './variables.js';

/** SASL/PLAIN's user and password, or OAUTHBEARER with the workload's own Google credentials. */
export type KafkaSasl =
  { mechanism: 'plain'; username: string; password: string } | { mechanism: 'oauthbearer' };

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
  ssl: boolean;
  /** Absent: no SASL (the local broker). */
  sasl?: KafkaSasl;
}

function sasl(env: NodeJS.ProcessEnv): KafkaSasl | undefined {
  const mechanism = readVariable('KAFKA_SASL_MECHANISM', env);
  switch (mechanism) {
    case 'none':
      return undefined;
    case 'plain':
      return {
        mechanism: 'plain',
        username: readVariable('KAFKA_SASL_USERNAME', env),
        password: readVariable('KAFKA_SASL_PASSWORD', env),
      };
    case 'oauthbearer':
      return { mechanism: 'oauthbearer' };
    default:
      throw new ConfigError(`KAFKA_SASL_MECHANISM must be none, plain or oauthbearer, got '${mechanism}'`);
  }
}

/** @throws ConfigError when KAFKA_SASL_MECHANISM is none of the three */
export function kafkaSettings(env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  const brokers = readVariable('KAFKA_BROKERS', env)
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const saslSettings = sasl(env);
  return {
    clientId: readVariable('KAFKA_CLIENT_ID', env),
    brokers,
    ssl: readVariable('KAFKA_SSL', env) === 'true',
    ...(saslSettings ? { sasl: saslSettings } : {}),
  };
}
