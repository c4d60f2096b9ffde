/**
 * The console's request handling logs through the one structured logger: an entry about a request names it
 * (method and path) and carries its trace; a bug is an ERROR with its stack, a service down a
 * WARNING, what a handler decided (a 404) nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleRequestListener } from '../../../../console/server/app.js';
import type { ConsoleParts } from '../../../../console/server/routes.js';
import { consoleSettingsFromEnv } from '../../../../console/server/settings.js';
import { serviceError } from '../../../../shared/errors.js';
import { createLogger } from '../../../../shared/logging/logger.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

let server: Server;
let base: string;
let lines: Record<string, unknown>[];
let health: () => Promise<never>;

beforeEach(async () => {
  lines = [];
  const logger = createLogger('console', {
    project: 'proj',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const parts = {
    // Any Host: the server listens on a port of the system's choosing.
    settings: { ...consoleSettingsFromEnv({ CONSOLE_USER: 'ana' }), allowedHosts: undefined },
    health: () => health(),
  } as unknown as ConsoleParts;
  server = createServer(consoleRequestListener(parts, logger));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const traced = { traceparent: `00-${TRACE}-${SPAN}-01` };

describe('consoleRequestListener: its log entries', () => {
  it('logs a bug as an ERROR naming the request, with its trace and its stack', async () => {
    health = () => Promise.reject(new Error('boom'));
    const response = await fetch(`${base}/api/health`, { headers: traced });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error (logged)' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: 'ERROR',
      message: '500: internal error',
      component: 'console',
      method: 'GET',
      path: '/api/health',
      status: 500,
      error: { name: 'Error', message: 'Error: boom' },
      'logging.googleapis.com/trace': `projects/proj/traces/${TRACE}`,
      'logging.googleapis.com/spanId': SPAN,
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(lines[0]!.stack_trace).toContain('Error: boom');
  });

  it('logs a service down as a WARNING naming the request; without trace headers, no trace', async () => {
    health = () => Promise.reject(serviceError('Firestore', new Error('unavailable')));
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(503);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ severity: 'WARNING', method: 'GET', path: '/api/health', status: 503 });
    expect(lines[0]!.message).toMatch(/^503: /);
    expect(lines[0]).not.toHaveProperty('logging.googleapis.com/trace');
  });

  it('logs nothing for what a handler decided (404)', async () => {
    const response = await fetch(`${base}/api/nothing`, { headers: traced });
    expect(response.status).toBe(404);
    expect(lines).toEqual([]);
  });
});
