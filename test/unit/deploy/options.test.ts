/** deploy.sh's options and errors: the rules it renders, and what it says when something is missing or wrong. */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import { OFFLINE_ENV, PROJECT, runDeploy, SANDBOX } from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

describe('deploy.sh options and errors', () => {
  it('renders firestore.rules with the allowed group and rejects unsafe group names', async () => {
    const rules = await runDeploy(
      ['--print-rules', '--allowed-group=traders@example.com'],
      OFFLINE_ENV,
      false,
    );
    expect(rules.code, rules.stderr).toBe(0);
    expect(rules.stdout).toContain("return 'traders@example.com'; // deploy.sh --allowed-group");
    expect(rules.stdout).not.toContain("return 'anomaly-readers'");
    const allowed = [...rules.stdout.matchAll(/^\s*allow\s+([a-z, ]+):/gm)].map((m) => m[1]);
    expect(allowed, 'only reads are ever allowed').toEqual([
      'get, list',
      'get, list',
      'get, list',
      'get, list',
    ]);
    for (const collection of ['alerts', 'ingestions', 'episodes', 'bars']) {
      expect(rules.stdout).toMatch(
        new RegExp(
          `match /${collection}/\\{document=\\*\\*\\} \\{\\s*allow get, list: if isAllowedReader\\(\\);`,
        ),
      );
    }
    const unsafe = await runDeploy(['--print-rules', "--allowed-group=x'; allow write: if true; //"]);
    expect(unsafe.code).toBe(1);
    expect(unsafe.stderr).toContain('--allowed-group');
  });

  it('says so when gcloud is missing', async () => {
    const bin = path.join(SANDBOX, 'no-gcloud-bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(path.join(bin, 'node'))) symlinkSync(process.execPath, path.join(bin, 'node'));
    const run = await runDeploy(['--dry-run', `--project=${PROJECT}`], { ...OFFLINE_ENV, PATH: bin });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/gcloud not found on PATH: install the Google Cloud CLI/);
  });

  it('says so when no project is given or configured', async () => {
    const run = await runDeploy(['--dry-run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no project: pass --project=PROJECT_ID/);
  });

  it('says so when no gcloud account is logged in', async () => {
    const run = await runDeploy([`--project=${PROJECT}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no active gcloud account: run 'gcloud auth login'/);
    expect(run.stdout).toBe('');
  });

  it('rejects unknown or contradictory options', async () => {
    const unknown = await runDeploy(['--dry-run', `--project=${PROJECT}`, '--bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown argument '--bogus'/);
    const plainManaged = await runDeploy(['--dry-run', `--project=${PROJECT}`, '--kafka-sasl=plain']);
    expect(plainManaged.stderr).toMatch(/managed cluster takes --kafka-sasl=oauthbearer/);
    const collection = await runDeploy(['--dry-run', `--project=${PROJECT}`, '--set=ALERTS_COLLECTION=x']);
    expect(collection.stderr).toMatch(/--set cannot change ALERTS_COLLECTION/);
    const nested = await runDeploy(['--dry-run', `--project=${PROJECT}`, '--quarantine-prefix=uploads/bad/']);
    expect(nested.stderr).toMatch(/must not be inside the upload prefix/);
    // The console's invokers are an IAM group, not the Firestore rules' token claim.
    const claim = await runDeploy(['--dry-run', `--project=${PROJECT}`, '--console-group=anomaly-readers']);
    expect(claim.code).toBe(1);
    expect(claim.stderr).toMatch(/--console-group 'anomaly-readers' is not a group's email address/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real mode against a stateful fake gcloud (and a fake Firebase Rules API behind curl).
