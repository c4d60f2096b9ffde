/**
 * The browser test set-up itself: Chromium starts (test/helpers/browser.ts), loads a page from a local HTTP
 * server, runs its script, and draws what the page draws, checked in the DOM, on a canvas and in a screenshot.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, useBrowser } from '../helpers/browser.js';

/** A colour no default style produces, so finding it proves the page drew it. */
const SWATCH = { r: 18, g: 164, b: 91 };
const SWATCH_BOX = { left: 40, top: 60, size: 32 };

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>browser smoke</title><link rel="icon" href="data:,">
<style>body { margin: 0; background: #fff; font-family: sans-serif; }
canvas { position: absolute; left: ${SWATCH_BOX.left}px; top: ${SWATCH_BOX.top}px; }</style></head>
<body>
<h1 id="title">stock-anomalies</h1>
<p id="status">loading</p>
<canvas id="swatch" width="${SWATCH_BOX.size}" height="${SWATCH_BOX.size}"></canvas>
<script type="module">
  const canvas = document.getElementById('swatch');
  const context = canvas.getContext('2d');
  context.fillStyle = 'rgb(${SWATCH.r}, ${SWATCH.g}, ${SWATCH.b})';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const served = await (await fetch('/data.json')).json();
  document.getElementById('status').textContent = 'ready: ' + served.alerts + ' alerts';
</script>
</body>
</html>`;

const browser = useBrowser();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (request.url === '/data.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ alerts: 3 }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** The RGB of one pixel of a PNG, decoded by the browser (Node has no PNG decoder). */
async function pngPixel(page: import('playwright-core').Page, png: Buffer, x: number, y: number) {
  return page.evaluate(
    async ({ base64, x, y }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const [r, g, b] = context.getImageData(x, y, 1, 1).data;
      return { r, g, b, width: image.width, height: image.height };
    },
    { base64: png.toString('base64'), x, y },
  );
}

describe('a page in Chromium', () => {
  it('runs the page script, fetches from its server, and shows the text it sets', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading');
    expect(await page.textContent('#title')).toBe('stock-anomalies');
    expect(await page.textContent('#status')).toBe('ready: 3 alerts');
    expect(await page.title()).toBe('browser smoke');
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('draws the canvas and takes a screenshot with its pixels', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 200 } });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading');

    // The canvas holds exactly the colour the script drew.
    const drawn = await page.evaluate(() => {
      const canvas = document.getElementById('swatch') as HTMLCanvasElement;
      const [r, g, b, a] = canvas.getContext('2d')!.getImageData(16, 16, 1, 1).data;
      return { r, g, b, a };
    });
    expect(drawn).toEqual({ ...SWATCH, a: 255 });

    // The screenshot is a PNG of the viewport, with the swatch where the page put it and white elsewhere.
    const png = await page.screenshot();
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const inside = await pngPixel(page, png, SWATCH_BOX.left + 16, SWATCH_BOX.top + 16);
    expect({ width: inside.width, height: inside.height }).toEqual({ width: 320, height: 200 });
    for (const channel of ['r', 'g', 'b'] as const) {
      expect(Math.abs(inside[channel]! - SWATCH[channel]), channel).toBeLessThanOrEqual(2);
    }
    const outside = await pngPixel(page, png, 300, 190);
    expect([outside.r, outside.g, outside.b]).toEqual([255, 255, 255]);
    expect(browser.errorsOf(page)).toEqual([]);
  });

  it('reports uncaught page errors', async () => {
    const page = await browser.newPage();
    await page.setContent('<script>setTimeout(() => { throw new Error("boom"); })</script>');
    await expect.poll(() => browser.errorsOf(page)).toEqual(['uncaught: boom']);
  });

  it('names the install script when Chromium is missing', async () => {
    await expect(launchBrowser('/nonexistent/chromium')).rejects.toThrow(
      'Chromium is not installed at /nonexistent/chromium: run .ci/install-chromium.sh',
    );
  });
});
