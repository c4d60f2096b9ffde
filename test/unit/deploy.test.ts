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
import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_VARIABLES, RUNTIME_VARIABLES, type RuntimeVariable } from '../../shared/config/runtime.js';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'deploy.sh');
const PROJECT = 'my-project-123';
const BUCKET = `${PROJECT}-stock-anomalies`;
const SANDBOX = mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));

/** No gcloud login, no configured project, and any attempt to reach the network fails. */
const OFFLINE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
  HOME: SANDBOX,
  LANG: 'C.UTF-8',
  CLOUDSDK_CONFIG: path.join(SANDBOX, 'gcloud-config'),
  CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
};

afterAll(() => rmSync(SANDBOX, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// Running deploy.sh and reading its output.
// ---------------------------------------------------------------------------------------------------------------
interface Command {
  kind: '+' | '?';
  words: string[];
  line: string;
}

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  commands: Command[];
}

/** Splits one printed command line into words (deploy.sh quotes with '...' and '\''). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === "'") quoted = false;
      else word += c;
    } else if (c === "'") {
      quoted = true;
      inWord = true;
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (c === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quoted) throw new Error(`unbalanced quote in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

function parseCommands(stdout: string): Command[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const kind = line.slice(0, 2);
      if (kind !== '+ ' && kind !== '? ')
        throw new Error(`deploy.sh printed a line that is not a command: ${line}`);
      return { kind: line[0] as '+' | '?', words: shellWords(line.slice(2)), line };
    });
}

async function runDeploy(
  args: string[],
  env: NodeJS.ProcessEnv = OFFLINE_ENV,
  parse = true,
): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await execFileAsync('/bin/bash', [SCRIPT, ...args], {
      cwd: ROOT,
      env,
      maxBuffer: 32 << 20,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr, commands: parse ? parseCommands(stdout) : [] };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(error),
      commands: [],
    };
  }
}

function flagValue(words: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return words.find((w) => w.startsWith(prefix))?.slice(prefix.length);
}

function flagValues(words: string[], name: string): string[] {
  const prefix = `--${name}=`;
  return words.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length));
}

function hasFlag(words: string[], name: string): boolean {
  return words.includes(`--${name}`);
}

/** The command's words up to its first flag, e.g. ['gcloud', 'functions', 'deploy', 'ingest']. */
function leadingWords(words: string[]): string[] {
  const end = words.findIndex((w) => w.startsWith('-'));
  return end < 0 ? words : words.slice(0, end);
}

function startsWith(words: string[], prefix: string): boolean {
  return (
    leadingWords(words)
      .join(' ')
      .startsWith(prefix + ' ') || leadingWords(words).join(' ') === prefix
  );
}

const changes = (run: ScriptRun) => run.commands.filter((c) => c.kind === '+');

// ---------------------------------------------------------------------------------------------------------------
// The installed gcloud's --help, parsed and cached per command.
// ---------------------------------------------------------------------------------------------------------------
interface CommandHelp {
  /** e.g. 'gcloud iam service-accounts create' */
  path: string;
  isGroup: boolean;
  /** flag name -> whether it takes a value (from the SYNOPSIS) */
  flags: Map<string, boolean>;
  /** the GCLOUD WIDE FLAGS */
  wide: Set<string>;
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

function parseHelp(text: string): CommandHelp {
  const sections = new Map<string, string>();
  let current = '';
  for (const line of text.replace(ANSI, '').split('\n')) {
    if (/^[A-Z][A-Z ]+$/.test(line)) {
      current = line.trim();
      sections.set(current, '');
    } else if (current) {
      sections.set(current, sections.get(current) + line + '\n');
    }
  }
  const name = (sections.get('NAME') ?? '').replace(/\s+/g, ' ').trim();
  const flags = new Map<string, boolean>();
  for (const match of (sections.get('SYNOPSIS') ?? '').matchAll(/--(\[no-\])?([a-z0-9][a-z0-9-]*)(=)?/g)) {
    const takesValue = match[3] === '=';
    const flag = match[2]!;
    flags.set(flag, (flags.get(flag) ?? false) || takesValue);
    if (match[1]) flags.set(`no-${flag}`, false);
  }
  const wide = new Set(
    [...(sections.get('GCLOUD WIDE FLAGS') ?? '').matchAll(/--([a-z0-9-]+)/g)].map((m) => m[1]!),
  );
  return {
    path: name.split(' - ')[0]!.trim(),
    isGroup: sections.has('COMMANDS') || sections.has('GROUPS'),
    flags,
    wide,
  };
}

interface HelpOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gcloud WORDS --help` as its own process: ~1 s of Python each. */
async function helpProcess(words: string[]): Promise<HelpOutput> {
  try {
    const { stdout, stderr } = await execFileAsync('gcloud', [...words, '--help'], {
      env: OFFLINE_ENV,
      maxBuffer: 8 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(e),
    };
  }
}

/**
 * A long-lived gcloud: the SDK's own Python with its CLI loaded once, rendering `WORDS --help` for each request
 * through the same code path as the gcloud command (output identical but for terminal colours, which parseHelp
 * strips), at ~0.1 s per command. One JSON request per line on stdin, one JSON answer per line on stdout.
 */
const HELP_SERVER = String.raw`
import json, os, sys, tempfile
root = sys.argv[1]
sys.path.insert(0, os.path.join(root, 'lib', 'third_party'))
sys.path.insert(0, os.path.join(root, 'lib'))
answers = os.fdopen(os.dup(1), 'w')
from googlecloudsdk import gcloud_main
cli = gcloud_main.CreateCLI([])
answers.write('ready\n')
answers.flush()
scratch = tempfile.mkdtemp()
out_path, err_path = os.path.join(scratch, 'out'), os.path.join(scratch, 'err')
for line in sys.stdin:
    words = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    saved_out, saved_err = os.dup(1), os.dup(2)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    code = 0
    try:
        cli.Execute(words + ['--help'])
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except BaseException as error:
        code = 1
        sys.stderr.write(repr(error))
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved_out, 1)
    os.dup2(saved_err, 2)
    for fd in (saved_out, saved_err, out_fd, err_fd):
        os.close(fd)
    with open(out_path, errors='replace') as f:
        out = f.read()
    with open(err_path, errors='replace') as f:
        err = f.read()
    answers.write(json.dumps({'code': code, 'stdout': out, 'stderr': err}) + '\n')
    answers.flush()
`;

interface HelpServer {
  busy: number;
  ask(words: string[]): Promise<HelpOutput>;
  close(): void;
}

/** Starts a help server, or answers undefined when this gcloud's layout does not allow one. */
async function startHelpServer(): Promise<HelpServer | undefined> {
  const found = spawnSync('sh', ['-c', 'command -v gcloud'], {
    env: OFFLINE_ENV,
    encoding: 'utf8',
  }).stdout.trim();
  if (!found) return undefined;
  const sdk = path.dirname(path.dirname(realpathSync(found)));
  if (!existsSync(path.join(sdk, 'lib/googlecloudsdk/gcloud_main.py'))) return undefined;
  const bundled = path.join(sdk, 'platform/bundledpythonunix/bin/python3');
  const python = process.env.CLOUDSDK_PYTHON ?? (existsSync(bundled) ? bundled : 'python3');
  const script = path.join(SANDBOX, 'gcloud-help-server.py');
  writeFileSync(script, HELP_SERVER);
  const child = spawn(python, [script, sdk], { env: OFFLINE_ENV, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting: ((answer: HelpOutput | Error) => void)[] = [];
  let ready: ((ok: boolean) => void) | undefined;
  const started = new Promise<boolean>((resolve) => (ready = resolve));
  const fail = () => {
    ready?.(false);
    for (const reply of waiting.splice(0)) reply(new Error('the gcloud help server stopped'));
  };
  child.on('error', fail).on('exit', fail);
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') return ready?.(true);
    let answer: HelpOutput | Error;
    try {
      answer = JSON.parse(line) as HelpOutput;
    } catch {
      answer = new Error(`the gcloud help server said: ${line}`);
    }
    waiting.shift()?.(answer);
  });
  const timeout = setTimeout(() => ready?.(false), 30_000);
  const ok = await started;
  clearTimeout(timeout);
  if (!ok) {
    child.kill();
    return undefined;
  }
  const server: HelpServer = {
    busy: 0,
    ask: (words) =>
      new Promise<HelpOutput>((resolve, reject) => {
        server.busy++;
        waiting.push((answer) => {
          server.busy--;
          if (answer instanceof Error) reject(answer);
          else resolve(answer);
        });
        child.stdin.write(JSON.stringify(words) + '\n');
      }),
    close: () => {
      child.stdin.end();
      setTimeout(() => child.kill(), 2_000).unref();
    },
  };
  return server;
}

const helpServers: HelpServer[] = [];
let helpServersStarting: Promise<void> | undefined;
afterAll(() => helpServers.forEach((server) => server.close()));

/** gcloud's help for WORDS: from the least busy help server (one per core), else from a gcloud process. */
async function gcloudHelp(words: string[]): Promise<HelpOutput> {
  helpServersStarting ??= (async () => {
    if (process.env.DEPLOY_TEST_HELP === 'process') return;
    const servers = await Promise.all(
      Array.from({ length: Math.max(1, Math.min(4, os.availableParallelism())) }, startHelpServer),
    );
    helpServers.push(...servers.filter((server) => server !== undefined));
  })();
  await helpServersStarting;
  const server = [...helpServers].sort((a, b) => a.busy - b.busy)[0];
  if (server) {
    try {
      return await server.ask(words);
    } catch {
      // fall through to a process of its own
    }
  }
  return helpProcessLimit(() => helpProcess(words));
}

function limiter(concurrency: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

// A gcloud --help process is CPU-bound: about one per core.
const helpProcessLimit = limiter(Math.max(2, Math.min(8, os.availableParallelism() + 1)));
const helpByPath = new Map<string, CommandHelp>();
const helpInFlight = new Map<string, Promise<CommandHelp>>();
let helpCalls = 0;

function knownHelp(args: string[]): CommandHelp | undefined {
  const words = leadingWords(args);
  for (let n = words.length; n > 0; n--) {
    const help = helpByPath.get(['gcloud', ...words.slice(0, n)].join(' '));
    if (help) return help;
  }
  return undefined;
}

/** The help of the command `gcloud ARGS` names (--help ignores positional arguments), fetched once per command. */
async function commandHelp(args: string[]): Promise<CommandHelp> {
  const known = knownHelp(args);
  if (known) return known;
  const words = leadingWords(args);
  const key = words.join(' ');
  let pending = helpInFlight.get(key);
  if (!pending) {
    pending = (async () => {
      helpCalls++;
      const output = await gcloudHelp(words);
      if (output.code !== 0)
        throw new Error(output.stderr.trim().split('\n')[0] || `exit status ${output.code}`);
      const help = parseHelp(output.stdout);
      if (!help.isGroup) helpByPath.set(help.path, help);
      return help;
    })();
    helpInFlight.set(key, pending);
  }
  return pending;
}

/** Problems with one gcloud command line: unknown command, group instead of command, unknown or misused flag. */
async function checkGcloudCommand(command: Command): Promise<string[]> {
  const args = command.words.slice(1);
  let help: CommandHelp;
  try {
    help = await commandHelp(args);
  } catch (error) {
    return [`${command.line}\n    gcloud has no such command: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (help.isGroup || !['gcloud', ...leadingWords(args)].join(' ').startsWith(help.path)) {
    problems.push(`${command.line}\n    '${help.path}' is a command group, not a command`);
    return problems;
  }
  for (const arg of args.filter((a) => a.startsWith('--'))) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const takesValue = help.flags.get(name);
    if (takesValue === undefined) {
      if (!help.wide.has(name)) problems.push(`${command.line}\n    ${help.path} has no flag --${name}`);
    } else if (takesValue !== eq >= 0) {
      problems.push(
        `${command.line}\n    --${name} of ${help.path} ${takesValue ? 'needs a value' : 'takes no value'}`,
      );
    }
  }
  return problems;
}

