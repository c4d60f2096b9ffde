/**
 * Who is calling, for the triage history's `by`: on Cloud Run, the email claim of the bearer ID token Cloud Run
 * verified before the request reached us (deploy.sh makes IAM the only way in); locally, the configured user.
 * No other header is believed: an IAP header is the caller's own to forge unless IAP stands in front and its
 * signed assertion is checked, and the deployment has no IAP.
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
  return bearerEmail(headers.authorization) ?? 'unknown';
}
