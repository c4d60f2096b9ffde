/** Health probes shared by the components. They answer false rather than throw, and give up quickly. */
import net from 'node:net';

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a GET on `url` answers with a status in [200, 300) (or the one given) within the timeout. */
export async function isHttpOk(
  url: string,
  { timeoutMs = 2000, accept = (status: number) => status >= 200 && status < 300 } = {},
): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return accept(response.status);
  } catch {
    return false;
  }
}
