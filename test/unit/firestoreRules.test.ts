/**
 * firestore.rules as deploy.sh publishes it (`deploy.sh --print-rules`), enforced by the Firestore emulator from
 * the Google Cloud SDK: client-SDK requests (REST with a Firebase Auth ID token; the emulator accepts unsigned
 * ones) may only read alerts/, ingestions/, episodes/ (with their history) and bars/, and only with the allowed
 * group in the token's `groups` claim.
 * Needs Java 17+ (the emulator); it fails, not skips, without them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firebaseIdToken, startRulesEmulator, type RulesEmulator } from '../helpers/rulesEmulator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROJECT = 'demo-rules';
const GROUP = 'traders';
const SANDBOX = mkdtempSync(path.join(os.tmpdir(), 'firestore-rules-'));

let emulator: RulesEmulator | undefined;
let base = '';

const idToken = (uid: string, claims: Record<string, unknown> = {}) => firebaseIdToken(PROJECT, uid, claims);

const documents = () => `${base}/v1/projects/${PROJECT}/databases/(default)/documents`;

async function request(method: string, documentPath: string, token?: string, body?: object): Promise<number> {
  const response = await fetch(`${documents()}/${documentPath}`, {
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

const fields = { fields: { symbol: { stringValue: 'INFY' } } };

beforeAll(async () => {
  const rules = path.join(SANDBOX, 'firestore.rules');
  writeFileSync(
    rules,
    execFileSync('bash', [path.join(ROOT, 'deploy.sh'), '--print-rules', `--allowed-group=${GROUP}`], {
      encoding: 'utf8',
    }),
  );
  emulator = await startRulesEmulator(PROJECT, [`--rules=${rules}`]);
  base = emulator.base;
  // Seed as the owner (bypasses the rules), like the functions' IAM access.
  for (const doc of [
    'alerts/a1',
    'ingestions/i1',
    'ingestions/i1/rows/r1',
    'episodes/e1',
    'episodes/e1/history/h1',
    'bars/INFY@2024-01-02',
    'symbol-state/INFY',
    'other/x',
  ]) {
    expect(await request('PATCH', doc, 'owner', fields), doc).toBe(200);
  }
}, 120_000);

afterAll(() => {
  emulator?.stop();
  rmSync(SANDBOX, { recursive: true, force: true });
});

describe('firestore.rules (as deploy.sh publishes them)', () => {
  const member = () => idToken('alice', { groups: ['someone-else', GROUP] });

  it('lets members of the allowed group get and list alerts and ingestion reports', async () => {
    expect(await request('GET', 'alerts/a1', member())).toBe(200);
    expect(await request('GET', 'alerts', member())).toBe(200);
    expect(await request('GET', 'ingestions/i1', member())).toBe(200);
    expect(await request('GET', 'ingestions', member())).toBe(200);
    expect(await request('GET', 'ingestions/i1/rows/r1', member())).toBe(200);
  });

  it("lets them read the console's records: episodes, their triage history, and bars", async () => {
    expect(await request('GET', 'episodes/e1', member())).toBe(200);
    expect(await request('GET', 'episodes', member())).toBe(200);
    expect(await request('GET', 'episodes/e1/history/h1', member())).toBe(200);
    expect(await request('GET', 'episodes/e1/history', member())).toBe(200);
    expect(await request('GET', 'bars/INFY@2024-01-02', member())).toBe(200);
    expect(await request('GET', 'bars', member())).toBe(200);
  });

  it('denies every write, even to members', async () => {
    expect(await request('PATCH', 'alerts/a2', member(), fields)).toBe(403);
    expect(await request('PATCH', 'alerts/a1', member(), fields)).toBe(403);
    expect(await request('DELETE', 'alerts/a1', member())).toBe(403);
    expect(await request('PATCH', 'ingestions/i2', member(), fields)).toBe(403);
    expect(await request('PATCH', 'episodes/e1', member(), fields)).toBe(403);
    expect(await request('PATCH', 'episodes/e1/history/h2', member(), fields)).toBe(403);
    expect(await request('DELETE', 'episodes/e1/history/h1', member())).toBe(403);
    expect(await request('PATCH', 'bars/INFY@2024-01-02', member(), fields)).toBe(403);
  });

  it('denies reads of everything else, even to members', async () => {
    expect(await request('GET', 'symbol-state/INFY', member())).toBe(403);
    expect(await request('GET', 'other/x', member())).toBe(403);
  });

  it('denies reads to non-members, users without the claim and anonymous clients', async () => {
    expect(await request('GET', 'alerts/a1', idToken('bob', { groups: ['anomaly-readers'] }))).toBe(403);
    expect(await request('GET', 'alerts/a1', idToken('carol', { groups: GROUP }))).toBe(403);
    expect(await request('GET', 'alerts/a1', idToken('dave'))).toBe(403);
    expect(await request('GET', 'alerts/a1')).toBe(403);
    expect(await request('GET', 'ingestions', idToken('dave'))).toBe(403);
    expect(await request('GET', 'episodes/e1', idToken('bob', { groups: ['anomaly-readers'] }))).toBe(403);
    expect(await request('GET', 'episodes/e1/history/h1')).toBe(403);
    expect(await request('GET', 'bars/INFY@2024-01-02', idToken('dave'))).toBe(403);
  });
});
