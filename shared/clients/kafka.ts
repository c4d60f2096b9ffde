/**
 * The Kafka client, configured from the environment: plaintext for the local broker; TLS with SASL for a
 * cloud cluster. For Google Cloud Managed Service for Apache Kafka, OAUTHBEARER carries a token built from the
 * workload's own Google credentials, so no long-lived secret exists anywhere.
 */
import { GoogleAuth } from 'google-auth-library';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { ConfigError, readVariable } from '../config/runtime.js';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * The OAUTHBEARER token Managed Kafka accepts: a JWT-shaped `header.claims.accessToken`, as Google's
 * kafka-auth-local-server builds it (header alg GOOG_OAUTH2_TOKEN; claims iss, sub, iat, exp).
 */
async function managedKafkaToken(auth: GoogleAuth): Promise<{ value: string }> {
  const client = await auth.getClient();
  const { token, res } = await client.getAccessToken();
  if (!token) throw new Error('no Google access token for Kafka OAUTHBEARER');
  const credentials = await auth.getCredentials();
  const now = Math.floor(Date.now() / 1000);
  const expiry = Number(res?.data?.expiry_date ?? (now + 3000) * 1000) / 1000;
  const header = JSON.stringify({ typ: 'JWT', alg: 'GOOG_OAUTH2_TOKEN' });
  const claims = JSON.stringify({ exp: expiry, iss: 'Google', iat: now, sub: credentials.client_email });
  return { value: [base64url(header), base64url(claims), base64url(token)].join('.') };
}

function sasl(env: NodeJS.ProcessEnv): SASLOptions | undefined {
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
    case 'oauthbearer': {
      const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
      return { mechanism: 'oauthbearer', oauthBearerProvider: () => managedKafkaToken(auth) };
    }
    default:
      throw new ConfigError(`KAFKA_SASL_MECHANISM must be none, plain or oauthbearer, got '${mechanism}'`);
  }
}

export function kafkaConfig(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const brokers = readVariable('KAFKA_BROKERS', env)
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const saslOptions = sasl(env);
  return {
    clientId: readVariable('KAFKA_CLIENT_ID', env),
    brokers,
    ssl: readVariable('KAFKA_SSL', env) === 'true',
    ...(saslOptions ? { sasl: saslOptions } : {}),
    logLevel: logLevel.WARN,
  };
}

export function createKafka(env: NodeJS.ProcessEnv = process.env): Kafka {
  return new Kafka(kafkaConfig(env));
}
