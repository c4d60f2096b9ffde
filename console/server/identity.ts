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
 *
 * How it is verified: a token that carries its signature is verified in full against Google's keys. Cloud Run,
 * though, replaces the signature of the token it checked with `SIGNATURE_REMOVED_BY_GOOGLE` before the request
 * reaches the container (so that it cannot be replayed): such a token, read from the header Cloud Run checked (the
 * container is reachable only through Cloud Run's front end, which refuses a bad signature in that header before
 * the request reaches it), has its claims verified here (issuer, audience, expiry, a verified email) and its
 * signature taken as the platform's check. Anything else (an unsigned token, another signature) is refused.
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

/** What Cloud Run puts in place of the signature of the token it checked (its troubleshooting guide names it). */
export const SIGNATURE_REMOVED = 'SIGNATURE_REMOVED_BY_GOOGLE';
/** As google-auth-library's checks: five minutes of clock skew, a lifetime of at most a day. */
const CLOCK_SKEW_S = 300;
const MAX_LIFETIME_S = 86_400;

interface Claims {
  email?: unknown;
  email_verified?: unknown;
}

/**
 * The claims of a token whose signature the platform checked and removed, checked as verifySignedJwtWithCertsAsync
 * checks a signed one's (issuer, audience, iat and exp with the same skew and lifetime); the refusal otherwise.
 */
export function platformCheckedClaims(
  token: string,
  audiences: readonly string[],
  nowSeconds: number,
): { ok: true; claims: Claims } | { ok: false; reason: string } {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] !== SIGNATURE_REMOVED)
    return { ok: false, reason: 'not a token the platform checked' };
  let claims: Claims & { iss?: unknown; aud?: unknown; iat?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, reason: 'its claims do not read' };
  }
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'its claims do not read' };
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number')
    return { ok: false, reason: 'no issue or expiry time' };
  if (exp >= nowSeconds + MAX_LIFETIME_S) return { ok: false, reason: 'Expiration time too far in future' };
  if (nowSeconds < iat - CLOCK_SKEW_S) return { ok: false, reason: 'Token used too early' };
  if (nowSeconds > exp + CLOCK_SKEW_S) return { ok: false, reason: 'Token used too late' };
  if (typeof claims.iss !== 'string' || !GOOGLE_ISSUERS.includes(claims.iss))
    return { ok: false, reason: 'Invalid issuer' };
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud))
    return { ok: false, reason: 'Wrong recipient' };
  return { ok: true, claims };
}

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
    let payload: Claims | undefined;
    if (token.endsWith(`.${SIGNATURE_REMOVED}`)) {
      const checked = platformCheckedClaims(token, audiences, Date.now() / 1000);
      if (!checked.ok) return { ok: false, reason: `the ID token does not verify (${checked.reason})` };
      payload = checked.claims;
    } else {
      const verified = await verifySigned(token);
      if (!verified.ok) return verified;
      payload = verified.claims;
    }
    if (typeof payload?.email !== 'string' || payload.email === '' || payload.email_verified !== true) {
      return { ok: false, reason: 'the ID token names no verified email' };
    }
    return { ok: true, email: payload.email };
  };

  async function verifySigned(
    token: string,
  ): Promise<{ ok: true; claims: Claims | undefined } | { ok: false; reason: string }> {
    const keys = await certs();
    let payload: Claims | undefined;
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
    return { ok: true, claims: payload };
  }
}
