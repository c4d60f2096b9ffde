/** ingest, through functions-framework, with Eventarc's storage CloudEvent; which objects it takes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setIngestDependencies } from '../../../functions/ingest/index.js';
import type { IngestDependencies } from '../../../functions/ingest/ingestObject.js';
import { skipReason } from '../../../shared/pipeline/objectFilter.js';
import { serveFunction } from '../../helpers/functionServer.js';

let server: { url: string; close: () => Promise<void> };
const opened: string[] = [];

beforeAll(async () => {
  server = await serveFunction('ingest');
  // Any attempt to ingest shows up here; the skip cases must never get this far.
  setIngestDependencies({
    openObject: ({ name }: { name: string }) => {
      opened.push(name);
      throw new Error('not in this test');
    },
  } as unknown as IngestDependencies);
});
afterAll(async () => {
  setIngestDependencies(undefined);
  await server.close();
});

async function post(data: unknown): Promise<number> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': '1',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/b',
      'ce-subject': 'objects/x',
      'content-type': 'application/json',
    },
    body: JSON.stringify(data),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('ingest', () => {
  it.each([
    ['quarantine/ACME.csv@1.csv', 'in the quarantine prefix'],
    ['notes.txt', 'not a .csv or .csv.gz object'],
    ['ACME.csv.zip', 'not a .csv or .csv.gz object'],
  ])('skips %j (%s) with a 2xx and does nothing', async (name, reason) => {
    expect(skipReason(name, {})).toBe(reason);
    expect(await post({ bucket: 'b', name, generation: '1', size: '10' })).toBe(204);
    expect(opened).toEqual([]);
  });

  it('skips objects outside a configured upload prefix', () => {
    expect(skipReason('other/ACME.csv', { UPLOAD_PREFIX: 'incoming/' })).toBe(
      "outside the upload prefix 'incoming/'",
    );
    expect(skipReason('incoming/ACME.csv.gz', { UPLOAD_PREFIX: 'incoming/' })).toBeUndefined();
  });

  it('answers 500 for an event that is not a storage object event', async () => {
    expect(await post({ bucket: 'b' })).toBe(500);
  });
});
