/**
 * Who is calling, for the triage history's `by` and the per-caller limits: locally, the configured user; on Cloud
 * Run, the email of a Google-signed ID token that the console verifies itself (signature against Google's keys,
 * audience, issuer, expiry), never a claim merely read.
 *
 * Which token: Cloud Run's IAM checks `X-Serverless-Authorization` when a request carries it, and then passes
 * `Authorization` through unchecked (it is the application's own header); without it, Cloud Run checks
 * `Authorization`. So the token read is the one the platform checked: `X-Serverless-Authorization` when present,
 * else `Authorization`. No other header is believed (an IAP header is the caller's own to forge: the deployment
 * has no IAP, docs/deploy.md says why).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { OAuth2Client, type Certificates } from 'google-auth-library';
import { serviceError } from '../../shared/errors.js';

/** The issuers of Google's ID tokens (both spellings are in use). */
export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export type IdentitySettings =
  { platformIdentity: false; localUser: string } | { platformIdentity: true; audiences: readonly string[] };

/** Google's public keys by key id (PEM), as its certificate endpoint publishes them. */
export type CertSource = () => Promise<Certificates>;

/** The caller, or why there is none. */
export type Caller = { ok: true; email: string } | { ok: false; reason: string };

export type CallerIdentity = (headers: IncomingHttpHeaders) => Promise<Caller>;

/** The bearer token of the header the platform checked, or undefined when there is none. */
export function checkedBearer(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-serverless-authorization'] ?? headers.authorization;
  const match = /^Bearer\s+(\S+)$/i.exec(typeof header === 'string' ? header.trim() : '');
  return match?.[1];
}

/**
 * Google's certificates through google-auth-library, which caches them for as long as Google's answer says
 * (hours) and fetches them again when they rotate. A failure to fetch them is a service down (503), not a caller
 * refused.
 */
function googleCerts(): CertSource {
  const client = new OAuth2Client();
  return async () => {
    try {
      return (await client.getFederatedSignonCertsAsync()).certs;
    } catch (error) {
      throw serviceError('Google sign-in', error);
    }
  };
}

/**
 * The caller's identity as the settings say: the local user, or the verified token's email. `certs` replaces
 * Google's certificate endpoint (the tests sign tokens with a key of their own).
 */
export function callerIdentity(
  settings: IdentitySettings,
  certs: CertSource = googleCerts(),
): CallerIdentity {
  if (!settings.platformIdentity) {
    const caller: Caller = { ok: true, email: settings.localUser };
    return async () => caller;
  }
  const verifier = new OAuth2Client();
  const audiences = [...settings.audiences];
  return async (headers) => {
    const token = checkedBearer(headers);
    if (token === undefined) return { ok: false, reason: 'no bearer token' };
    const keys = await certs();
    let payload: { email?: unknown; email_verified?: unknown } | undefined;
    try {
      // The same check as verifyIdToken (signature by a key of Google's, issuer, audience, iat and exp with
      // five minutes' skew, at most a day's lifetime), with the keys from `certs`.
      const ticket = await verifier.verifySignedJwtWithCertsAsync(token, keys, audiences, GOOGLE_ISSUERS);
      payload = ticket.getPayload();
    } catch (error) {
      // The library's message quotes the whole token: only its first words are kept, so that no credential
      // reaches an answer or a log.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `the ID token does not verify (${message.split(/[:,]/)[0]!.trim()})` };
    }
    if (typeof payload?.email !== 'string' || payload.email === '' || payload.email_verified !== true) {
      return { ok: false, reason: 'the ID token names no verified email' };
    }
    return { ok: true, email: payload.email };
  };
}
