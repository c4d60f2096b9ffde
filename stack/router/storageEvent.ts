/**
 * What Eventarc does for a Cloud Storage trigger, for the local stack: a fake-gcs-server upload notification
 * (a Pub/Sub message in the JSON_API_V1 payload format) becomes the `google.cloud.storage.object.v1.finalized`
 * CloudEvent in binary mode, with the int64 fields as JSON strings as Google sends them.
 */
import { encodeHeaderValue } from '../../shared/pipeline/cloudEventHeader.js';

export interface StorageNotification {
  id: string;
  attributes: Record<string, string>;
  data: Buffer;
  publishTime: Date;
}

export interface BinaryCloudEvent {
  headers: Record<string, string>;
  body: string;
}

const INT64_FIELDS = ['generation', 'metageneration', 'size'] as const;

/** The CloudEvent for a finalize notification, or undefined for any other notification. */
export function finalizedCloudEvent(notification: StorageNotification): BinaryCloudEvent | undefined {
  if (notification.attributes.eventType !== 'OBJECT_FINALIZE') return undefined;
  const object = JSON.parse(notification.data.toString('utf8')) as Record<string, unknown>;
  const bucket = String(object.bucket ?? notification.attributes.bucketId);
  const name = String(object.name ?? notification.attributes.objectId);
  const data: Record<string, unknown> = { ...object, bucket, name };
  data.generation ??= notification.attributes.objectGeneration;
  for (const field of INT64_FIELDS) if (data[field] !== undefined) data[field] = String(data[field]);
  return {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': notification.id,
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucket}`,
      'ce-subject': encodeHeaderValue(`objects/${name}`),
      'ce-time': String(object.updated ?? object.timeCreated ?? notification.publishTime.toISOString()),
      'content-type': 'application/json',
    },
    body: JSON.stringify(data),
  };
}
