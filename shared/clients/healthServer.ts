/**
 * A tiny health endpoint for the long-running processes (router, dispatcher) when HEALTH_PORT is set: the
 * local stack probes it to tell a live, ready process from a dead one.
 */
import { createServer, type Server } from 'node:http';

export function startHealthServer(port: number | undefined, ready: () => boolean): Server | undefined {
  if (port === undefined) return undefined;
  const server = createServer((_request, response) => {
    const ok = ready();
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'starting\n');
  });
  server.listen(port, '127.0.0.1');
  return server;
}

export function healthPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env.HEALTH_PORT ? Number(env.HEALTH_PORT) : undefined;
}
