/**
 * Who is calling, for the triage history's `by` (API.md): on Cloud Run, the user IAP names
 * (x-goog-authenticated-user-email), else the email claim of the bearer ID token Cloud Run has verified
 * before the request reached us; locally, the configured user. Headers are believed only on the platform,
 * where nothing else can reach the server; locally anyone could send them.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface IdentitySettings {
  platformIdentity: boolean;
  localUser: string;
}

function bearerEmail(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+([^.\s]+)\.([^.\s]+)\.[^\s]*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8')) as { email?: unknown };
    return typeof claims.email === 'string' && claims.email !== '' ? claims.email : undefined;
  } catch {
    return undefined;
  }
}

export function callerOf(headers: IncomingHttpHeaders, settings: IdentitySettings): string {
  if (!settings.platformIdentity) return settings.localUser;
  const iap = headers['x-goog-authenticated-user-email'];
  if (typeof iap === 'string' && iap !== '') return iap.slice(iap.lastIndexOf(':') + 1);
  return bearerEmail(headers.authorization) ?? 'unknown';
}
