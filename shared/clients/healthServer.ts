/**
 * A tiny health endpoint for the long-running processes (router, dispatcher) when HEALTH_PORT is set: the
 * local stack probes it to tell a live, ready process from a dead one.
 */
import { createServer, type Server } from 'node:http';
import { readPort, readVariable } from '../config/variables.js';

export function startHealthServer(port: number | undefined, ready: () => boolean): Server | undefined {
  if (port === undefined) return undefined;
  const server = createServer((_request, response) => {
    const ok = ready();
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'starting\n');
  });
  server.listen(port, '127.0.0.1');
  return server;
}

/** The health endpoint's port, when one is asked for. @throws ConfigError when it is not a TCP port */
export function healthPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return readVariable('HEALTH_PORT', env) === '' ? undefined : readPort('HEALTH_PORT', env);
}
