/** No tracked file holds a credential: every file `git ls-files` names is scanned (test/helpers/credentials.ts). */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../../../shared/repoRoot.js';
import { findCredentials, isBinary, LOG_RULES } from '../../helpers/credentials.js';

const root = findRepoRoot();

/** Random characters from `alphabet`, so that no credential-shaped literal is ever committed. */
function random(length: number, alphabet: string): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER}${UPPER.toLowerCase()}0123456789`;

describe('the credential detector', () => {
  // Each built at run time from pieces: the detector must flag it, or the scan below proves nothing.
  const synthetic: Array<[rule: string, text: string]> = [
    ['Google API key', `key: ${['AI', 'za'].join('')}${random(35, `${ALNUM}_-`)}\n`],
    ['AWS access key id', `id = ${['AK', 'IA'].join('')}${random(16, UPPER)}\n`],
    ['Google OAuth access token', `token ${['ya', '29.'].join('')}${random(40, ALNUM)}\n`],
    ['PEM private key', `${'-'.repeat(5)}BEGIN RSA ${['PRIVATE', 'KEY'].join(' ')}${'-'.repeat(5)}\nMIIE\n`],
    ['service-account private_key', `{"type":"service_account","${'private'}_key":"${random(12, ALNUM)}"}`],
    ['secret assignment (quoted)', `const config = { ${'pass'}word: '${random(12, ALNUM)}' };`],
    ['secret assignment (quoted)', `headers({ access${'Tok'}en: "${random(24, ALNUM)}" })`],
    ['secret assignment (environment)', `export KAFKA_SASL_${'PASS'}WORD=${random(12, ALNUM)}\n`],
  ];
  it.each(synthetic)('flags a synthetic %s', (rule, text) => {
    expect(findCredentials(`first line\n${text}`).map((finding) => finding.rule)).toContain(rule);
    expect(findCredentials(`first line\n${text}`)[0]?.line).toBe(2);
  });

  it('flags Authorization header values in logs', () => {
    const token = random(30, ALNUM);
    expect(findCredentials(`{"authorization":"${'Bear'}er ${token}"}`, LOG_RULES)).toHaveLength(1);
    expect(findCredentials(`Authorization: ${'Bas'}ic ${random(16, ALNUM)}==`, LOG_RULES)).toHaveLength(1);
  });

  it('does not show the value it found', () => {
    const key = `${['AI', 'za'].join('')}${random(35, ALNUM)}`;
    const [finding] = findCredentials(key);
    expect(finding?.excerpt).not.toContain(key.slice(8));
  });

  it('leaves setting names, references, placeholders and hostnames alone', () => {
    const benign = [
      'FIRESTORE_EMULATOR_HOST=127.0.0.1:8080',
      'KAFKA_SASL_PASSWORD=$KAFKA_PASSWORD',
      'KAFKA_PASSWORD_FILE=${DEPLOY_KAFKA_PASSWORD_FILE:-}',
      "password: readVariable('KAFKA_SASL_PASSWORD', env),",
      "KAFKA_SASL_PASSWORD: '',",
      "-H 'Authorization: Bearer <token>'",
      '--set-secrets=KAFKA_SASL_PASSWORD=$SECRET:latest',
      '"gtoken": "^7.0.0",',
    ].join('\n');
    expect(findCredentials(benign, LOG_RULES)).toEqual([]);
  });
});

describe('the tracked files', () => {
  it('hold no credential', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(50);
    const findings: string[] = [];
    for (const file of files) {
      let content: Buffer;
      try {
        content = readFileSync(join(root, file));
      } catch {
        continue; // deleted in the work tree, not yet committed
      }
      if (isBinary(content)) continue;
      for (const finding of findCredentials(content.toString('utf8'), undefined, file)) {
        findings.push(`${file}:${finding.line}: ${finding.rule} (${finding.excerpt})`);
      }
    }
    expect(findings).toEqual([]);
  });
});
