/**
 * A real browser for the tests in test/browser/: Debian's Chromium driven by playwright-core, which brings no
 * browser of its own (`npx playwright install` would try to download one and fail here).
 *
 * @example
 * const browser = useBrowser(); // launches in beforeAll, closes in afterAll
 * it('shows the title', async () => {
 *   const page = await browser.newPage();
 *   await page.goto(url);
 *   expect(await page.textContent('h1')).toBe('...');
 *   expect(browser.errorsOf(page)).toEqual([]);
 * });
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Where the Debian package puts its launcher; .ci/install-chromium.sh installs it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Chromium's background services (updates, sync, field trials, QUIC) try to reach Google's servers; on a closed
 * network those connections are refused and slow the browser down, so they are off. No GPU on these machines.
 * As root Chromium needs --no-sandbox, which playwright-core adds itself (chromiumSandbox is false by default).
 */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Chromium headless, or throws an error naming the install script when it is missing. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: run .ci/install-chromium.sh ` +
        "(it installs Debian's chromium package; npm test runs it first)",
    );
  }
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (error) {
    throw new Error(`could not start ${executablePath} (reinstall it with .ci/install-chromium.sh)`, {
      cause: error,
    });
  }
}

export interface BrowserSession {
  /** The running browser (only inside tests and hooks: it is launched in beforeAll). */
  readonly browser: Browser;
  /** A page in a fresh context (no shared cookies or storage), 1280×800 at scale 1 unless told otherwise. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** The uncaught exceptions and console errors of a page from newPage, in order. */
  errorsOf(page: Page): string[];
}

/**
 * One browser for the calling test file: launched in beforeAll, closed in afterAll with every context opened
 * through it, whatever the tests did.
 */
export function useBrowser(): BrowserSession {
  let browser: Browser | undefined;
  const errors = new WeakMap<Page, string[]>();

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    const running = browser;
    browser = undefined;
    if (!running) return;
    // close() ends every context and the browser process. Should it hang, say so rather than hold the run;
    // playwright-core also kills the browser when this worker exits.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${CHROMIUM_PATH} did not close within 10 s`)), 10_000);
    });
    try {
      await Promise.race([running.close(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }, 20_000);

  const session: BrowserSession = {
    get browser() {
      if (!browser)
        throw new Error('the browser runs only inside tests and hooks (useBrowser launches it in beforeAll)');
      return browser;
    },
    async newPage(options = {}) {
      const context = await session.browser.newContext({
        viewport: { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        ...options,
      });
      const page = await context.newPage();
      const seen: string[] = [];
      errors.set(page, seen);
      page.on('pageerror', (error) => seen.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const where = message.location().url;
        seen.push(`console.error: ${message.text()}${where ? ` (${where})` : ''}`);
      });
      return page;
    },
    errorsOf(page) {
      const seen = errors.get(page);
      if (!seen) throw new Error("errorsOf: the page did not come from this session's newPage()");
      return seen;
    },
  };
  return session;
}
