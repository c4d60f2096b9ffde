/**
 * deploy.sh, verified offline (no cloud account, no login, no network):
 * - its dry-run command lists (three deploy configurations and two teardowns) use only gcloud commands and flags
 *   that the installed gcloud has, read from gcloud's own --help (once per command, rendered by long-lived
 *   gcloud processes, one per core, or by `gcloud ... --help` processes where the SDK layout does not allow that;
 *   DEPLOY_TEST_HELP=process forces the latter);
 * - its IAM grants are exactly a hand-written least-privilege table, with no basic roles, keys or public access;
 * - each component's environment is exactly COMPONENT_VARIABLES from shared/config/runtime.ts;
 * - a real-mode run against a stateful fake gcloud (test/fakes) does what the dry run printed, a second run
 *   changes nothing, and teardown removes everything;
 * - the sources gcloud would upload build, and the package main registers the entry points deploy.sh names;
 * - shellcheck finds nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_VARIABLES, RUNTIME_VARIABLES, type RuntimeVariable } from '../../shared/config/runtime.js';
import {
  ANSI,
  BUCKET,
  changes,
  checkGcloudCommands,
  closeDeployHarness,
  componentCommands,
  environmentOf,
  execFileAsync,
  fakeEnv,
  flagValue,
  flagValues,
  grantsOf,
  grantTable,
  hasFlag,
  helpCallCount,
  helpProcess,
  helpServers,
  installFakeCommands,
  leadingWords,
  memberName,
  normalized,
  OFFLINE_ENV,
  PROJECT,
  ROOT,
  runDeploy,
  SANDBOX,
  sorted,
  startsWith,
  type Command,
  type Component,
  type ScriptRun,
} from '../helpers/deployHarness.js';

afterAll(closeDeployHarness);

/** The Google group of the analysts who may open the console (deploy.sh --console-group). */
const CONSOLE_GROUP = 'anomaly-analysts@example.com';
const CONSOLE_SERVICE = 'stock-anomalies-console';

/** The least-privilege grants, written by hand from what each component does (not read from deploy.sh). */
const EXPECTED_GRANTS: Record<string, string[]> = {
  // reads uploads, writes quarantined rows under the quarantine prefix only, reports to Firestore, produces to Kafka
  ingest: [
    'bucket roles/storage.objectUser if quarantine-prefix-only',
    'bucket roles/storage.objectViewer',
    'project roles/datastore.user',
    'project roles/managedkafka.client',
  ],
  // symbol state and ingestion reports in Firestore, publishes to the anomalies topic only
  detect: ['project roles/datastore.user', 'topic:anomalies roles/pubsub.publisher'],
  // writes alerts
  notify: ['project roles/datastore.user'],
  // consumes Kafka, invokes detect only
  dispatcher: ['project roles/managedkafka.client', 'service:detect roles/run.invoker'],
  // the Eventarc triggers' identity: receives events, invokes ingest and notify only
  trigger: [
    'project roles/eventarc.eventReceiver',
    'service:ingest roles/run.invoker',
    'service:notify roles/run.invoker',
  ],
  // Cloud Build: logs, pushes images to the one repository, reads the uploaded sources (build buckets only)
  builder: [
    'project roles/logging.logWriter',
    'project roles/storage.objectAdmin if build-sources-only',
    'repository roles/artifactregistry.writer',
  ],
  // the console: alerts, episodes' triage and history, reports in Firestore (IAM cannot narrow Firestore to
  // fields: its code writes only triage and history); reads the set-aside rows only; the dispatcher's lag
  console: [
    'bucket roles/storage.objectViewer if quarantine-prefix-only',
    'project roles/datastore.user',
    'project roles/managedkafka.client',
  ],
  // the analysts may open the console, and nothing else
  [`group:${CONSOLE_GROUP}`]: [`service:${CONSOLE_SERVICE} roles/run.invoker`],
  // publishes the bucket's object events
  'storage-agent': ['project roles/pubsub.publisher'],
  // moves undeliverable anomalies to the dead-letter topic
  'pubsub-agent': [
    'subscription:notify-trigger roles/pubsub.subscriber',
    'topic:anomalies-dead-letter roles/pubsub.publisher',
  ],
};

