/**
 * firestore.audit.rules as deploy.sh publishes them for the audit database (`deploy.sh --print-audit-rules`),
 * enforced by the Firestore emulator on its named database `audit` (rules loaded for that database alone:
 * `PUT /emulator/v1/projects/P/databases/audit:securityRules`). The clients are unprivileged (REST with Firebase
 * Auth ID tokens, which the emulator accepts unsigned; never the owner token, which bypasses the rules): a member
 * reads the history, the triage documents and the feed, and no client creates, updates or deletes any of them;
 * the console (the owner here, IAM deployed) creates history entries. Needs Java 17+ (the emulator); it fails, not skips, without them.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firebaseIdToken, startRulesEmulator, type RulesEmulator } from '../helpers/rulesEmulator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROJECT = 'demo-audit-rules';
const DATABASE = 'audit';
const GROUP = 'traders';

let emulator: RulesEmulator | undefined;
let base = '';

/** A verified email's token, as the console's callers have. */
const idToken = (uid: string, claims: Record<string, unknown> = {}) =>
  firebaseIdToken(PROJECT, uid, { email: `${uid}@example.com`, email_verified: true, ...claims });

const database = () => `projects/${PROJECT}/databases/${DATABASE}`;
const documents = () => `${base}/v1/${database()}/documents`;
const text = (value: string) => ({ stringValue: value });

async function call(method: string, url: string, token?: string, body?: object): Promise<number> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Creates `documentPath` (it must not exist) with `fields` and `at` set to the server's time, as a client SDK's
 * `add({... at: serverTimestamp()})` does: one commit.
 */
function create(documentPath: string, fields: Record<string, unknown>, token?: string): Promise<number> {
  return call('POST', `${documents()}:commit`, token, {
    writes: [
      {
        update: { name: `${database()}/documents/${documentPath}`, fields },
        currentDocument: { exists: false },
        updateTransforms: [{ fieldPath: 'at', setToServerValue: 'REQUEST_TIME' }],
      },
    ],
  });
}

const entry = (by: string) => ({ by: text(by), from: text('new'), to: text('investigating') });
const HISTORY = 'episodes/ACME@2024-01-02T04:00Z/history';

beforeAll(async () => {
  const rules = execFileSync(
    'bash',
    [path.join(ROOT, 'deploy.sh'), '--print-audit-rules', `--allowed-group=${GROUP}`],
    { encoding: 'utf8' },
  );
  emulator = await startRulesEmulator(PROJECT);
  base = emulator.base;
  const loaded = await call('PUT', `${base}/emulator/v1/${database()}:securityRules`, undefined, {
    rules: { files: [{ content: rules }] },
  });
  expect(loaded, 'rules loaded for the audit database').toBe(200);
  // Seeded as the owner (bypasses the rules), as the console's server writes through IAM.
  const seeded = { fields: { triage: { mapValue: { fields: { status: text('investigating') } } } } };
  for (const doc of ['episodes/ACME@2024-01-02T04:00Z', 'episodes-triage/f1', `${HISTORY}/h1`]) {
    expect(await call('PATCH', `${documents()}/${doc}`, 'owner', seeded), doc).toBe(200);
  }
}, 120_000);

afterAll(() => emulator?.stop());

describe('firestore.audit.rules (as deploy.sh publishes them for the audit database)', () => {
  const ana = () => idToken('ana', { groups: [GROUP] });

  it('lets a member read the history the console created', async () => {
    // The console's write: as the owner (IAM, which the rules do not govern), a create that never overwrites.
    expect(await create(`${HISTORY}/h2`, entry('ana@example.com'), 'owner')).toBe(200);
    expect(await create(`${HISTORY}/h2`, entry('ana@example.com'), 'owner')).toBe(409);
    expect(await call('GET', `${documents()}/${HISTORY}/h2`, ana())).toBe(200);
    expect(await call('GET', `${documents()}/${HISTORY}`, ana())).toBe(200);
    expect(await call('GET', `${documents()}/${HISTORY}`, idToken('eve'))).toBe(403);
  });

  it('refuses any entry from a client, even a member under their own email at the server time', async () => {
    expect(await create(`${HISTORY}/x1`, entry('ana@example.com'), ana())).toBe(403);
    expect(await create(`${HISTORY}/x2`, entry('bo@example.com'), ana())).toBe(403);
    expect(await create(`${HISTORY}/x3`, entry('eve@example.com'), idToken('eve'))).toBe(403);
    expect(await create(`${HISTORY}/x4`, entry('eve@example.com'))).toBe(403);
    expect(await call('GET', `${documents()}/${HISTORY}/x1`, 'owner')).toBe(404);
  });

  it('refuses to update or delete any history entry, even by its author', async () => {
    expect(await create(`${HISTORY}/h3`, entry('ana@example.com'), 'owner')).toBe(200);
    const changed = { fields: { ...entry('ana@example.com'), to: text('dismissed') } };
    expect(await call('PATCH', `${documents()}/${HISTORY}/h3`, ana(), changed)).toBe(403);
    expect(await call('DELETE', `${documents()}/${HISTORY}/h3`, ana())).toBe(403);
    expect(await call('PATCH', `${documents()}/${HISTORY}/h1`, ana(), changed)).toBe(403);
    expect(await call('DELETE', `${documents()}/${HISTORY}/h1`, ana())).toBe(403);
    // Still there, as written.
    expect(await call('GET', `${documents()}/${HISTORY}/h1`, ana())).toBe(200);
    expect(await call('GET', `${documents()}/${HISTORY}/h3`, ana())).toBe(200);
  });

  it('keeps the triage documents and the feed read only', async () => {
    const triage = { fields: { triage: { mapValue: { fields: { status: text('dismissed') } } } } };
    expect(await call('GET', `${documents()}/episodes/ACME@2024-01-02T04:00Z`, ana())).toBe(200);
    expect(await call('PATCH', `${documents()}/episodes/ACME@2024-01-02T04:00Z`, ana(), triage)).toBe(403);
    expect(await call('DELETE', `${documents()}/episodes/ACME@2024-01-02T04:00Z`, ana())).toBe(403);
    expect(await call('PATCH', `${documents()}/episodes/OTHER`, ana(), triage)).toBe(403);
    expect(await call('PATCH', `${documents()}/episodes-triage/f2`, ana(), triage)).toBe(403);
    expect(await call('DELETE', `${documents()}/episodes-triage/f1`, ana())).toBe(403);
  });
});
