/**
 * The Kafka client, made from the Kafka settings (shared/config/kafkaSettings.ts). For Google Cloud Managed
 * Service for Apache Kafka, OAUTHBEARER carries a token built from the workload's own Google credentials, so no
 * long-lived secret exists anywhere.
 */
import { GoogleAuth } from 'google-auth-library';
import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaSettings } from '../config/kafkaSettings.js';

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

function sasl(settings: KafkaSettings): SASLOptions | undefined {
  switch (settings.sasl?.mechanism) {
    case undefined:
      return undefined;
    case 'plain':
      return settings.sasl;
    case 'oauthbearer': {
      const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
      return { mechanism: 'oauthbearer', oauthBearerProvider: () => managedKafkaToken(auth) };
    }
  }
}

/** kafkajs's configuration for the given settings. */
export function kafkaClientConfig(settings: KafkaSettings): KafkaConfig {
  const saslOptions = sasl(settings);
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    ...(saslOptions ? { sasl: saslOptions } : {}),
    logLevel: logLevel.WARN,
  };
}
