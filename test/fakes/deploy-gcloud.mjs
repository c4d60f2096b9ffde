#!/usr/bin/env node
// A stateful stand-in for `gcloud`, just large enough for deploy.sh (test/unit/deploy/fakeGcloud.test.ts). It remembers what
// the script created in the JSON file $FAKE_STATE and answers describe/list/get-iam-policy queries from it, so a
// deploy can be run twice (the second run must change nothing) and torn down, all offline.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import process from 'node:process';

const PROJECT_NUMBER = '123456789012';
const stateFile = process.env.FAKE_STATE;
if (!stateFile) fail('FAKE_STATE is not set');
const state = existsSync(stateFile)
  ? JSON.parse(readFileSync(stateFile, 'utf8'))
  : { resources: {}, policies: {}, apis: [], secrets: {} };

const PATHS = [
  'auth list',
  'auth print-access-token',
  'config get-value',
  'meta list-files-for-upload',
  'projects describe',
  'projects get-iam-policy',
  'projects add-iam-policy-binding',
  'projects remove-iam-policy-binding',
  'services list',
  'services enable',
  'beta services identity create',
  'iam service-accounts describe',
  'iam service-accounts create',
  'iam service-accounts delete',
  'compute networks describe',
  'compute networks create',
  'compute networks delete',
  'compute networks subnets describe',
  'compute networks subnets create',
  'compute networks subnets delete',
  'compute networks vpc-access connectors describe',
  'compute networks vpc-access connectors create',
  'compute networks vpc-access connectors delete',
  'artifacts repositories describe',
  'artifacts repositories create',
  'artifacts repositories delete',
  'artifacts repositories get-iam-policy',
  'artifacts repositories add-iam-policy-binding',
  'artifacts docker images describe',
  'storage service-agent',
  'storage rm',
  'storage buckets describe',
  'storage buckets create',
  'storage buckets update',
  'storage buckets get-iam-policy',
  'storage buckets add-iam-policy-binding',
  'firestore databases describe',
  'firestore databases create',
  'firestore databases delete',
  'firestore indexes composite list',
  'firestore indexes composite create',
  'firestore indexes fields describe',
  'firestore indexes fields update',
  'firestore fields ttls update',
  'pubsub topics describe',
  'pubsub topics create',
  'pubsub topics update',
  'pubsub topics delete',
  'pubsub topics get-iam-policy',
  'pubsub topics add-iam-policy-binding',
  'pubsub subscriptions describe',
  'pubsub subscriptions create',
  'pubsub subscriptions update',
  'pubsub subscriptions delete',
  'pubsub subscriptions get-iam-policy',
  'pubsub subscriptions add-iam-policy-binding',
  'managed-kafka clusters describe',
  'managed-kafka clusters create',
  'managed-kafka clusters delete',
  'managed-kafka topics describe',
  'managed-kafka topics create',
  'managed-kafka topics update',
  'secrets describe',
  'secrets create',
  'secrets delete',
  'secrets get-iam-policy',
  'secrets add-iam-policy-binding',
  'secrets versions access',
  'secrets versions add',
  'run deploy',
  'run services describe',
  'run services delete',
  'run services get-iam-policy',
  'run services add-iam-policy-binding',
  'run services remove-iam-policy-binding',
  'functions describe',
  'functions deploy',
  'functions delete',
  'eventarc triggers describe',
  'builds submit',
  'beta run worker-pools describe',
  'beta run worker-pools deploy',
  'beta run worker-pools delete',
];

function fail(message, code = 1) {
  process.stderr.write(`ERROR: (fake gcloud) ${message}\n`);
  process.exit(code);
}

function save() {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

const argv = process.argv.slice(2);
const flags = {};
const multi = {};
const positional = [];
for (const arg of argv) {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq < 0 ? true : arg.slice(eq + 1);
    flags[name] = value;
    (multi[name] ??= []).push(value);
  } else {
    positional.push(arg);
  }
}

if (flags.help) {
  // Pretend to be a gcloud whose worker pools are still beta (like 528.0.0) and which has the beta component.
  process.exit(argv.slice(0, 2).join(' ') === 'run worker-pools' ? 2 : 0);
}

