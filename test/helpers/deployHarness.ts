/**
 * The harness of test/unit/deploy.test.ts: runs deploy.sh offline (and, in real mode, against the fakes in
 * test/fakes/), parses the commands it prints, checks them against the installed gcloud's --help, and reads the
 * grants and environments they set.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { COMPONENT_VARIABLES } from '../../shared/config/runtime.js';

export const execFileAsync = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'deploy.sh');
export const PROJECT = 'my-project-123';
export const BUCKET = `${PROJECT}-stock-anomalies`;
export const SANDBOX = mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));

/** No gcloud login, no configured project, and any attempt to reach the network fails. */
export const OFFLINE_ENV: NodeJS.ProcessEnv = {
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

// ---------------------------------------------------------------------------------------------------------------
// Running deploy.sh and reading its output.
// ---------------------------------------------------------------------------------------------------------------
export interface Command {
  kind: '+' | '?';
  words: string[];
  line: string;
}

export interface ScriptRun {
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

export async function runDeploy(
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

export function flagValue(words: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return words.find((w) => w.startsWith(prefix))?.slice(prefix.length);
}

export function flagValues(words: string[], name: string): string[] {
  const prefix = `--${name}=`;
  return words.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length));
}

export function hasFlag(words: string[], name: string): boolean {
  return words.includes(`--${name}`);
}

/** The command's words up to its first flag, e.g. ['gcloud', 'functions', 'deploy', 'ingest']. */
export function leadingWords(words: string[]): string[] {
  const end = words.findIndex((w) => w.startsWith('-'));
  return end < 0 ? words : words.slice(0, end);
}

export function startsWith(words: string[], prefix: string): boolean {
  return (
    leadingWords(words)
      .join(' ')
      .startsWith(prefix + ' ') || leadingWords(words).join(' ') === prefix
  );
}

export const changes = (run: ScriptRun) => run.commands.filter((c) => c.kind === '+');

// ---------------------------------------------------------------------------------------------------------------
// The installed gcloud's --help, parsed and cached per command.
// ---------------------------------------------------------------------------------------------------------------
export interface CommandHelp {
  /** e.g. 'gcloud iam service-accounts create' */
  path: string;
  isGroup: boolean;
  /** flag name -> whether it takes a value (from the SYNOPSIS) */
  flags: Map<string, boolean>;
  /** the GCLOUD WIDE FLAGS */
  wide: Set<string>;
}

export const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

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

export interface HelpOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gcloud WORDS --help` as its own process: ~1 s of Python each. */
export async function helpProcess(words: string[]): Promise<HelpOutput> {
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

export interface HelpServer {
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

export const helpServers: HelpServer[] = [];
let helpServersStarting: Promise<void> | undefined;

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

/** How many --help texts have been fetched so far. */
export function helpCallCount(): number {
  return helpCalls;
}

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
export async function checkGcloudCommands(commands: Command[]): Promise<string[]> {
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
export interface Grant {
  member: string;
  /** e.g. 'project roles/datastore.user' or 'bucket roles/storage.objectUser if quarantine-prefix-only' */
  grant: string;
  condition?: string;
}

/** 'serviceAccount:anomalies-ingest@p.iam.gserviceaccount.com' -> 'ingest'; service agents by their service. */
export function memberName(member: string): string {
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

export function grantsOf(commands: Command[]): Grant[] {
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

export function grantTable(commands: Command[]): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const { member, grant } of grantsOf(commands)) (table[member] ??= []).push(grant);
  for (const grants of Object.values(table)) grants.sort();
  return table;
}

export type Component = keyof typeof COMPONENT_VARIABLES;

/** The deploy command of each component. */
export function componentCommands(commands: Command[]): Map<Component, Command> {
  const found = new Map<Component, Command>();
  for (const command of commands) {
    if (command.kind !== '+') continue;
    const lead = leadingWords(command.words).join(' ');
    const fn = /^gcloud functions deploy (ingest|detect|notify)$/.exec(lead);
    if (fn) found.set(fn[1] as Component, command);
    if (/^gcloud (beta |alpha )?run worker-pools deploy /.test(lead)) found.set('dispatcher', command);
    if (lead === 'gcloud run deploy stock-anomalies-console') found.set('console', command);
  }
  return found;
}

/** The environment a deploy command sets: --set-env-vars (with gcloud's ^DELIM^ escaping) and --set-secrets. */
export function environmentOf(command: Command): { env: Map<string, string>; secrets: Map<string, string> } {
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

export const sorted = (names: Iterable<string>) => [...names].sort();

// ---------------------------------------------------------------------------------------------------------------
// Real mode against a stateful fake gcloud (test/fakes, and a fake Firebase Rules API behind curl).
// ---------------------------------------------------------------------------------------------------------------
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

/** Stops the gcloud help servers and removes the sandbox; for the test file's afterAll. */
export function closeDeployHarness(): void {
  helpServers.forEach((server) => server.close());
  rmSync(SANDBOX, { recursive: true, force: true });
}
