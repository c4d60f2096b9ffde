/**
 * Runs deploy.sh offline, in a sandbox with no login, no configured project and no network, and reads the
 * commands it prints (the deploy tests in test/unit/deploy/).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
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

export const sorted = (names: Iterable<string>) => [...names].sort();
