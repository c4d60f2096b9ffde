/**
 * Google-shaped ID tokens signed with a key of the test's own: an RSA key pair made here, its public half given
 * to the console as "Google's certificates" (identity.ts's CertSource), so that tokens verify exactly as Google's
 * would, without the network. A forged token is one this key did not sign.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import type { CertSource } from '../../console/server/identity.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenMint {
  /** The certificates to verify with: the key id and the public key (PEM). */
  certs: CertSource;
  /** A token signed with the key, of Google's shape, with `claims` over the defaults. */
  sign(claims?: Record<string, unknown>): string;
}

/** The audience the tests deploy the console under. */
export const TEST_AUDIENCE = 'https://stock-anomalies-console-123456789.us-central1.run.app';

export function tokenMint(kid = 'test-key-1'): TokenMint {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    certs: async () => ({ [kid]: pem }),
    sign(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const signed = `${base64url({ alg: 'RS256', kid, typ: 'JWT' })}.${base64url({
        iss: 'https://accounts.google.com',
        aud: TEST_AUDIENCE,
        sub: '110000000000000000001',
        email: 'ana@example.com',
        email_verified: true,
        iat: now,
        exp: now + 3600,
        ...claims,
      })}`;
      const signature = createSign('RSA-SHA256').update(signed).sign(privateKey).toString('base64url');
      return `${signed}.${signature}`;
    },
  };
}

/** A token nobody signed (`alg: none`), claiming to be `email`: what a forger sends. */
export function unsignedToken(email: string, audience = TEST_AUDIENCE): string {
  const now = Math.floor(Date.now() / 1000);
  return [
    base64url({ alg: 'none', typ: 'JWT' }),
    base64url({
      iss: 'https://accounts.google.com',
      aud: audience,
      email,
      email_verified: true,
      iat: now,
      exp: now + 3600,
    }),
    '',
  ].join('.');
}

/** `token` as the container receives it from Cloud Run, which checked it: its signature replaced. */
export function asCloudRunPasses(token: string): string {
  return `${token.split('.').slice(0, 2).join('.')}.SIGNATURE_REMOVED_BY_GOOGLE`;
}