const words = positional.join(' ');
// FAKE_DENY=<command words>: answer that command like gcloud does when a permission is missing.
if (process.env.FAKE_DENY && words.startsWith(process.env.FAKE_DENY)) {
  fail(
    `(gcloud.${process.env.FAKE_DENY.replaceAll(' ', '.')}) PERMISSION_DENIED: Permission ` +
      `'${process.env.FAKE_DENY_PERMISSION ?? 'unknown.permission'}' denied on resource (or it may not exist).`,
  );
}
const path = PATHS.filter((p) => words === p || words.startsWith(p + ' ')).sort(
  (a, b) => b.length - a.length,
)[0];
if (!path) fail(`unsupported command: gcloud ${argv.join(' ')}`, 2);
const args = positional.slice(path.split(' ').length);
const verb = path.split(' ').at(-1);
const group = path.split(' ').slice(0, -1).join(' ');

const accountId = (name) => name.replace(/@.*$/, '');
/** The flags that, with the name, identify a resource of each kind. */
const SCOPE = {
  functions: ['region'],
  'run services': ['region'],
  'compute networks subnets': ['region'],
  'compute networks vpc-access connectors': ['region'],
  'beta run worker-pools': ['region'],
  'artifacts repositories': ['location'],
  'managed-kafka clusters': ['location'],
  'managed-kafka topics': ['location', 'cluster'],
  'firestore databases': ['database'],
  field: ['collection-group', 'database'],
};
const keyOf = (kind, name) =>
  `${kind}|${name}|${(SCOPE[kind] ?? []).map((f) => (typeof flags[f] === 'string' ? flags[f] : '')).join('/')}`;

function get(object, dotted) {
  return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), object);
}

/** Prints a resource the way `--format=value(a.b,c)` or `--format=json` would. */
function print(resource) {
  const format = typeof flags.format === 'string' ? flags.format : '';
  const value = /^value\((.*)\)$/.exec(format);
  if (value) {
    const fields = value[1].split(',').map((f) => get(resource, f.trim()));
    // gcloud prints a map as key=value;key=value.
    const text = (f) =>
      f === undefined || f === null
        ? ''
        : typeof f === 'object'
          ? Object.entries(f)
              .map(([k, v]) => `${k}=${v}`)
              .join(';')
          : String(f);
    process.stdout.write(fields.map(text).join('\t') + '\n');
  } else if (format === 'json') {
    process.stdout.write(JSON.stringify(resource) + '\n');
  } else {
    process.stdout.write(JSON.stringify(resource) + '\n');
  }
}

/** A gcloud duration ('7d', '31d', '10m', '600s') as the API returns it ('604800s'). */
function durationSeconds(text) {
  const match = /^(\d+)([smhd]?)$/.exec(String(text));
  if (!match) fail(`INVALID_ARGUMENT: duration ${text}`, 2);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
  return `${Number(match[1]) * unit}s`;
}

function notFound(what) {
  fail(`NOT_FOUND: ${what} was not found`);
}

function parseLabels(text) {
  return Object.fromEntries(
    String(text)
      .split(',')
      .filter((kv) => kv !== '')
      .map((kv) => kv.split('=')),
  );
}

function policyKey() {
  return keyOf(group, args[0] ?? '');
}

