/**
 * The set-aside rows' objects in Cloud Storage, opened as a stream for the download (the route checks first
 * that the object is one of this deployment's set-aside objects). A failure is the project's error naming
 * Cloud Storage (a 503 at the edge).
 */
import type { Readable } from 'node:stream';
import type { Storage } from '@google-cloud/storage';
import { serviceError } from '../../shared/errors.js';

/** The object's contents, or undefined when it does not exist. */
export async function openObject(
  storage: Storage,
  bucket: string,
  name: string,
): Promise<Readable | undefined> {
  const file = storage.bucket(bucket).file(name);
  try {
    const [exists] = await file.exists();
    return exists ? file.createReadStream() : undefined;
  } catch (error) {
    throw serviceError('Cloud Storage', error);
  }
}