/**
 * Checks many command lines: those of one command family (e.g. 'iam service-accounts') one after the other, so
 * that each command's --help is fetched once, and the families in parallel.
 */
async function checkGcloudCommands(commands: Command[]): Promise<string[]> {
  const families = new Map<string, Command[]>();
  for (const command of commands) {
    const lead = leadingWords(command.words.slice(1));
    const key = lead.slice(0, lead[0] === 'beta' || lead[0] === 'alpha' ? 3 : 2).join(' ');
    families.set(key, [...(families.get(key) ?? []), command]);
  }
  const checked = await Promise.all(
    [...families.values()].map(async (family) => {
      const problems: string[] = [];
      for (const command of family) problems.push(...(await checkGcloudCommand(command)));
      return problems;
    }),
  );
  return checked.flat();
}

// ---------------------------------------------------------------------------------------------------------------
// Grants and environments as deploy.sh prints them.
// ---------------------------------------------------------------------------------------------------------------
interface Grant {
  member: string;
  /** e.g. 'project roles/datastore.user' or 'bucket roles/storage.objectUser if quarantine-prefix-only' */
  grant: string;
  condition?: string;
}

/** 'serviceAccount:anomalies-ingest@p.iam.gserviceaccount.com' -> 'ingest'; service agents by their service. */
function memberName(member: string): string {
  const account = /^serviceAccount:anomalies-([a-z]+)@my-project-123\.iam\.gserviceaccount\.com$/.exec(
    member,
  );
  if (account) return account[1]!;
  if (/^serviceAccount:service-[A-Z0-9_]+@gs-project-accounts\.iam\.gserviceaccount\.com$/.test(member)) {
    return 'storage-agent';
  }
  if (/^serviceAccount:service-[A-Z0-9_]+@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/.test(member))
    return 'pubsub-agent';
  return member;
}

