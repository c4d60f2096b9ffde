/**
 * A credential detector for the security tests: the repository's tracked files (test/unit/security) and the
 * local stack's logs (test/e2e/security.test.ts) are scanned with the same rules. It looks for credential
 * values, never for the names of settings or hosts: `FIRESTORE_EMULATOR_HOST=127.0.0.1:8080` is fine,
 * `KAFKA_SASL_PASSWORD=<a literal>` is not. A finding shows the rule and the start of what matched, not the
 * whole value.
 */

export interface CredentialRule {
  readonly name: string;
  readonly pattern: RegExp;
}

export interface CredentialFinding {
  readonly rule: string;
  readonly line: number;
  /** The first characters of the match, the rest elided. */
  readonly excerpt: string;
}

/** A known match that is not a credential, and why. */
export interface AllowedMatch {
  readonly rule: string;
  /** Tested against the whole match. */
  readonly match: RegExp;
  /** Limits the entry to the files (or logs) whose path ends with this. */
  readonly path?: string;
  readonly why: string;
}

/**
 * Names of settings or fields that hold a credential value: the word alone, after a separator
 * (`KAFKA_SASL_PASSWORD`, `client-secret`) or capitalised in camelCase (`accessToken`), but not inside a
 * word (`gtoken`, an npm package).
 */
const LOWER = 'password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key';
const UPPER = 'PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY';
const CAPITALISED = 'Password|Passwd|Secret|Token|Api[_-]?[Kk]ey|Access[_-]?[Kk]ey|Private[_-]?[Kk]ey';
const SECRET_NAME = String.raw`(?:\b(?:[A-Za-z0-9_.-]*[_.-])?(?:${LOWER}|${UPPER})|\b[A-Za-z0-9_.-]*[a-z0-9](?:${CAPITALISED}))\b`;

export const FILE_RULES: readonly CredentialRule[] = [
  { name: 'PEM private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { name: 'service-account private_key', pattern: /"private_key"\s*:\s*"[^"]/g },
  { name: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/g },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'Google OAuth access token', pattern: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  // A quoted literal after `name:` or `name=` (code, JSON, YAML, flags)...
  {
    name: 'secret assignment (quoted)',
    pattern: new RegExp(String.raw`${SECRET_NAME}["']?\s*[:=]\s*(["'])[^"'\s$\x60{}<>]{4,}\1`, 'g'),
  },
  // ...or an unquoted one right after `NAME=` (environment, shell, properties files). A value that starts with
  // `$`, `<` or `{` is a reference or a placeholder, not a value.
  {
    name: 'secret assignment (environment)',
    pattern: new RegExp(String.raw`${SECRET_NAME}=[^\s"'$\x60{}<>()]{4,}(?=[\s;&|]|$)`, 'gm'),
  },
];

/** The logs are also checked for request headers that carry a credential. */
export const LOG_RULES: readonly CredentialRule[] = [
  ...FILE_RULES,
  { name: 'Bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{4,}=*/g },
  {
    name: 'Basic authorization',
    pattern: /authorization["']?\s*[:=]\s*["']?Basic\s+[A-Za-z0-9+/]{8,}=*/gi,
  },
];

/** What the rules match in this repository that is not a credential. Keep it short; say why for each. */
export const ALLOWED: readonly AllowedMatch[] = [
  {
    rule: 'secret assignment (environment)',
    match: /^KAFKA_PASSWORD_SECRET=kafka-sasl-password$/,
    path: 'deploy.sh',
    why: 'the name of the Secret Manager secret that deploy.sh creates, not its value',
  },
  {
    rule: 'secret assignment (environment)',
    match: /^CHAT_WEBHOOK_SECRET=chat-webhook-url$/,
    path: 'deploy.sh',
    why: "the name of the Secret Manager secret holding the chat webhook's URL, not its value",
  },
  {
    rule: 'secret assignment (quoted)',
    match: /^(?:KAFKA_SASL_PASSWORD|password): 'secret'$/,
    path: 'test/unit/config/ingestSettings.test.ts',
    why: 'a made-up SASL/PLAIN password in a settings test, checked to reach the Kafka client configuration',
  },
  {
    rule: 'Bearer token',
    match: /^Bearer owner$/,
    why: "the Firestore emulator's documented admin token, which exists only in the emulator",
  },
];

function excerpt(text: string): string {
  return text.length <= 8 ? `${text.slice(0, 2)}…` : `${text.slice(0, 8)}…`;
}

/** Every credential `rules` find in `text`, less the allowed matches for `path`. */
export function findCredentials(
  text: string,
  rules: readonly CredentialRule[] = FILE_RULES,
  path = '',
  allowed: readonly AllowedMatch[] = ALLOWED,
): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  for (const rule of rules) {
    for (const match of text.matchAll(new RegExp(rule.pattern.source, rule.pattern.flags))) {
      const found = match[0];
      const excused = allowed.some(
        (entry) =>
          entry.rule === rule.name &&
          entry.match.test(found) &&
          (entry.path === undefined || path.endsWith(entry.path)),
      );
      if (excused) continue;
      const line = text.slice(0, match.index).split('\n').length;
      findings.push({ rule: rule.name, line, excerpt: excerpt(found) });
    }
  }
  return findings;
}

/** True when `content` looks like a binary file (a NUL byte in its first 8 KiB): not scanned. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8192).includes(0);
}
