/** Real mode against a stateful fake gcloud (test/fakes, and a fake Firebase Rules API behind curl). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { changes, OFFLINE_ENV, PROJECT, ROOT, SANDBOX, type ScriptRun } from './script.js';

const FAKE_BIN = path.join(SANDBOX, 'fake-bin');

/** The environment of a real-mode run against the fakes, which keep their state in the file `state`. */
export const fakeEnv = (state: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...OFFLINE_ENV,
  PATH: `${FAKE_BIN}:${OFFLINE_ENV.PATH}`,
  FAKE_STATE: state,
  ...extra,
});

/** Puts the fake gcloud and curl on the PATH fakeEnv gives. */
export function installFakeCommands(): void {
  mkdirSync(FAKE_BIN, { recursive: true });
  for (const [command, script] of [
    ['gcloud', 'deploy-gcloud.mjs'],
    ['curl', 'deploy-curl.mjs'],
  ]) {
    const file = path.join(FAKE_BIN, command!);
    writeFileSync(
      file,
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'test/fakes', script!)}" "$@"\n`,
    );
    chmodSync(file, 0o755);
  }
}

/** Real and dry-run output agree once the values only a real run knows are replaced by the placeholders. */
export const normalized = (run: ScriptRun) =>
  changes(run).map(({ line }) =>
    line
      .replaceAll('123456789012', 'PROJECT_NUMBER')
      .replace(/deploy_hash=[0-9a-f]{32}/, 'deploy_hash=HASH')
      .replace(/(dispatcher|console):[0-9a-f]{32}/g, '$1:HASH')
      .replaceAll(
        'projects/p/subscriptions/eventarc-us-central1-notify-1-sub-2',
        `projects/${PROJECT}/subscriptions/eventarc-us-central1-notify-SUBSCRIPTION_ID`,
      ),
  );