function resourceName(kind: string, name: string): string {
  switch (kind) {
    case 'projects':
      return name === PROJECT ? 'project' : `project:${name}`;
    case 'storage buckets':
      return name === `gs://${BUCKET}` ? 'bucket' : `bucket:${name}`;
    case 'pubsub topics':
      return `topic:${name}`;
    case 'pubsub subscriptions':
      return /\/eventarc-us-central1-notify-/.test(name)
        ? 'subscription:notify-trigger'
        : `subscription:${name}`;
    case 'run services':
    case 'functions':
      return `service:${name}`;
    case 'artifacts repositories':
      return name === 'stock-anomalies' ? 'repository' : `repository:${name}`;
    case 'secrets':
      return `secret:${name}`;
    default:
      return `${kind}:${name}`;
  }
}

function grantsOf(commands: Command[]): Grant[] {
  const grants: Grant[] = [];
  for (const command of commands) {
    const words = command.words;
    const verb = words.findIndex((w) => w === 'add-iam-policy-binding' || w === 'add-invoker-policy-binding');
    if (command.kind !== '+' || verb < 0) continue;
    const kind = words.slice(1, verb).join(' ');
    const role =
      words[verb] === 'add-invoker-policy-binding' ? 'roles/run.invoker' : flagValue(words, 'role');
    const condition = flagValue(words, 'condition');
    const title = condition && condition !== 'None' ? /(?:^|,)title=([^,]+)/.exec(condition)?.[1] : undefined;
    grants.push({
      member: memberName(flagValue(words, 'member') ?? '?'),
      grant: `${resourceName(kind, words[verb + 1] ?? '?')} ${role}${title ? ` if ${title}` : ''}`,
      condition: condition && condition !== 'None' ? condition : undefined,
    });
  }
  return grants;
}