/** With an existing cluster and SASL/PLAIN, the Kafka role becomes access to the password secret. */
const EXPECTED_GRANTS_PLAIN: Record<string, string[]> = {
  ...EXPECTED_GRANTS,
  ingest: [
    'bucket roles/storage.objectUser if quarantine-prefix-only',
    'bucket roles/storage.objectViewer',
    'project roles/datastore.user',
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
  ],
  dispatcher: [
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
    'service:detect roles/run.invoker',
  ],
  console: [
    'bucket roles/storage.objectViewer if quarantine-prefix-only',
    'project roles/datastore.user',
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
  ],
};
/** Without --console-group nobody may invoke the console. */
const { [`group:${CONSOLE_GROUP}`]: _invoker, ...EXPECTED_GRANTS_PLAIN_NO_GROUP } = EXPECTED_GRANTS_PLAIN;

// ---------------------------------------------------------------------------------------------------------------
// The dry runs (run once, in parallel).
// ---------------------------------------------------------------------------------------------------------------
const EXISTING_KAFKA = [
  '--kafka-bootstrap=broker-1.example.com:9093,broker-2.example.com:9093',
  '--kafka-sasl=plain',
  '--kafka-username=svc-anomalies',
];
const CONFIGURATIONS = {
  /** The default: Managed Service for Apache Kafka. */
  managed: ['--dry-run', `--project=${PROJECT}`, `--console-group=${CONSOLE_GROUP}`],
  /** An existing cluster with SASL/PLAIN, plus the other options that change the command list. */
  existing: [
    '--dry-run',
    `--project=${PROJECT}`,
    ...EXISTING_KAFKA,
    '--alert-ttl-days=30',
    '--partitions=12',
    '--dispatcher-instances=3',
    '--set=A1_THRESHOLD=0.01',
    '--set=MAX_OBJECT_BYTES=4294967296',
    `--console-group=${CONSOLE_GROUP}`,
  ],
  /** An existing cluster reachable from the internet: no VPC at all; and no --console-group. */
  internet: ['--dry-run', `--project=${PROJECT}`, ...EXISTING_KAFKA, '--no-vpc'],
  teardown: ['--dry-run', `--project=${PROJECT}`, '--teardown', '--delete-data'],
  teardownExisting: ['--dry-run', `--project=${PROJECT}`, '--teardown', ...EXISTING_KAFKA],
};
type Configuration = keyof typeof CONFIGURATIONS;
const runs = {} as Record<Configuration, ScriptRun>;
let dryRunSeconds = 0;

