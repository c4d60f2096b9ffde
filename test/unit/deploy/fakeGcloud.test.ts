/**
 * deploy.sh in real mode against a stateful fake gcloud (test/fakes, and a fake Firebase Rules API behind
 * curl): it does what the dry run printed, a second run changes nothing, and teardown removes everything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_GROUP, CONSOLE_SERVICE, dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { fakeEnv, installFakeCommands, normalized } from '../../helpers/deploy/fakes.js';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import { changes, PROJECT, runDeploy, SANDBOX, type ScriptRun } from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;

beforeAll(async () => {
  ({ runs } = await dryRuns(['managed']));
}, 120_000);

describe('deploy.sh against a fake gcloud', () => {
  beforeAll(installFakeCommands);

  it('does what the dry run printed, changes nothing on a second run, and tears everything down', async () => {
    const state = path.join(SANDBOX, 'fake-state.json');
    const args = [`--project=${PROJECT}`, `--console-group=${CONSOLE_GROUP}`];
    // The chat webhook's URL is needed the first time only, and is kept in Secret Manager, never printed.
    const webhook = 'https://chat.example.com/v1/spaces/AAAA/messages?key=k&token=t';
    const webhookFile = path.join(SANDBOX, 'chat-webhook-url');
    writeFileSync(webhookFile, webhook);
    const first = await runDeploy([...args, `--chat-webhook-url-file=${webhookFile}`], fakeEnv(state));
    expect(first.code, first.stderr).toBe(0);
    expect(normalized(first)).toEqual(normalized(runs.managed));
    expect(`${first.stdout}${first.stderr}`).not.toContain('chat.example.com');
    const stored = JSON.parse(readFileSync(state, 'utf8')) as { secrets: Record<string, string> };
    expect(stored.secrets['chat-webhook-url']).toBe(webhook);

    // A project with many other APIs enabled, listed after ours: the script must still see ours as enabled
    // (a pipe into `grep -q` failed under pipefail when grep left before the list was written).
    const busy = JSON.parse(readFileSync(state, 'utf8')) as { apis: string[] };
    for (let i = 0; i < 20_000; i++) busy.apis.push(`other-${i}.googleapis.com`);
    writeFileSync(state, JSON.stringify(busy));
    const second = await runDeploy(args, fakeEnv(state));
    expect(second.code, second.stderr).toBe(0);
    expect(changes(second).map((c) => c.line)).toEqual([]);
    expect(second.stderr).toMatch(/function ingest is up to date/);
    expect(second.stderr).toMatch(/service stock-anomalies-console is up to date/);

    // Someone makes the console public by hand: the next run takes it back, and changes nothing else.
    const opened = JSON.parse(readFileSync(state, 'utf8')) as { policies: Record<string, string[]> };
    opened.policies[`run services|${CONSOLE_SERVICE}|us-central1`]!.push('roles/run.invoker,allUsers,');
    writeFileSync(state, JSON.stringify(opened));
    const third = await runDeploy(args, fakeEnv(state));
    expect(third.code, third.stderr).toBe(0);
    expect(changes(third).map((c) => c.line)).toEqual([
      `+ gcloud run services remove-iam-policy-binding ${CONSOLE_SERVICE} --region=us-central1 --project=${PROJECT} --member=allUsers --role=roles/run.invoker --all`,
    ]);
    expect(third.stderr).toMatch(/removing roles\/run\.invoker of allUsers from stock-anomalies-console/);

    // Someone shortens the retention of a Kafka topic and of notify's dead letters by hand: the next run
    // restores exactly those.
    const shortened = JSON.parse(readFileSync(state, 'utf8')) as {
      resources: Record<string, { configs?: Record<string, string>; messageRetentionDuration?: string }>;
    };
    const resource = (prefix: string) =>
      shortened.resources[Object.keys(shortened.resources).find((key) => key.startsWith(prefix))!]!;
    resource('managed-kafka topics|minute-bars|').configs = { 'retention.ms': '604800000' };
    resource('pubsub topics|anomalies-dead-letter|').messageRetentionDuration = '86400s';
    resource('pubsub subscriptions|anomalies-dead-letter-sub|').messageRetentionDuration = '600s';
    writeFileSync(state, JSON.stringify(shortened));
    const fourth = await runDeploy(args, fakeEnv(state));
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(changes(fourth).map((c) => c.line)).toEqual([
      `+ gcloud pubsub topics update anomalies-dead-letter --message-retention-duration=31d --project=${PROJECT}`,
      `+ gcloud pubsub subscriptions update anomalies-dead-letter-sub --message-retention-duration=7d --project=${PROJECT}`,
      `+ gcloud managed-kafka topics update minute-bars --cluster=stock-anomalies --location=us-central1 --configs=retention.ms=-1 --project=${PROJECT}`,
    ]);
    const fifth = await runDeploy(args, fakeEnv(state));
    expect(changes(fifth).map((c) => c.line)).toEqual([]);

    const teardown = await runDeploy(
      [`--project=${PROJECT}`, '--teardown', '--delete-data', '--yes'],
      fakeEnv(state),
    );
    expect(teardown.code, teardown.stderr).toBe(0);
    const left = JSON.parse(readFileSync(state, 'utf8')) as {
      resources: Record<string, unknown>;
      policies: Record<string, string[]>;
    };
    expect(Object.keys(left.resources)).toEqual([]);
    expect(Object.entries(left.policies).filter(([, lines]) => lines.length > 0)).toEqual([
      // Kept on purpose: the Cloud Storage service agent may publish other buckets' notifications.
      [
        `projects|${PROJECT}|`,
        [
          'roles/pubsub.publisher,serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com,',
        ],
      ],
    ]);

    const again = await runDeploy(
      [`--project=${PROJECT}`, '--teardown', '--delete-data', '--yes'],
      fakeEnv(state),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(changes(again).map((c) => c.line)).toEqual([]);
  }, 120_000);

  it('explains a missing permission', async () => {
    const run = await runDeploy(
      [`--project=${PROJECT}`],
      fakeEnv(path.join(SANDBOX, 'fake-state-denied.json'), {
        FAKE_DENY: 'services list',
        FAKE_DENY_PERMISSION: 'serviceusage.services.list',
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /permission denied for tester@example\.com on project my-project-123 while running:/,
    );
    expect(run.stderr).toContain('gcloud services list --enabled');
    expect(run.stderr).toContain("missing: Permission 'serviceusage.services.list'");
    expect(run.stderr).toContain('docs/deploy.md');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The package the functions are deployed from.