function grantTable(commands: Command[]): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const { member, grant } of grantsOf(commands)) (table[member] ??= []).push(grant);
  for (const grants of Object.values(table)) grants.sort();
  return table;
}

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
};

type Component = keyof typeof COMPONENT_VARIABLES;

/** The deploy command of each component. */
function componentCommands(commands: Command[]): Map<Component, Command> {
  const found = new Map<Component, Command>();
  for (const command of commands) {
    if (command.kind !== '+') continue;
    const lead = leadingWords(command.words).join(' ');
    const fn = /^gcloud functions deploy (ingest|detect|notify)$/.exec(lead);
    if (fn) found.set(fn[1] as Component, command);
    if (/^gcloud (beta |alpha )?run worker-pools deploy /.test(lead)) found.set('dispatcher', command);
  }
  return found;
}

/** The environment a deploy command sets: --set-env-vars (with gcloud's ^DELIM^ escaping) and --set-secrets. */
function environmentOf(command: Command): { env: Map<string, string>; secrets: Map<string, string> } {
  const parse = (text: string | undefined) => {
    const map = new Map<string, string>();
    if (text === undefined) return map;
    let delimiter = ',';
    const escape = /^\^([^^]+)\^/.exec(text);
    if (escape) {
      delimiter = escape[1]!;
      text = text.slice(escape[0].length);
    }
    for (const pair of text.split(delimiter)) {
      const eq = pair.indexOf('=');
      map.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return map;
  };
  return {
    env: parse(flagValue(command.words, 'set-env-vars')),
    secrets: parse(flagValue(command.words, 'set-secrets')),
  };
}

const sorted = (names: Iterable<string>) => [...names].sort();

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
  managed: ['--dry-run', `--project=${PROJECT}`],
  /** An existing cluster with SASL/PLAIN, plus the other options that change the command list. */
  existing: [
    '--dry-run',
    `--project=${PROJECT}`,
    ...EXISTING_KAFKA,
    '--alert-ttl-days=30',
    '--partitions=12',
    '--dispatcher-instances=3',
    '--set=A1_THRESHOLD=0.01',
  ],
  /** An existing cluster reachable from the internet: no VPC at all. */
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
      `checked ${unique.size} gcloud command lines against ${helpCalls} --help texts (${how}) in ${seconds} s`,
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
    expect(grantTable(runs.internet.commands)).toEqual(EXPECTED_GRANTS_PLAIN);
  });

  it('limits the conditional grants to the quarantine prefix and the build source buckets', () => {
    const conditions = Object.fromEntries(
      grantsOf(runs.managed.commands)
        .filter((g) => g.condition)
        .map((g) => [g.grant, g.condition]),
    );
    expect(conditions).toEqual({
      'bucket roles/storage.objectUser if quarantine-prefix-only':
        `expression=resource.name.startsWith("projects/_/buckets/${BUCKET}/objects/quarantine/"),` +
        'title=quarantine-prefix-only',
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
    for (const component of ['ingest', 'detect', 'notify', 'dispatcher'] as const) {
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
    // SASL/PLAIN credentials for the Kafka clients, and the alert TTL for notify.
    const extras: Record<Component, { env: string[]; secrets: string[] }> = {
      ingest: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      dispatcher: { env: ['KAFKA_SASL_USERNAME'], secrets: ['KAFKA_SASL_PASSWORD'] },
      notify: { env: ['ALERT_TTL_DAYS'], secrets: [] },
      detect: { env: [], secrets: [] },
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

  it('creates the composite indexes of firestore.indexes.json, the ones the alerts queries need', () => {
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
    ).toEqual([['expireAt', 'alerts', true]]);
  });

  it('tears down everything it creates', () => {
    const created = (run: ScriptRun) =>
      changes(run).flatMap((c) => {
        const lead = leadingWords(c.words).join(' ');
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
          /^gcloud (iam service-accounts|functions|(?:beta )?run worker-pools|compute networks(?: subnets| vpc-access connectors)?|managed-kafka clusters|pubsub topics|pubsub subscriptions|artifacts repositories|firestore databases|secrets) delete ?(\S*)$/.exec(
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
    expect(allowed, 'only reads are ever allowed').toEqual(['get, list', 'get, list']);
    expect(rules.stdout).toMatch(
      /match \/alerts\/\{document=\*\*\} \{\s*allow get, list: if isAllowedReader\(\);/,
    );
    expect(rules.stdout).toMatch(
      /match \/ingestions\/\{document=\*\*\} \{\s*allow get, list: if isAllowedReader\(\);/,
    );
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
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real mode against a stateful fake gcloud (and a fake Firebase Rules API behind curl).
// ---------------------------------------------------------------------------------------------------------------
describe('deploy.sh against a fake gcloud', () => {
  const bin = path.join(SANDBOX, 'fake-bin');
  const fakeEnv = (state: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...OFFLINE_ENV,
    PATH: `${bin}:${OFFLINE_ENV.PATH}`,
    FAKE_STATE: state,
    ...extra,
  });

  beforeAll(() => {
    mkdirSync(bin, { recursive: true });
    for (const [command, script] of [
      ['gcloud', 'deploy-gcloud.mjs'],
      ['curl', 'deploy-curl.mjs'],
    ]) {
      const file = path.join(bin, command!);
      writeFileSync(
        file,
        `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'test/fakes', script!)}" "$@"\n`,
      );
      chmodSync(file, 0o755);
    }
  });

  /** Real and dry-run output agree once the values only a real run knows are replaced by the placeholders. */
  const normalized = (run: ScriptRun) =>
    changes(run).map(({ line }) =>
      line
        .replaceAll('123456789012', 'PROJECT_NUMBER')
        .replace(/deploy_hash=[0-9a-f]{32}/, 'deploy_hash=HASH')
        .replace(/dispatcher:[0-9a-f]{32}/g, 'dispatcher:HASH')
        .replaceAll(
          'projects/p/subscriptions/eventarc-us-central1-notify-1-sub-2',
          `projects/${PROJECT}/subscriptions/eventarc-us-central1-notify-SUBSCRIPTION_ID`,
        ),
    );

  it('does what the dry run printed, changes nothing on a second run, and tears everything down', async () => {
    const state = path.join(SANDBOX, 'fake-state.json');
    const first = await runDeploy([`--project=${PROJECT}`], fakeEnv(state));
    expect(first.code, first.stderr).toBe(0);
    expect(normalized(first)).toEqual(normalized(runs.managed));

    const second = await runDeploy([`--project=${PROJECT}`], fakeEnv(state));
    expect(second.code, second.stderr).toBe(0);
    expect(changes(second).map((c) => c.line)).toEqual([]);
    expect(second.stderr).toMatch(/function ingest is up to date/);

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
      .filter(([component]) => component !== 'dispatcher')
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
    expect(existsSync(path.join(upload, 'dist/functions/dispatcher/main.js')), 'the dispatcher entry').toBe(
      true,
    );
    expect(readFileSync(path.join(upload, 'deploy/dispatcher.Dockerfile'), 'utf8')).toContain(
      'CMD ["node", "dist/functions/dispatcher/main.js"]',
    );
  }, 180_000);
});

describe('shellcheck', () => {
  it('finds nothing in deploy.sh and the CI install script', () => {
    const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (version.error) {
      throw new Error(
        'shellcheck is not installed: run .ci/install-shellcheck.sh (Debian package shellcheck)',
      );
    }
    const result = spawnSync('shellcheck', ['deploy.sh', '.ci/install-shellcheck.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
