/**
 * A stand-in for `gcloud run services proxy` in front of a console: it listens on 127.0.0.1, forwards every request
 * to the console with Host rewritten to the service's own name and the caller's ID token in `Authorization`, as
 * the Cloud Run proxy does (its director sets both), and passes everything else through, Origin and the browser's
 * Sec-Fetch-* included. It notes each answer's status, since a page cannot read the status of a no-cors request.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunProxy {
  /** `http://localhost:PORT`, the address the analyst's browser opens. */
  url: string;
  /** Each request forwarded and the console's answer, in order. */
  seen: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

export async function startRunProxy(
  target: URL,
  serviceHost: string,
  token: () => string,
): Promise<RunProxy> {
  const seen: RunProxy['seen'] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers, host: serviceHost, authorization: `Bearer ${token()}` };
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers,
      },
      (answer) => {
        seen.push({
          method: incoming.method ?? 'GET',
          path: incoming.url ?? '/',
          status: answer.statusCode ?? 0,
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.once('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    outgoing.once('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
