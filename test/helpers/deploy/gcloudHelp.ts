/**
 * Checks gcloud command lines against the installed gcloud's --help, parsed and cached per command, from the
 * help servers (one per core) or gcloud processes (DEPLOY_TEST_HELP=process forces the latter).
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { helpProcess, startHelpServer, type HelpOutput, type HelpServer } from './helpServer.js';
import { leadingWords, SANDBOX, type Command } from './script.js';

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

/** Stops the gcloud help servers and removes the sandbox; for each deploy test file's afterAll. */
export function closeDeployHarness(): void {
  helpServers.forEach((server) => server.close());
  rmSync(SANDBOX, { recursive: true, force: true });
}
