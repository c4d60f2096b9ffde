/**
 * Each component's environment: what its code reads at start-up (recorded, not listed by hand) is exactly the
 * registry's list for it (shared/config/variables.ts), of which deploy.sh sets exactly the ones the registry says
 * it deploys, with the registry's defaults but for the cloud-specific values, and the local stack
 * (stack/appComponents.ts) passes exactly the ones the registry says it passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPONENTS,
  deployedVariables,
  PLATFORM_VARIABLES,
  VARIABLES,
  variablesReadBy,
  type Component,
  type VariableName,
} from '../../../shared/config/variables.js';
import { appComponents } from '../../../stack/appComponents.js';
import { createStackContext } from '../../../stack/components.js';
import { dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { componentCommands, environmentOf } from '../../helpers/deploy/environments.js';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import { BUCKET, PROJECT, sorted, type Command, type ScriptRun } from '../../helpers/deploy/script.js';
import { recordedReads } from '../../helpers/variableReads.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;

beforeAll(async () => {
  ({ runs } = await dryRuns(['managed', 'existing']));
}, 120_000);

/** Set for the Google client libraries and the stack's preload, read by no settings of ours. */
const isPlatform = (name: string) => Object.hasOwn(PLATFORM_VARIABLES, name);

/** Every name a deploy command sets, secrets included, but the platform's. */
function deployedNames(command: Command): string[] {
  const { env, secrets } = environmentOf(command);
  return sorted([...env.keys(), ...secrets.keys()].filter((name) => !isPlatform(name)));
}

/** Every name the local stack sets for a component when it starts it, but the platform's. */
function stackNames(component: Component): string[] {
  const ctx = createStackContext({ env: {}, log: () => {} });
  const started = appComponents(ctx).find((c) => c.name === component);
  if (started === undefined) throw new Error(`the stack starts no ${component}`);
  return sorted(Object.keys(started.env ?? {}).filter((name) => !isPlatform(name)));
}

const where = (names: string[], keep: (variable: (typeof VARIABLES)[VariableName]) => boolean) =>
  names.filter((name) => keep(VARIABLES[name as VariableName]));

describe("each component's variables", () => {
  it.each(COMPONENTS)(
    '%s reads exactly its registry entries; deploy.sh and the local stack set exactly the ones they should',
    (component) => {
      // SASL/PLAIN's user and password are read only with that mechanism, as deploy.sh sets them only then.
      const plain = { KAFKA_SASL_MECHANISM: 'plain' };
      const reads = recordedReads(component);
      const readsWithPlain = recordedReads(component, plain);
      expect(readsWithPlain, 'what it reads').toEqual(sorted(variablesReadBy(component)));
      expect(reads, 'what it reads without SASL/PLAIN').toEqual(
        where(readsWithPlain, (v) => v.deployed !== 'sasl-plain'),
      );

      const managed = componentCommands(runs.managed.commands).get(component)!;
      expect(deployedNames(managed), 'what deploy.sh sets').toEqual(
        where(reads, (v) => v.deployed === 'deploy' || v.deployed === 'secret'),
      );
      const existing = componentCommands(runs.existing.commands).get(component)!;
      expect(deployedNames(existing), 'what deploy.sh sets with SASL/PLAIN').toEqual(
        where(readsWithPlain, (v) => ['deploy', 'secret', 'sasl-plain'].includes(v.deployed)),
      );

      // The rest keep their defaults locally: the registry says each is the intended local value.
      expect(stackNames(component), 'what the local stack passes').toEqual(
        where(readsWithPlain, (v) => v.local === 'stack'),
      );
    },
  );
});

describe('deploy.sh --dry-run', () => {
  it("sets exactly the registry's deployed variables (plus GOOGLE_CLOUD_PROJECT) for each component", () => {
    const commands = componentCommands(runs.managed.commands);
    expect(sorted(commands.keys())).toEqual(sorted(COMPONENTS));
    for (const [component, command] of commands) {
      const { env, secrets } = environmentOf(command);
      // The one secret in every configuration: the chat webhook's URL, a credential.
      expect([...secrets], component).toEqual(
        component === 'escalate' ? [['CHAT_WEBHOOK_URL', 'chat-webhook-url:latest']] : [],
      );
      expect(sorted(env.keys()), component).toEqual(
        sorted([...deployedVariables(component), 'GOOGLE_CLOUD_PROJECT']),
      );
      expect(env.get('GOOGLE_CLOUD_PROJECT'), component).toBe(PROJECT);
    }
  });

  it('adds only the documented mode-dependent variables in the other configurations', () => {
    // Deployed only in these modes (the registry's 'sasl-plain'; see docs/deploy.md):
    // SASL/PLAIN credentials for the Kafka clients.
    const extras: Record<Component, { env: string[]; secrets: string[] }> = {
      ingest: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      dispatcher: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      notify: { env: [], secrets: [] },
      detect: { env: [], secrets: [] },
      escalate: { env: [], secrets: ['CHAT_WEBHOOK_URL'] },
      console: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
    };
    for (const [component, command] of componentCommands(runs.existing.commands)) {
      const { env, secrets } = environmentOf(command);
      expect(sorted(env.keys()), component).toEqual(
        sorted([...deployedVariables(component), 'GOOGLE_CLOUD_PROJECT', ...extras[component].env]),
      );
      expect(sorted(secrets.keys()), component).toEqual(extras[component].secrets);
      if (secrets.has('KAFKA_SASL_PASSWORD')) {
        expect(secrets.get('KAFKA_SASL_PASSWORD')).toBe('kafka-sasl-password:latest');
      }
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

  it("keeps the registry's defaults except for the cloud-specific settings", () => {
    const cloud: Partial<Record<VariableName, string | RegExp>> = {
      UPLOAD_PREFIX: 'uploads/',
      KAFKA_BROKERS: `bootstrap.stock-anomalies.us-central1.managedkafka.${PROJECT}.cloud.goog:9092`,
      KAFKA_SASL_MECHANISM: 'oauthbearer',
      KAFKA_SSL: 'true',
      DETECT_URL: /^https:\/\/detect-PROJECT_NUMBER\.us-central1\.run\.app$/,
      DISPATCH_AUTH: 'google-id-token',
      UPLOAD_BUCKET: BUCKET,
      // Where `gcloud run services proxy` serves the console (docs/deploy.md); --console-url changes it.
      CONSOLE_URL: 'http://localhost:8080/',
      // The console's own URL and the gcloud CLI's client, the audiences its callers' ID tokens carry.
      CONSOLE_AUDIENCES:
        /^https:\/\/stock-anomalies-console-PROJECT_NUMBER\.us-central1\.run\.app,32555940559\.apps\.googleusercontent\.com$/,
    };
    for (const [component, command] of componentCommands(runs.managed.commands)) {
      const { env } = environmentOf(command);
      for (const name of deployedVariables(component)) {
        const expected = cloud[name] ?? VARIABLES[name].default;
        if (expected instanceof RegExp) expect(env.get(name), `${component} ${name}`).toMatch(expected);
        else expect(env.get(name), `${component} ${name}`).toBe(expected);
      }
    }
  });
});
