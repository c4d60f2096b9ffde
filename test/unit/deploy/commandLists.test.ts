/**
 * deploy.sh's dry-run command lists (three deploy configurations and two teardowns), verified offline (no cloud
 * account, no login, no network): they use only gcloud commands and flags that the installed gcloud has, read
 * from gcloud's own --help (once per command, rendered by long-lived gcloud processes, one per core, or by
 * `gcloud ... --help` processes where the SDK layout does not allow that; DEPLOY_TEST_HELP=process forces the
 * latter); they call nothing else but curl for the rules; they grant no basic roles, create no keys and allow no
 * public access; and teardown removes everything a deploy creates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { componentCommands } from '../../helpers/deploy/environments.js';
import {
  ANSI,
  checkGcloudCommands,
  closeDeployHarness,
  helpCallCount,
  helpServers,
} from '../../helpers/deploy/gcloudHelp.js';
import { grantsOf, memberName } from '../../helpers/deploy/grants.js';
import { helpProcess } from '../../helpers/deploy/helpServer.js';
import {
  BUCKET,
  changes,
  flagValue,
  leadingWords,
  PROJECT,
  sorted,
  startsWith,
  type Command,
  type ScriptRun,
} from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;
let dryRunSeconds = 0;

beforeAll(async () => {
  ({ runs, seconds: dryRunSeconds } = await dryRuns());
}, 120_000);

describe('deploy.sh --dry-run', () => {
  it('runs with no login, no configured project and no network, printing only parseable commands', () => {
    for (const [name, run] of Object.entries(runs)) {
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(changes(run).length, name).toBeGreaterThan(10);
    }
    expect(dryRunSeconds).toBeLessThan(60);
  });

  it('uses only gcloud commands and flags that the installed gcloud has (checked against its --help)', async () => {
    const started = Date.now();
    const unique = new Map<string, Command>();
    for (const run of Object.values(runs)) {
      for (const command of run.commands)
        if (command.words[0] === 'gcloud') unique.set(command.line, command);
    }
    const problems = await checkGcloudCommands([...unique.values()]);
    expect(problems).toEqual([]);
    // The help servers render exactly what the gcloud command prints (colours aside).
    const server = helpServers[0];
    if (server) {
      for (const words of [
        ['functions', 'deploy'],
        leadingWords(componentCommands(runs.managed.commands).get('dispatcher')!.words.slice(1)),
      ]) {
        const [served, printed] = await Promise.all([server.ask(words), helpProcess(words)]);
        expect(served.stdout.replace(ANSI, ''), words.join(' ')).toBe(printed.stdout.replace(ANSI, ''));
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const how = helpServers.length > 0 ? `${helpServers.length} gcloud help servers` : 'gcloud processes';
    console.info(
      `checked ${unique.size} gcloud command lines against ${helpCallCount()} --help texts (${how}) in ${seconds} s`,
    );
  }, 120_000);

  it('calls nothing but gcloud, and curl only for the Firebase Rules API of the project', () => {
    for (const run of Object.values(runs)) {
      for (const { words, line } of run.commands) {
        expect(['gcloud', 'curl'], line).toContain(words[0]);
        if (words[0] === 'curl') {
          expect(words.at(-1), line).toMatch(
            new RegExp(
              `^https://firebaserules\\.googleapis\\.com/v1/projects/${PROJECT}/(rulesets|releases)`,
            ),
          );
          expect(line, 'the access token is never printed').toContain('Bearer <token>');
        }
      }
    }
  });
  it('grants no basic or admin roles, creates no keys and allows no unauthenticated access', () => {
    for (const run of Object.values(runs)) {
      for (const { line } of run.commands) {
        expect(line).not.toMatch(/roles\/(owner|editor|viewer)\b/);
        expect(line).not.toMatch(
          /roles\/iam\.(serviceAccountKeyAdmin|serviceAccountTokenCreator|serviceAccountUser)/,
        );
        expect(line).not.toMatch(/service-accounts keys|keys create/);
        expect(line).not.toMatch(/allUsers|allAuthenticatedUsers/);
        expect(line).not.toMatch(/--allow-unauthenticated/);
      }
    }
    // An admin role only where a condition confines it (the build service account's source buckets).
    for (const run of Object.values(runs)) {
      for (const { grant, condition } of grantsOf(run.commands)) {
        if (/admin/i.test(grant))
          expect(condition, grant).toMatch(/^expression=resource\.name\.startsWith\(/);
      }
    }
    for (const [component, command] of componentCommands(runs.managed.commands)) {
      if (component !== 'dispatcher') {
        expect(command.words, component).toContain('--no-allow-unauthenticated');
      }
    }
  });
  it('tears down everything it creates', () => {
    const created = (run: ScriptRun) =>
      changes(run).flatMap((c) => {
        const lead = leadingWords(c.words).join(' ');
        const service = /^gcloud run deploy (\S+)$/.exec(lead);
        if (service) return [`run services ${service[1]}`];
        const match =
          /^gcloud (iam service-accounts|functions|(?:beta )?run worker-pools|compute networks(?: subnets| vpc-access connectors)?|managed-kafka clusters|pubsub topics|pubsub subscriptions|artifacts repositories|storage buckets|firestore databases|secrets) (create|deploy) ?(\S*)$/.exec(
            lead,
          );
        return match ? [`${match[1]} ${match[3]}`] : [];
      });
    const deleted = (run: ScriptRun) =>
      changes(run).flatMap((c) => {
        const lead = leadingWords(c.words).join(' ');
        if (lead === `gcloud storage rm gs://${BUCKET}`) return [`storage buckets gs://${BUCKET}`];
        const match =
          /^gcloud (iam service-accounts|functions|(?:beta )?run worker-pools|compute networks(?: subnets| vpc-access connectors)?|managed-kafka clusters|pubsub topics|pubsub subscriptions|artifacts repositories|firestore databases|secrets|run services) delete ?(\S*)$/.exec(
            lead,
          );
        return match ? [`${match[1]} ${match[2]!.replace(/@.*/, '')}`] : [];
      });
    expect(sorted(deleted(runs.teardown))).toEqual(sorted(created(runs.managed)));
    expect(sorted(deleted(runs.teardownExisting))).toEqual(
      sorted(created(runs.existing).filter((r) => !/^(storage buckets|firestore databases) /.test(r))),
    );
    // The project-level grants of the deleted accounts go too (deleted accounts would linger as 'deleted:').
    const removed = changes(runs.teardown)
      .filter((c) => startsWith(c.words, `gcloud projects remove-iam-policy-binding ${PROJECT}`))
      .map((c) => `${memberName(flagValue(c.words, 'member')!)} ${flagValue(c.words, 'role')}`);
    const granted = grantsOf(runs.managed.commands)
      .filter((g) => g.grant.startsWith('project ') && !g.member.endsWith('-agent'))
      .map((g) => `${g.member} ${g.grant.split(' ')[1]}`);
    expect(sorted(removed)).toEqual(sorted(granted));
  });
});
