/**
 * The generic process-component machinery, on tiny Node HTTP servers instead of the real components: start in
 * dependency order, pid files and logs, quick second `up`, failures with the log tail, SIGKILL after the stop
 * timeout, and `down` leaving nothing behind.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/freePort.js';

import type { ProcessComponent, StackContext } from '../../../stack/component.js';
import { createStackContext } from '../../../stack/components.js';
import { isProcessGroupAlive, readPidFile } from '../../../stack/pidFile.js';
import { isHttpOk } from '../../../stack/probes.js';
import {
  StackUpError,
  stackDown,
  stackStatus,
  stackUp,
  validateComponents,
} from '../../../stack/orchestrate.js';
import { stackPaths } from '../../../stack/paths.js';

/** A server on `port` that exits at once when `needsPort` is not listening yet (it checks its dependency). */
const SERVER = `
const [port, needsPort, mode] = process.argv.slice(1);
const http = require('node:http');
const net = require('node:net');
if (mode === 'ignore-term') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
if (mode === 'crash') { console.error('boom: cannot start'); process.exit(3); }
const serve = () => http.createServer((req, res) => res.end('ok')).listen(Number(port), '127.0.0.1', () => console.log('listening on', port));
if (needsPort === '0') serve();
else net.connect(Number(needsPort), '127.0.0.1').on('connect', serve).on('error', () => { console.error('dependency down'); process.exit(2); });
`;

function server(
  name: string,
  port: number,
  options: { dependsOn?: ProcessComponent; mode?: 'ignore-term' | 'crash'; events?: string[] } = {},
): ProcessComponent {
  return {
    name,
    command: process.execPath,
    args: ['-e', SERVER, String(port), String(options.dependsOn?.ports[0] ?? 0), options.mode ?? ''],
    ports: [port],
    dependsOn: options.dependsOn ? [options.dependsOn.name] : [],
    startTimeoutMs: 5_000,
    stopTimeoutMs: 500,
    provision: async () => {
      options.events?.push(`${name}:provision`);
    },
    healthCheck: () => isHttpOk(`http://127.0.0.1:${port}/`, { timeoutMs: 500 }),
    ensureResources: async () => {
      options.events?.push(`${name}:ready`);
    },
    envLines: () => [`${name.toUpperCase()}_URL=http://127.0.0.1:${port}`],
  };
}

let dir: string;
let ctx: StackContext;
const logged: string[] = [];
let components: ProcessComponent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stack-test-'));
  ctx = createStackContext({
    env: {},
    paths: stackPaths({ STACK_DIR: dir }),
    log: (line) => logged.push(line),
  });
});

afterEach(async () => {
  await stackDown(components, ctx);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stackUp / stackDown', () => {
  it('starts dependencies first, provisions meanwhile, and a second up is a no-op', async () => {
    const events: string[] = [];
    const base = server('base', await freePort(), { events });
    const other = server('other', await freePort(), { events });
    const dependent = server('dependent', await freePort(), { dependsOn: base, events });
    components = [dependent, base, other];

    const first = await stackUp(components, ctx);
    expect(first.map((r) => [r.name, r.action])).toEqual([
      ['dependent', 'started'],
      ['base', 'started'],
      ['other', 'started'],
    ]);
    // The dependent provisions while its dependency starts, but starts only once that is ready.
    expect(events.indexOf('dependent:provision')).toBeLessThan(events.indexOf('base:ready'));
    expect(events.indexOf('base:ready')).toBeLessThan(events.indexOf('dependent:ready'));

    const record = await readPidFile(ctx.paths.run, 'base');
    expect(record?.pid).toBe(first[1]?.pid);
    expect(await readFile(path.join(ctx.paths.logs, 'base.log'), 'utf8')).toMatch(/listening on/);

    const second = await stackUp(components, ctx);
    expect(second.map((r) => r.action)).toEqual(['running', 'running', 'running']);
    expect(second.map((r) => r.pid)).toEqual(first.map((r) => r.pid));

    const statuses = await stackStatus(components, ctx);
    expect(statuses.map((s) => s.state)).toEqual(['up', 'up', 'up']);

    const down = await stackDown(components, ctx);
    expect(down.every((r) => r.stopped)).toBe(true);
    for (const result of first) expect(isProcessGroupAlive(result.pid as number)).toBe(false);
    expect(existsSync(path.join(ctx.paths.run, 'base.pid'))).toBe(false);
    expect((await stackStatus(components, ctx)).map((s) => s.state)).toEqual(['down', 'down', 'down']);
  });

  it('serializes concurrent ups: the second waits and finds the component running', async () => {
    components = [server('concurrent', await freePort())];
    const [first, second] = await Promise.all([stackUp(components, ctx), stackUp(components, ctx)]);
    expect([first[0]?.action, second[0]?.action].sort()).toEqual(['running', 'started']);
    expect(existsSync(path.join(ctx.paths.run, 'stack.lock'))).toBe(false);
  });

  it('reports a crash with the log tail, and does not start what depends on it', async () => {
    const broken = server('broken', await freePort(), { mode: 'crash' });
    const dependent = server('after-broken', await freePort(), { dependsOn: broken });
    const fine = server('fine', await freePort());
    components = [broken, dependent, fine];

    const error = await stackUp(components, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackUpError);
    const upError = error as StackUpError;
    expect(upError.failures.map((f) => f.name)).toEqual(['broken']);
    expect(upError.failures[0]?.error.message).toMatch(/exited with 3[\s\S]*boom: cannot start/);
    expect(upError.skipped).toEqual(['after-broken']);
    expect(upError.ready.map((r) => r.name)).toEqual(['fine']);
    expect(existsSync(path.join(ctx.paths.run, 'broken.pid'))).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the stop timeout passed', async () => {
    const stubborn = server('stubborn', await freePort(), { mode: 'ignore-term' });
    components = [stubborn];
    const [result] = await stackUp(components, ctx);
    const startedAt = Date.now();
    await stackDown(components, ctx);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
    expect(isProcessGroupAlive(result?.pid as number)).toBe(false);
    expect(await readFile(path.join(ctx.paths.logs, 'stubborn.log'), 'utf8')).toMatch(/ignoring SIGTERM/);
  });

  it('refuses a port held by a process it did not start', async () => {
    const holder = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      components = [server('blocked', port)];
      const error = (await stackUp(components, ctx).catch((e: unknown) => e)) as StackUpError;
      expect(error.failures[0]?.error.message).toMatch(new RegExp(`port ${port} is already taken`));
    } finally {
      holder.close();
    }
  });
});

describe('validateComponents', () => {
  const stub = (name: string, dependsOn: string[] = []): ProcessComponent => ({
    name,
    command: 'true',
    args: [],
    ports: [],
    dependsOn,
    healthCheck: async () => false,
    envLines: () => [],
  });

  it('rejects duplicates, unknown dependencies and cycles', () => {
    expect(() => validateComponents([stub('a'), stub('a')])).toThrow(/two stack components are named 'a'/);
    expect(() => validateComponents([stub('a', ['nope'])])).toThrow(/unknown 'nope'/);
    expect(() => validateComponents([stub('a', ['b']), stub('b', ['a'])])).toThrow(/cycle: a -> b -> a/);
    expect(() => validateComponents([stub('Bad Name')])).toThrow(/lowercase/);
    expect(() => validateComponents([stub('a'), stub('b', ['a'])])).not.toThrow();
  });
});
