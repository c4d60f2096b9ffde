/**
 * The package the functions and the images are deployed from: the sources gcloud would upload build, the
 * package main registers the entry points deploy.sh names; and shellcheck finds nothing in deploy.sh.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRuns, type Configuration } from '../../helpers/deploy/dryRuns.js';
import { componentCommands } from '../../helpers/deploy/environments.js';
import { closeDeployHarness } from '../../helpers/deploy/gcloudHelp.js';
import {
  execFileAsync,
  flagValue,
  OFFLINE_ENV,
  ROOT,
  SANDBOX,
  sorted,
  type ScriptRun,
} from '../../helpers/deploy/script.js';

afterAll(closeDeployHarness);

let runs: Record<Configuration, ScriptRun>;

beforeAll(async () => {
  ({ runs } = await dryRuns(['managed']));
}, 120_000);

describe('the deployed package', () => {
  it('builds from exactly the uploaded sources and registers the entry points deploy.sh names', async () => {
    const entryPoints = [...componentCommands(runs.managed.commands).entries()]
      .filter(([component]) => component !== 'dispatcher' && component !== 'console')
      .map(([, command]) => flagValue(command.words, 'entry-point')!);
    expect(sorted(entryPoints)).toEqual(['detect', 'escalate', 'ingest', 'notify']);

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
