/** A registered function served by functions-framework's own test server, on a free port. */
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';

export async function serveFunction(name: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Delivers a storage `finalized` CloudEvent (binary mode) carrying `data` to a served ingest, with any other
 * `headers` (a `traceparent`, as Eventarc sends one); its HTTP status.
 */
export async function postFinalized(
  url: string,
  data: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const bucket = (data as { bucket?: unknown } | null)?.bucket;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': '1',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${typeof bucket === 'string' ? bucket : 'b'}`,
      'ce-subject': 'objects/x',
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(data),
  });
  await response.arrayBuffer();
  return response.status;
}
