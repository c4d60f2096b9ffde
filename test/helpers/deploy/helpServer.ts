/**
 * gcloud's --help for one command: from a gcloud process of its own (~1 s of Python each), or from a long-lived
 * help server (~0.1 s each) where the SDK's layout allows one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execFileAsync, OFFLINE_ENV, SANDBOX } from './script.js';

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
export async function startHelpServer(): Promise<HelpServer | undefined> {
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
