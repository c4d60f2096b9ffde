/** The router's conversion: a fake-gcs-server notification becomes the CloudEvent Eventarc would send. */
import { describe, expect, it } from 'vitest';
import { finalizedCloudEvent } from '../../../stack/router/storageEvent.js';

const resource = {
  kind: 'storage#object',
  name: 'incoming/ACME__EQ__NSE__NSE__MINUTE.csv',
  bucket: 'stock-anomalies-local',
  generation: 1795609288003402,
  metageneration: '1',
  size: 1234,
  contentType: 'text/csv',
  timeCreated: '2026-11-25T12:00:00.000Z',
  updated: '2026-11-25T12:00:00.000Z',
};

function notification(attributes: Record<string, string>, data: unknown = resource) {
  return { id: '42', attributes, data: Buffer.from(JSON.stringify(data)), publishTime: new Date(0) };
}

describe('finalizedCloudEvent', () => {
  it('percent-encodes an object name that is not visible ASCII in ce-subject, keeping it whole in the data', () => {
    const name = 'uploads/株式 ✓.csv';
    const event = finalizedCloudEvent(notification({ eventType: 'OBJECT_FINALIZE' }, { ...resource, name }))!;
    expect(event.headers['ce-subject']).toBe('objects/uploads/%E6%A0%AA%E5%BC%8F%20%E2%9C%93.csv');
    expect(() => new Headers(event.headers)).not.toThrow();
    expect(JSON.parse(event.body).name).toBe(name);
  });

  it('builds a binary-mode google.cloud.storage.object.v1.finalized event with int64 fields as strings', () => {
    const event = finalizedCloudEvent(
      notification({
        eventType: 'OBJECT_FINALIZE',
        bucketId: 'stock-anomalies-local',
        objectId: resource.name,
        objectGeneration: '1795609288003402',
        payloadFormat: 'JSON_API_V1',
      }),
    );
    expect(event?.headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': '42',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/stock-anomalies-local',
      'ce-subject': 'objects/incoming/ACME__EQ__NSE__NSE__MINUTE.csv',
      'ce-time': '2026-11-25T12:00:00.000Z',
      'content-type': 'application/json',
    });
    expect(JSON.parse(event!.body)).toMatchObject({
      bucket: 'stock-anomalies-local',
      name: 'incoming/ACME__EQ__NSE__NSE__MINUTE.csv',
      generation: '1795609288003402',
      metageneration: '1',
      size: '1234',
      contentType: 'text/csv',
    });
  });

  it('ignores every other notification', () => {
    expect(finalizedCloudEvent(notification({ eventType: 'OBJECT_DELETE' }))).toBeUndefined();
    expect(finalizedCloudEvent(notification({ eventType: 'OBJECT_METADATA_UPDATE' }))).toBeUndefined();
  });
});
