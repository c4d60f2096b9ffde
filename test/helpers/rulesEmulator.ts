/**
 * The Firestore emulator from the Google Cloud SDK, started on a free port for a security-rules test, and the
 * unsigned Firebase Auth ID tokens such a test's clients send (the emulator does not check signatures). Needs
 * Java 17+; a test fails, not skips, without the emulator.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { freePort } from './freePort.js';

/** The emulator in the SDK that the gcloud on PATH belongs to. */
function emulatorPath(): string {
  const gcloud = execFileSync('sh', ['-c', 'command -v gcloud || true'], { encoding: 'utf8' }).trim();
  const sdk = gcloud ? path.dirname(path.dirname(realpathSync(gcloud))) : '/usr/lib/google-cloud-sdk';
  return path.join(sdk, 'platform/cloud-firestore-emulator/cloud_firestore_emulator');
}

export interface RulesEmulator {
  /** `http://127.0.0.1:PORT` */
  base: string;
  stop(): void;
}

/** Starts the emulator for `project` (`args` added, e.g. `--rules=FILE`) and waits until it answers. */
export async function startRulesEmulator(
  project: string,
  args: readonly string[] = [],
): Promise<RulesEmulator> {
  const emulator = emulatorPath();
  expect(existsSync(emulator), `the Firestore emulator (${emulator})`).toBe(true);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(emulator, [`--host=127.0.0.1`, `--port=${port}`, `--project_id=${project}`, ...args], {
    detached: true,
    stdio: 'ignore',
  });
  const stop = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL'); // the wrapper script and its java process
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/`)).ok) return { base, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('the Firestore emulator did not start within 90 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned Firebase Auth ID token of `uid` in `project`, with `claims` added. */
export function firebaseIdToken(project: string, uid: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return [
    base64url({ alg: 'none', typ: 'JWT' }),
    base64url({
      iss: `https://securetoken.google.com/${project}`,
      aud: project,
      sub: uid,
      user_id: uid,
      iat: now,
      auth_time: now,
      exp: now + 3600,
      firebase: { sign_in_provider: 'password', identities: {} },
      ...claims,
    }),
    '',
  ].join('.');
}