beforeAll(async () => {
  const started = Date.now();
  const results = await Promise.all(
    Object.entries(CONFIGURATIONS).map(async ([name, args]) => [name, await runDeploy(args)] as const),
  );
  for (const [name, run] of results) runs[name as Configuration] = run;
  dryRunSeconds = (Date.now() - started) / 1000;
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

  it('gives every service account exactly its least-privilege roles (managed Kafka)', () => {
    expect(grantTable(runs.managed.commands)).toEqual(EXPECTED_GRANTS);
  });

  it('gives every service account exactly its least-privilege roles (existing cluster, SASL/PLAIN)', () => {
    expect(grantTable(runs.existing.commands)).toEqual(EXPECTED_GRANTS_PLAIN);
    expect(grantTable(runs.internet.commands)).toEqual(EXPECTED_GRANTS_PLAIN_NO_GROUP);
  });

  it('limits the conditional grants to the quarantine prefix and the build source buckets', () => {
    const quarantine =
      `expression=resource.name.startsWith("projects/_/buckets/${BUCKET}/objects/quarantine/"),` +
      'title=quarantine-prefix-only';
    const conditions = Object.fromEntries(
      grantsOf(runs.managed.commands)
        .filter((g) => g.condition)
        .map((g) => [g.grant, g.condition]),
    );
    expect(conditions).toEqual({
      'bucket roles/storage.objectUser if quarantine-prefix-only': quarantine,
      'bucket roles/storage.objectViewer if quarantine-prefix-only': quarantine,
      'project roles/storage.objectAdmin if build-sources-only':
        'expression=resource.name.startsWith("projects/_/buckets/gcf-v2-sources-PROJECT_NUMBER-us-central1") || ' +
        'resource.name.startsWith("projects/_/buckets/gcf-v2-uploads-PROJECT_NUMBER") || ' +
        `resource.name.startsWith("projects/_/buckets/${PROJECT}_cloudbuild"),title=build-sources-only`,
    });
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

  it('runs each component as its own service account and builds with the build service account', () => {
    const commands = componentCommands(runs.managed.commands);
    const account = (id: string) => `anomalies-${id}@${PROJECT}.iam.gserviceaccount.com`;
    for (const component of ['ingest', 'detect', 'notify', 'dispatcher', 'console'] as const) {
      expect(flagValue(commands.get(component)!.words, 'service-account'), component).toBe(
        account(component),
      );
    }
    for (const component of ['ingest', 'notify'] as const) {
      expect(flagValue(commands.get(component)!.words, 'trigger-service-account'), component).toBe(
        account('trigger'),
      );
    }
    for (const command of changes(runs.managed)) {
      if (startsWith(command.words, 'gcloud functions deploy')) {
        expect(flagValue(command.words, 'build-service-account')).toBe(
          `projects/${PROJECT}/serviceAccounts/${account('builder')}`,
        );
      }
      if (startsWith(command.words, 'gcloud builds submit')) {
        expect(flagValue(command.words, 'service-account')).toBe(
          `projects/${PROJECT}/serviceAccounts/${account('builder')}`,
        );
      }
    }
  });

  it('sets exactly COMPONENT_VARIABLES (plus GOOGLE_CLOUD_PROJECT) for each component', () => {
    const commands = componentCommands(runs.managed.commands);
    expect(sorted(commands.keys())).toEqual(sorted(Object.keys(COMPONENT_VARIABLES)));
    for (const [component, command] of commands) {
      const { env, secrets } = environmentOf(command);
      expect(secrets.size, component).toBe(0);
      expect(sorted(env.keys()), component).toEqual(
        sorted([...COMPONENT_VARIABLES[component], 'GOOGLE_CLOUD_PROJECT']),
      );
      expect(env.get('GOOGLE_CLOUD_PROJECT'), component).toBe(PROJECT);
    }
  });

  it('adds only the documented mode-dependent variables in the other configurations', () => {
    // Not (yet) in COMPONENT_VARIABLES, set only in these modes (see docs/deploy.md):
    // SASL/PLAIN credentials for the Kafka clients.
    const extras: Record<Component, { env: string[]; secrets: string[] }> = {
      ingest: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      dispatcher: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      notify: { env: [], secrets: [] },
      detect: { env: [], secrets: [] },
      console: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
    };
    for (const [component, command] of componentCommands(runs.existing.commands)) {
      const { env, secrets } = environmentOf(command);
      expect(sorted(env.keys()), component).toEqual(
        sorted([...COMPONENT_VARIABLES[component], 'GOOGLE_CLOUD_PROJECT', ...extras[component].env]),
      );
      expect(sorted(secrets.keys()), component).toEqual(extras[component].secrets);
      if (secrets.size > 0) expect(secrets.get('KAFKA_SASL_PASSWORD')).toBe('kafka-sasl-password:latest');
    }
    const notify = environmentOf(componentCommands(runs.existing.commands).get('notify')!).env;
    expect(notify.get('ALERT_TTL_DAYS')).toBe('30');
    const ingest = environmentOf(componentCommands(runs.existing.commands).get('ingest')!).env;
    expect(ingest.get('KAFKA_BROKERS')).toBe('broker-1.example.com:9093,broker-2.example.com:9093');
    expect(ingest.get('KAFKA_SASL_MECHANISM')).toBe('plain');
    expect(ingest.get('KAFKA_SASL_USERNAME')).toBe('svc-anomalies');
    expect(ingest.get('MAX_OBJECT_BYTES')).toBe('4294967296');
    const detect = environmentOf(componentCommands(runs.existing.commands).get('detect')!).env;
    expect(detect.get('A1_THRESHOLD')).toBe('0.01');
  });

  it("keeps runtime.ts's defaults except for the cloud-specific settings", () => {
    const cloud: Partial<Record<RuntimeVariable, string | RegExp>> = {
      UPLOAD_PREFIX: 'uploads/',
      KAFKA_BROKERS: `bootstrap.stock-anomalies.us-central1.managedkafka.${PROJECT}.cloud.goog:9092`,
      KAFKA_SASL_MECHANISM: 'oauthbearer',
      KAFKA_SSL: 'true',
      DETECT_URL: /^https:\/\/detect-PROJECT_NUMBER\.us-central1\.run\.app$/,
      DISPATCH_AUTH: 'google-id-token',
      UPLOAD_BUCKET: BUCKET,
    };
    for (const [component, command] of componentCommands(runs.managed.commands)) {
      const { env } = environmentOf(command);
      for (const name of COMPONENT_VARIABLES[component]) {
        const expected = cloud[name] ?? RUNTIME_VARIABLES[name];
        if (expected instanceof RegExp) expect(env.get(name), `${component} ${name}`).toMatch(expected);
        else expect(env.get(name), `${component} ${name}`).toBe(expected);
      }
    }
  });

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

  it('creates the composite indexes of firestore.indexes.json, the ones the alerts queries need (the console runs none)', () => {
    const file = JSON.parse(readFileSync(path.join(ROOT, 'firestore.indexes.json'), 'utf8')) as {
      indexes: { collectionGroup: string; queryScope: string; fields: Record<string, string>[] }[];
    };
    expect(file.indexes).toEqual([
      {
        collectionGroup: 'alerts',
        queryScope: 'COLLECTION',
        fields: [
          { fieldPath: 'symbol', order: 'ASCENDING' },
          { fieldPath: 'timestamp', order: 'DESCENDING' },
        ],
      },
      {
        collectionGroup: 'alerts',
        queryScope: 'COLLECTION',
        fields: [
          { fieldPath: 'rules', arrayConfig: 'CONTAINS' },
          { fieldPath: 'timestamp', order: 'DESCENDING' },
        ],
      },
    ]);
    const creates = changes(runs.managed)
      .filter((c) => startsWith(c.words, 'gcloud firestore indexes composite create'))
      .map((c) => [flagValue(c.words, 'collection-group'), ...flagValues(c.words, 'field-config')]);
    expect(creates).toEqual([
      ['alerts', 'field-path=symbol,order=ascending', 'field-path=timestamp,order=descending'],
      ['alerts', 'field-path=rules,array-config=contains', 'field-path=timestamp,order=descending'],
    ]);
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
// ---------------------------------------------------------------------------------------------------------------
describe('deploy.sh against a fake gcloud', () => {
  beforeAll(installFakeCommands);

  it('does what the dry run printed, changes nothing on a second run, and tears everything down', async () => {
    const state = path.join(SANDBOX, 'fake-state.json');
    const args = [`--project=${PROJECT}`, `--console-group=${CONSOLE_GROUP}`];
    const first = await runDeploy(args, fakeEnv(state));
    expect(first.code, first.stderr).toBe(0);
    expect(normalized(first)).toEqual(normalized(runs.managed));

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
// ---------------------------------------------------------------------------------------------------------------
describe('the deployed package', () => {
  it('builds from exactly the uploaded sources and registers the entry points deploy.sh names', async () => {
    const entryPoints = [...componentCommands(runs.managed.commands).entries()]
      .filter(([component]) => component !== 'dispatcher' && component !== 'console')
      .map(([, command]) => flagValue(command.words, 'entry-point')!);
    expect(sorted(entryPoints)).toEqual(['detect', 'ingest', 'notify']);

    // What `gcloud functions deploy --source=.` and `gcloud builds submit .` upload (.gcloudignore applied).
    const upload = path.join(SANDBOX, 'upload');
    const { stdout } = await execFileAsync('gcloud', ['meta', 'list-files-for-upload', '.'], {
      cwd: ROOT,
      env: OFFLINE_ENV,
    });
    for (const file of stdout.split('\n').filter(Boolean)) {
      mkdirSync(path.dirname(path.join(upload, file)), { recursive: true });
      copyFileSync(path.join(ROOT, file), path.join(upload, file));
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(upload, 'node_modules'));

    const pkg = JSON.parse(readFileSync(path.join(upload, 'package.json'), 'utf8')) as {
      main?: string;
      scripts?: Record<string, string>;
    };
    expect(pkg.main, 'package.json "main" (the functions are deployed from the repository root)').toBe(
      'dist/functions/index.js',
    );
    expect(pkg.scripts?.['gcp-build'], 'package.json "gcp-build" (Cloud Build runs it)').toBeDefined();
    expect(existsSync(path.join(upload, 'functions/index.ts')), 'functions/index.ts is uploaded').toBe(true);
    expect(existsSync(path.join(upload, 'deploy/dispatcher.Dockerfile')), 'the dispatcher Dockerfile').toBe(
      true,
    );
    expect(existsSync(path.join(upload, 'test')), 'tests are not uploaded').toBe(false);

    // `npm run build`, as gcp-build and the dispatcher Dockerfile run it.
    const build = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: upload, encoding: 'utf8', timeout: 170_000 },
    );
    expect(build.status, `the build of the uploaded sources failed:\n${build.stdout}${build.stderr}`).toBe(0);

    process.env.METADATA_SERVER_DETECTION ??= 'none';
    await import(pathToFileURL(path.join(upload, pkg.main!)).href);
    const { getFunction } = await import('@google-cloud/functions-framework/testing');
    for (const target of entryPoints) {
      expect(getFunction(target), `${target} is not registered by ${pkg.main}`).toBeTypeOf('function');
    }
    expect(
      existsSync(path.join(upload, 'dist/functions/dispatcherPool/main.js')),
      'the dispatcher entry',
    ).toBe(true);
    expect(readFileSync(path.join(upload, 'deploy/dispatcher.Dockerfile'), 'utf8')).toContain(
      'CMD ["node", "dist/functions/dispatcherPool/main.js"]',
    );
    expect(readFileSync(path.join(upload, 'deploy/console.Dockerfile'), 'utf8')).toContain(
      'CMD ["node", "dist/console/server.js"]',
    );
    // Once the console's sources are in the repository, the build must emit its entry (tsconfig.build.json).
    if (existsSync(path.join(upload, 'console/server.ts'))) {
      expect(existsSync(path.join(upload, 'dist/console/server.js')), 'the console entry').toBe(true);
    }
  }, 180_000);
});

describe('shellcheck', () => {
  it('finds nothing in deploy.sh and the CI scripts', () => {
    const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (version.error) {
      throw new Error(
        'shellcheck is not installed: run .ci/install-shellcheck.sh (Debian package shellcheck)',
      );
    }
    const result = spawnSync(
      'shellcheck',
      ['deploy.sh', '.ci/run', '.ci/install-shellcheck.sh', '.ci/install-chromium.sh'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
