/**
 * deploy.sh's IAM grants (dry runs, offline): exactly a hand-written least-privilege table, conditional grants
 * confined to the quarantine prefix and the build source buckets, and each component run as its own service
 * account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_GROUP, CONSOLE_SERVICE, dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { componentCommands } from '../../helpers/deploy/environments.js';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import { grantsOf, grantTable, memberName } from '../../helpers/deploy/grants.js';
import {
  BUCKET,
  changes,
  flagValue,
  PROJECT,
  startsWith,
  type ScriptRun,
} from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;

beforeAll(async () => {
  ({ runs } = await dryRuns(['managed', 'existing', 'internet']));
}, 120_000);

/** The least-privilege grants, written by hand from what each component does (not read from deploy.sh). */
const EXPECTED_GRANTS: Record<string, string[]> = {
  // reads uploads, writes quarantined rows under the quarantine prefix only, reports to Firestore, produces to Kafka
  ingest: [
    'bucket roles/storage.objectUser if quarantine-prefix-only',
    'bucket roles/storage.objectViewer',
    'project roles/datastore.user if default-database-only',
    'project roles/managedkafka.client',
  ],
  // symbol state and ingestion reports in Firestore, publishes to the anomalies and escalations topics only
  detect: [
    'project roles/datastore.user if default-database-only',
    'topic:anomalies roles/pubsub.publisher',
    'topic:suspicious-episodes roles/pubsub.publisher',
  ],
  // writes alerts
  notify: ['project roles/datastore.user if default-database-only'],
  // its marker per episode in Firestore; reads the chat webhook's URL, and no other secret
  escalate: [
    'project roles/datastore.user if default-database-only',
    'secret:chat-webhook-url roles/secretmanager.secretAccessor',
  ],
  // consumes Kafka, invokes detect only
  dispatcher: ['project roles/managedkafka.client', 'service:detect roles/run.invoker'],
  // the Eventarc triggers' identity: receives events, invokes ingest, notify and escalate only
  trigger: [
    'project roles/eventarc.eventReceiver',
    'service:escalate roles/run.invoker',
    'service:ingest roles/run.invoker',
    'service:notify roles/run.invoker',
  ],
  // Cloud Build: logs, pushes images to the one repository, reads the uploaded sources (build buckets only)
  builder: [
    'project roles/logging.logWriter',
    'project roles/storage.objectAdmin if build-sources-only',
    'repository roles/artifactregistry.writer',
  ],
  // the console: alerts, episodes, reports in the default database (IAM cannot narrow Firestore to collections:
  // its code writes nothing there), triage and its history in the audit database, which it alone may write;
  // reads the set-aside rows only; the dispatcher's lag; counts notify's dead letters (pulls and releases them:
  // only a subscriber sees a subscription's messages)
  console: [
    'bucket roles/storage.objectViewer if quarantine-prefix-only',
    'project roles/datastore.user if audit-database-only',
    'project roles/datastore.user if default-database-only',
    'project roles/managedkafka.client',
    'subscription:anomalies-dead-letter-sub roles/pubsub.subscriber',
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
    'project roles/datastore.user if default-database-only',
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
  ],
  dispatcher: [
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
    'service:detect roles/run.invoker',
  ],
  console: [
    'bucket roles/storage.objectViewer if quarantine-prefix-only',
    'project roles/datastore.user if audit-database-only',
    'project roles/datastore.user if default-database-only',
    'secret:kafka-sasl-password roles/secretmanager.secretAccessor',
    'subscription:anomalies-dead-letter-sub roles/pubsub.subscriber',
  ],
};
/** Without --console-group nobody may invoke the console. */
const { [`group:${CONSOLE_GROUP}`]: _invoker, ...EXPECTED_GRANTS_PLAIN_NO_GROUP } = EXPECTED_GRANTS_PLAIN;

describe('deploy.sh --dry-run', () => {
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
      'project roles/datastore.user if default-database-only': `expression=resource.name == "projects/${PROJECT}/databases/(default)",title=default-database-only`,
      'project roles/datastore.user if audit-database-only': `expression=resource.name == "projects/${PROJECT}/databases/audit",title=audit-database-only`,
      'bucket roles/storage.objectUser if quarantine-prefix-only': quarantine,
      'bucket roles/storage.objectViewer if quarantine-prefix-only': quarantine,
      'project roles/storage.objectAdmin if build-sources-only':
        'expression=resource.name.startsWith("projects/_/buckets/gcf-v2-sources-PROJECT_NUMBER-us-central1") || ' +
        'resource.name.startsWith("projects/_/buckets/gcf-v2-uploads-PROJECT_NUMBER") || ' +
        `resource.name.startsWith("projects/_/buckets/${PROJECT}_cloudbuild"),title=build-sources-only`,
    });
  });
  it("lets no identity but the console's write the audit database", () => {
    // Every role that can write Firestore documents, and where each member holds it: a grant reaches the audit
    // database unless its condition names another database by its exact resource name.
    const writers = ['roles/datastore.user', 'roles/datastore.owner', 'roles/editor', 'roles/owner'];
    const auditName = `projects/${PROJECT}/databases/audit`;
    for (const run of [runs.managed, runs.existing, runs.internet]) {
      const reachAudit = grantsOf(run.commands).filter((g) => {
        const role = g.grant.split(' ')[1]!;
        if (!writers.includes(role) || !g.grant.startsWith('project ')) return false;
        const named = /resource\.name == "([^"]+)"/.exec(g.condition ?? '')?.[1];
        return named === undefined || named === auditName;
      });
      expect(reachAudit.map((g) => memberName(g.member))).toEqual(['console']);
    }
  });

  it('creates the audit database and releases its own rules to it', () => {
    const lines = runs.managed.commands.filter((c) => c.kind === '+').map((c) => c.line);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\+ gcloud firestore databases create --database=audit .*--type=firestore-native/,
      ),
    );
    // A named database's release is cloud.firestore/DATABASE (the default database's, cloud.firestore).
    expect(lines).toContainEqual(expect.stringContaining('/releases'));
    const released = runs.managed.commands.filter((c) => c.line.includes('releases/cloud.firestore'));
    expect(released.some((c) => c.line.includes('releases/cloud.firestore/audit'))).toBe(true);
  });

  it('runs each component as its own service account and builds with the build service account', () => {
    const commands = componentCommands(runs.managed.commands);
    const account = (id: string) => `anomalies-${id}@${PROJECT}.iam.gserviceaccount.com`;
    for (const component of ['ingest', 'detect', 'notify', 'escalate', 'dispatcher', 'console'] as const) {
      expect(flagValue(commands.get(component)!.words, 'service-account'), component).toBe(
        account(component),
      );
    }
    for (const component of ['ingest', 'notify', 'escalate'] as const) {
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
});
