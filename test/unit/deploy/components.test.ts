/**
 * What deploy.sh deploys (dry runs, offline): the functions with their triggers, retries, network and sizes;
 * the console as a private Cloud Run service; the Firestore indexes and TTL policies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_GROUP, CONSOLE_SERVICE, dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { componentCommands } from '../../helpers/deploy/environments.js';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import { grantsOf, grantTable } from '../../helpers/deploy/grants.js';
import {
  BUCKET,
  changes,
  flagValue,
  flagValues,
  hasFlag,
  leadingWords,
  PROJECT,
  ROOT,
  startsWith,
  type ScriptRun,
} from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;

beforeAll(async () => {
  ({ runs } = await dryRuns());
}, 120_000);

describe('deploy.sh --dry-run', () => {
  it('deploys the functions with their triggers, retries, network and sizes', () => {
    const commands = componentCommands(runs.managed.commands);
    const ingest = commands.get('ingest')!.words;
    const detect = commands.get('detect')!.words;
    const notify = commands.get('notify')!.words;
    const dispatcher = commands.get('dispatcher')!.words;
    for (const [name, words] of [
      ['ingest', ingest],
      ['detect', detect],
      ['notify', notify],
    ] as const) {
      expect(hasFlag(words, 'gen2'), name).toBe(true);
      expect(flagValue(words, 'entry-point'), name).toBe(name);
      expect(flagValue(words, 'runtime'), name).toMatch(/^nodejs(20|22)$/);
      expect(flagValue(words, 'source'), name).toBe('.');
    }
    expect(flagValues(ingest, 'trigger-event-filters')).toEqual([
      'type=google.cloud.storage.object.v1.finalized',
      `bucket=${BUCKET}`,
    ]);
    expect(flagValue(ingest, 'memory')).toBe('2GiB');
    expect(flagValue(ingest, 'timeout')).toBe('540s');
    expect(flagValue(ingest, 'vpc-connector')).toMatch(/\/connectors\/anomalies-ingest$/);
    expect(hasFlag(detect, 'trigger-http')).toBe(true);
    expect(flagValue(detect, 'memory')).toBe('512MiB');
    expect(flagValue(notify, 'trigger-topic')).toBe('anomalies');
    expect(hasFlag(notify, 'retry')).toBe(true);
    expect(flagValue(notify, 'memory')).toBe('256MiB');
    expect(flagValue(dispatcher, 'image')).toMatch(
      /^us-central1-docker\.pkg\.dev\/my-project-123\/stock-anomalies\/dispatcher:/,
    );
    expect(flagValue(dispatcher, 'subnet')).toBe('stock-anomalies');
    // Only the dispatcher may invoke detect; the notify trigger's subscription dead-letters.
    const invokers = grantsOf(runs.managed.commands).filter(
      (g) => g.grant === 'service:detect roles/run.invoker',
    );
    expect(invokers.map((g) => g.member)).toEqual(['dispatcher']);
    expect(
      changes(runs.managed).some(
        (c) =>
          startsWith(c.words, 'gcloud pubsub subscriptions update') &&
          flagValue(c.words, 'dead-letter-topic') === `projects/${PROJECT}/topics/anomalies-dead-letter`,
      ),
    ).toBe(true);
    // Without a VPC: no connector, no network flags, detect open to (authenticated) internet traffic.
    const internet = componentCommands(runs.internet.commands);
    expect(internet.get('ingest')!.line).not.toContain('--vpc-connector');
    expect(internet.get('dispatcher')!.line).not.toContain('--network');
    expect(flagValue(internet.get('detect')!.words, 'ingress-settings')).toBe('all');
    expect(runs.internet.stdout).not.toContain('gcloud compute');
  });

  it("keeps every Kafka record, and notify's dead letters as long as Pub/Sub allows", () => {
    const made = changes(runs.managed);
    const kafkaTopics = made.filter((c) => startsWith(c.words, 'gcloud managed-kafka topics create'));
    expect(kafkaTopics.map((c) => [leadingWords(c.words)[4], flagValues(c.words, 'configs')])).toEqual([
      ['minute-bars', ['retention.ms=-1']],
      ['minute-bars-dead-letter', ['retention.ms=-1']],
    ]);
    const created = (kind: string, name: string) =>
      made.find(
        (c) => startsWith(c.words, `gcloud pubsub ${kind} create`) && leadingWords(c.words)[4] === name,
      );
    // A subscription keeps a message at most 7 days; its topic, 31 (a seek brings them back from there).
    expect(flagValue(created('topics', 'anomalies-dead-letter')!.words, 'message-retention-duration')).toBe(
      '31d',
    );
    const subscription = created('subscriptions', 'anomalies-dead-letter-sub')!.words;
    expect(flagValue(subscription, 'topic')).toBe('anomalies-dead-letter');
    expect(flagValue(subscription, 'message-retention-duration')).toBe('7d');
    expect(flagValue(subscription, 'expiration-period')).toBe('never');
    // The console reads the count from that subscription.
    const console = componentCommands(runs.managed.commands).get('console')!.line;
    expect(console).toContain('ANOMALIES_DEAD_LETTER_SUBSCRIPTION=anomalies-dead-letter-sub');
    // On an existing cluster deploy.sh creates no topic and says what they need.
    expect(runs.existing.stderr).toMatch(/must exist, with retention\.ms=-1/);
  });

  it('deploys the console as a private Cloud Run service that only the console group may invoke', () => {
    const words = componentCommands(runs.managed.commands).get('console')!.words;
    expect(leadingWords(words)).toEqual(['gcloud', 'run', 'deploy', CONSOLE_SERVICE]);
    const image = flagValue(words, 'image');
    expect(image).toMatch(
      /^us-central1-docker\.pkg\.dev\/my-project-123\/stock-anomalies\/console:[0-9a-f]{32}$/,
    );
    expect(flagValue(words, 'service-account')).toBe(`anomalies-console@${PROJECT}.iam.gserviceaccount.com`);
    // Not public: IAM checks every request; reachable from the analysts' machines (gcloud run services proxy).
    expect(hasFlag(words, 'no-allow-unauthenticated')).toBe(true);
    expect(words.filter((w) => w.startsWith('--allow-unauthenticated'))).toEqual([]);
    expect(flagValue(words, 'ingress')).toBe('all');
    // Its read model follows Firestore between requests: CPU always, and one instance warm.
    expect(hasFlag(words, 'no-cpu-throttling')).toBe(true);
    expect(flagValue(words, 'min-instances')).toBe('1');
    // Kafka (for the lag) only inside the VPC, like the dispatcher.
    expect([flagValue(words, 'network'), flagValue(words, 'subnet'), flagValue(words, 'vpc-egress')]).toEqual(
      ['stock-anomalies', 'stock-anomalies', 'all-traffic'],
    );
    // Its image is built by the build account from deploy/console.Dockerfile, only when absent.
    const builds = changes(runs.managed).filter(
      (c) =>
        startsWith(c.words, 'gcloud builds submit') &&
        flagValue(c.words, 'config') === 'deploy/console.cloudbuild.yaml',
    );
    expect(builds.map((c) => flagValue(c.words, 'substitutions'))).toEqual([`_IMAGE=${image}`]);
    expect(readFileSync(path.join(ROOT, 'deploy/console.cloudbuild.yaml'), 'utf8')).toContain(
      '--file=deploy/console.Dockerfile',
    );

    // The group is the console's only invoker, and invokes nothing else; nobody else invokes the console.
    const invokers = (run: ScriptRun) =>
      grantsOf(run.commands)
        .filter((g) => g.grant === `service:${CONSOLE_SERVICE} roles/run.invoker`)
        .map((g) => g.member);
    expect(invokers(runs.managed)).toEqual([`group:${CONSOLE_GROUP}`]);
    expect(invokers(runs.existing)).toEqual([`group:${CONSOLE_GROUP}`]);
    expect(grantTable(runs.managed.commands)[`group:${CONSOLE_GROUP}`]).toEqual([
      `service:${CONSOLE_SERVICE} roles/run.invoker`,
    ]);
    for (const run of Object.values(runs)) {
      for (const g of grantsOf(run.commands)) {
        if (g.member.startsWith('group:'))
          expect(g.grant).toBe(`service:${CONSOLE_SERVICE} roles/run.invoker`);
        if (g.grant.startsWith(`service:${CONSOLE_SERVICE} `))
          expect(g.member).toBe(`group:${CONSOLE_GROUP}`);
      }
    }
    // Without --console-group nobody may invoke it, and deploy.sh says so.
    expect(invokers(runs.internet)).toEqual([]);
    expect(runs.internet.stderr).toMatch(
      /no --console-group: nobody may open the console stock-anomalies-console/,
    );
    expect(componentCommands(runs.internet.commands).get('console')!.line).not.toContain('--network');
  });

  it("creates the composite indexes of the console's count of alerts with a minimum severity and its pages of ingestions, and sets the TTL policies", () => {
    // The count() filters severity >= x and, each optionally, symbol ==, rules array-contains, withdrawn.kind ==
    // and a timestamp range: one index per combination but the one on severity alone (its single-field index).
    const wanted: string[] = [];
    for (const symbol of [false, true])
      for (const rules of [false, true])
        for (const withdrawn of [false, true])
          for (const timestamp of [false, true]) {
            if (!symbol && !rules && !withdrawn && !timestamp) continue;
            wanted.push(
              [
                ...(symbol ? ['field-path=symbol,order=ascending'] : []),
                ...(rules ? ['field-path=rules,array-config=contains'] : []),
                ...(withdrawn ? ['field-path=withdrawn.kind,order=ascending'] : []),
                'field-path=severity,order=ascending',
                ...(timestamp ? ['field-path=timestamp,order=ascending'] : []),
              ].join(' '),
            );
          }
    const creates = changes(runs.managed).filter((c) =>
      startsWith(c.words, 'gcloud firestore indexes composite create'),
    );
    const alerts = creates.filter((c) => flagValue(c.words, 'collection-group') === 'alerts');
    expect(alerts.map((c) => flagValues(c.words, 'field-config').join(' ')).sort()).toEqual(wanted.sort());
    // And the console's pages of the ingestions of one status, newest first.
    expect(
      creates
        .filter((c) => !alerts.includes(c))
        .map((c) => [flagValue(c.words, 'collection-group'), ...flagValues(c.words, 'field-config')]),
    ).toEqual([['ingestions', 'field-path=status,order=ascending', 'field-path=startedAt,order=descending']]);
    const ttl = changes(runs.existing).filter((c) =>
      startsWith(c.words, 'gcloud firestore fields ttls update'),
    );
    expect(
      ttl.map((c) => [c.words[5], flagValue(c.words, 'collection-group'), hasFlag(c.words, 'enable-ttl')]),
    ).toEqual([
      ['expireAt', 'alerts', true],
      ['expireAt', 'alerts-feed', true],
    ]);
  });
});