switch (path) {
  case 'auth list':
    process.stdout.write('tester@example.com\n');
    break;
  case 'auth print-access-token':
    process.stdout.write('fake-token\n');
    break;
  case 'config get-value':
    break;
  case 'meta list-files-for-upload':
    process.stdout.write('package.json\ndeploy.sh\n');
    break;
  case 'projects describe':
    print({ projectNumber: PROJECT_NUMBER });
    break;
  case 'services list':
    process.stdout.write(state.apis.map((a) => a + '\n').join(''));
    break;
  case 'services enable':
    state.apis.push(...args.filter((a) => !state.apis.includes(a)));
    break;
  case 'beta services identity create':
    process.stdout.write(
      `Service identity created: service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com\n`,
    );
    break;
  case 'storage service-agent':
    process.stdout.write(`service-${PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com\n`);
    break;
  case 'firestore indexes composite list': {
    process.stdout.write(JSON.stringify(state.indexes ?? []) + '\n');
    break;
  }
  case 'firestore indexes composite create': {
    const fields = multi['field-config'].map((config) => {
      const c = parseLabels(config);
      return c['array-config']
        ? { fieldPath: c['field-path'], arrayConfig: c['array-config'].toUpperCase() }
        : { fieldPath: c['field-path'], order: c.order.toUpperCase() };
    });
    state.indexes ??= [];
    state.indexes.push({
      name: `projects/p/databases/(default)/collectionGroups/${flags['collection-group']}/indexes/i${state.indexes.length}`,
      queryScope: String(flags['query-scope']).toUpperCase(),
      fields: [...fields, { fieldPath: '__name__', order: 'DESCENDING' }],
      state: 'CREATING',
    });
    break;
  }
  case 'firestore indexes fields describe': {
    print(state.resources[keyOf('field', args[0])] ?? {});
    break;
  }
  case 'firestore indexes fields update':
  case 'firestore fields ttls update': {
    const key = keyOf('field', args[0]);
    const field = (state.resources[key] ??= {});
    if (flags['enable-ttl']) field.ttlConfig = { state: 'CREATING' };
    if (flags['disable-ttl']) delete field.ttlConfig;
    if (flags['disable-indexes']) field.indexConfig = { indexes: [] };
    break;
  }
  case 'secrets versions access': {
    const secret = state.secrets[flags.secret];
    if (secret === undefined) notFound(`secret ${flags.secret}`);
    process.stdout.write(secret);
    break;
  }
  case 'secrets versions add':
    state.secrets[args[0]] = readStdin();
    break;
  case 'eventarc triggers describe': {
    const fn = state.resources[`functions|notify|${flags.location}`];
    if (!fn) notFound(`trigger ${args[0]}`);
    print({
      transport: {
        pubsub: { subscription: `projects/p/subscriptions/eventarc-${flags.location}-notify-1-sub-2` },
      },
    });
    break;
  }
  default:
    switch (verb) {
      case 'get-iam-policy': {
        const lines = state.policies[policyKey()] ?? [];
        process.stdout.write(lines.map((l) => l + '\n').join(''));
        break;
      }
      case 'add-iam-policy-binding': {
        const condition =
          typeof flags.condition === 'string' && flags.condition !== 'None' ? flags.condition : '';
        const title = /(?:^|,)title=([^,]*)/.exec(condition)?.[1] ?? '';
        const line = `${flags.role},${flags.member},${title}`;
        const lines = (state.policies[policyKey()] ??= []);
        if (!lines.includes(line)) lines.push(line);
        break;
      }
      case 'remove-iam-policy-binding': {
        const key = policyKey();
        state.policies[key] = (state.policies[key] ?? []).filter(
          (l) => !l.startsWith(`${flags.role},${flags.member},`),
        );
        break;
      }
      case 'describe': {
        const name = group === 'iam service-accounts' ? accountId(args[0] ?? '') : (args[0] ?? '');
        const resource = state.resources[keyOf(group, name)];
        if (!resource) notFound(`${group} ${name}`);
        print(resource);
        break;
      }
      case 'create':
      case 'deploy':
      case 'submit': {
        let name = args[0] ?? '';
        let kind = group;
        let resource = {};
        if (path === 'builds submit') {
          kind = 'artifacts docker images';
          name = parseLabels(flags.substitutions)._IMAGE;
        } else if (path === 'functions deploy') {
          resource = {
            labels: parseLabels(flags['update-labels']),
            serviceConfig: { uri: `https://${name}-${PROJECT_NUMBER}.${flags.region}.run.app` },
            eventTrigger: flags['trigger-http']
              ? undefined
              : { trigger: `projects/p/locations/${flags.region}/triggers/${name}-1` },
          };
        } else if (path === 'beta run worker-pools deploy') {
          resource = { metadata: { labels: parseLabels(flags.labels) } };
        } else if (path === 'run deploy') {
          kind = 'run services';
          resource = { metadata: { labels: parseLabels(flags.labels) } };
        } else if (path === 'managed-kafka topics create') {
          resource = { partitionCount: Number(flags.partitions), configs: parseLabels(flags.configs ?? '') };
        } else if (path === 'pubsub topics create' || path === 'pubsub subscriptions create') {
          if (flags['message-retention-duration'] !== undefined)
            resource = { messageRetentionDuration: durationSeconds(flags['message-retention-duration']) };
        } else if (path === 'firestore databases create') {
          name = '';
          resource = { type: 'FIRESTORE_NATIVE' };
        } else if (path === 'storage buckets create') {
          resource = { location: String(flags.location).toUpperCase(), uniform_bucket_level_access: true };
        } else if (path === 'secrets create') {
          state.secrets[name] = readStdin();
        }
        if (path === 'iam service-accounts create') name = accountId(name);
        if (state.resources[keyOf(kind, name)] && verb === 'create') fail(`ALREADY_EXISTS: ${kind} ${name}`);
        state.resources[keyOf(kind, name)] = { name, ...resource };
        break;
      }
      case 'update': {
        const key = keyOf(group, args[0] ?? '');
        if (path === 'pubsub subscriptions update' || path === 'pubsub topics update') {
          if (flags['dead-letter-topic'] !== undefined)
            state.resources[key] = {
              ...state.resources[key],
              deadLetterPolicy: {
                deadLetterTopic: flags['dead-letter-topic'],
                maxDeliveryAttempts: Number(flags['max-delivery-attempts']),
              },
            };
          if (flags['message-retention-duration'] !== undefined)
            state.resources[key] = {
              ...state.resources[key],
              messageRetentionDuration: durationSeconds(flags['message-retention-duration']),
            };
        } else if (path === 'managed-kafka topics update') {
          // --configs adds to or replaces the topic's configs key by key, as gcloud's help says.
          if (flags.partitions !== undefined)
            state.resources[key] = { ...state.resources[key], partitionCount: Number(flags.partitions) };
          if (flags.configs !== undefined)
            state.resources[key] = {
              ...state.resources[key],
              configs: { ...state.resources[key].configs, ...parseLabels(flags.configs) },
            };
        } else if (path === 'storage buckets update') {
          state.resources[key] = { ...state.resources[key], uniform_bucket_level_access: true };
        }
        break;
      }
      case 'delete':
      case 'rm': {
        const name =
          path === 'storage rm'
            ? args[0]
            : group === 'iam service-accounts'
              ? accountId(args[0] ?? '')
              : group === 'firestore databases'
                ? ''
                : (args[0] ?? '');
        const kind = path === 'storage rm' ? 'storage buckets' : group;
        const key = keyOf(kind, name);
        if (!state.resources[key]) notFound(`${kind} ${name}`);
        delete state.resources[key];
        delete state.policies[key];
        // What goes with it in the real service.
        const dependents = (prefix, test) => {
          for (const k of Object.keys(state.resources))
            if (k.startsWith(prefix) && test(k)) delete state.resources[k];
          for (const k of Object.keys(state.policies))
            if (k.startsWith(prefix) && test(k)) delete state.policies[k];
        };
        if (kind === 'managed-kafka clusters')
          dependents('managed-kafka topics|', (k) => k.endsWith(`/${name}`));
        if (kind === 'artifacts repositories')
          dependents('artifacts docker images|', (k) => k.includes(`/${name}/`));
        // A database's field configurations (indexes, TTL policies) are the database's.
        if (kind === 'firestore databases') dependents('field|', (k) => k.endsWith(`/${flags.database}`));
        if (kind === 'functions') {
          dependents(`run services|${name}|`, () => true);
          dependents('pubsub subscriptions|', (k) => k.includes(`-${name}-`));
        }
        break;
      }
      default:
        fail(`unsupported verb: gcloud ${argv.join(' ')}`, 2);
    }
}
save();
