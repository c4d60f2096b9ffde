/**
 * A minimal Kafka ApiVersions (key 18, v0) request over a raw socket. It serves as the broker's health check
 * (an answer means the broker speaks its protocol, not just that the port is open) and lets the integration test
 * compare the version ranges the broker accepts with those kafkajs sends (KIP-896 removed old versions in 4.0).
 */
import net from 'node:net';

export interface ApiVersionRange {
  readonly min: number;
  readonly max: number;
}

const API_VERSIONS_KEY = 18;

/** The broker's supported version range per API key. Rejects on error, timeout or a non-zero error code. */
export function requestApiVersions(
  host: string,
  port: number,
  timeoutMs = 2000,
): Promise<Map<number, ApiVersionRange>> {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('stack-health');
    // Request header v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string.
    const body = Buffer.alloc(10 + clientId.length);
    body.writeInt16BE(API_VERSIONS_KEY, 0);
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4);
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length, 0);

    let received = Buffer.alloc(0);
    const socket = net.connect({ host, port }, () => socket.write(Buffer.concat([size, body])));
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no ApiVersions answer from ${host}:${port}`)));
    socket.once('error', fail);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      try {
        resolve(parseApiVersionsV0(received.subarray(4)));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** Response v0: correlation_id int32, error_code int16, [api_key int16, min_version int16, max_version int16]. */
function parseApiVersionsV0(response: Buffer): Map<number, ApiVersionRange> {
  const errorCode = response.readInt16BE(4);
  if (errorCode !== 0) throw new Error(`ApiVersions answered error code ${errorCode}`);
  const count = response.readInt32BE(6);
  const ranges = new Map<number, ApiVersionRange>();
  for (let i = 0, offset = 10; i < count; i++, offset += 6) {
    ranges.set(response.readInt16BE(offset), {
      min: response.readInt16BE(offset + 2),
      max: response.readInt16BE(offset + 4),
    });
  }
  return ranges;
}

/** True when the broker answers ApiVersions. */
export async function isKafkaHealthy(host: string, port: number): Promise<boolean> {
  try {
    return (await requestApiVersions(host, port)).size > 0;
  } catch {
    return false;
  }
}
