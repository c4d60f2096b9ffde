/**
 * The front end's files: dist/console/web/ at / (index.html for /), and the chart library at
 * /vendor/lightweight-charts.js. A path outside the folder, or hidden, is not served. When the front end
 * has not been built, / answers a one-line placeholder.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { SECURITY_HEADERS } from './respond.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const PLACEHOLDER = 'The console web app is not built yet (dist/console/web/ is missing).\n';

export interface StaticFiles {
  webRoot: string;
  chartLibrary: string;
}

/** The file a request path names, or undefined for none that may be served. */
export function staticPath(files: StaticFiles, urlPath: string): string | undefined {
  if (urlPath === '/vendor/lightweight-charts.js') return files.chartLibrary;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(files.webRoot, relative);
  return file.startsWith(path.resolve(files.webRoot) + path.sep) ? file : undefined;
}

/** Serves the file; false when there is none (the caller answers 404). */
export async function serveStatic(
  files: StaticFiles,
  urlPath: string,
  head: boolean,
  response: ServerResponse,
): Promise<boolean> {
  const file = staticPath(files, urlPath);
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || info === undefined || !info.isFile()) {
    if (urlPath !== '/') return false;
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    response.end(head ? undefined : PLACEHOLDER);
    return true;
  }
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': 'no-cache',
  });
  if (head) response.end();
  else createReadStream(file).pipe(response);
  return true;
}
