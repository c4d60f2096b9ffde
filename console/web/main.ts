/**
 * The console's entry point: the frame (navigation, live indicator, keyboard help, the about footer with the
 * chart library's notice), and the hash router that mounts one page module at a time, each with an AbortSignal
 * that the next navigation aborts (page.ts).
 */
import { alertPage } from './alertPage.js';
import { alertsPage } from './alertsPage.js';
import { loadMeta } from './context.js';
import { h, replace } from './dom.js';
import { episodePage } from './episodePage.js';
import { episodesPage } from './episodesPage.js';
import { startEvents } from './events.js';
import { healthPage } from './healthPage.js';
import { ingestionsPage } from './ingestionsPage.js';
import { installKeyboard, setPageKeys, toggleHelp } from './keyboard.js';
import { rememberRoute } from './nav.js';
import { setTitle, type PageFactory } from './page.js';
import { parseHash, type Route } from './hashRoutes.js';

/** lightweight-charts' NOTICE (Apache-2.0 asks for it on the page), with the year of the bundled 5.2.1. */
export const CHART_NOTICE =
  'TradingView Lightweight Charts™ Copyright (c) 2026 TradingView, Inc. https://www.tradingview.com/';

const pages: Record<Route['page'], PageFactory> = {
  episodes: episodesPage,
  alerts: alertsPage,
  episode: episodePage,
  alert: alertPage,
  ingestions: ingestionsPage,
  health: healthPage,
  notFound: (root) => {
    setTitle('Not found');
    setPageKeys([]);
    replace(
      root,
      h(
        'section',
        { class: 'not-found' },
        h('h1', {}, 'No such page'),
        h('p', {}, 'Try ', h('a', { href: '#/episodes' }, 'the episodes'), '.'),
      ),
    );
  },
};

const NAV: [Route['page'], string, string, string][] = [
  ['episodes', '#/episodes', 'Episodes', 'g e'],
  ['alerts', '#/alerts', 'Alerts', 'g a'],
  ['ingestions', '#/ingestions', 'Ingestions', 'g i'],
  ['health', '#/health', 'Health', 'g h'],
];

function section(page: Route['page']): Route['page'] {
  return page === 'episode' ? 'episodes' : page === 'alert' ? 'alerts' : page;
}

async function start(): Promise<void> {
  const app = document.getElementById('app');
  if (app === null) throw new Error('index.html has no #app');
  const live = h(
    'span',
    { class: 'live', 'data-testid': 'live', title: 'live updates: connecting' },
    'connecting',
  );
  const navLinks = NAV.map(([page, target, text, keys]) =>
    h('a', { href: target, 'data-page': page, 'aria-keyshortcuts': keys.replace(' ', '+') }, text),
  );
  const user = h('span', { class: 'user', 'data-testid': 'user' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const help = h('div', {
    class: 'help',
    role: 'dialog',
    'aria-modal': 'true',
    'aria-labelledby': 'help-title',
    'data-testid': 'help',
  });
  const version = h('span', { class: 'version' });
  replace(
    app,
    h(
      'a',
      { class: 'skip', href: '#main', onclick: (e: Event) => (e.preventDefault(), main.focus()) },
      'Skip to content',
    ),
    h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/episodes' }, 'stock-anomalies'),
      h('nav', { class: 'sections', 'aria-label': 'Sections' }, navLinks),
      h(
        'div',
        { class: 'top-right' },
        live,
        user,
        h(
          'button',
          {
            type: 'button',
            class: 'keys-button',
            'data-testid': 'keys-button',
            onclick: () => toggleHelp(true),
            'aria-keyshortcuts': '?',
          },
          '?',
        ),
      ),
    ),
    main,
    h(
      'footer',
      { class: 'about', 'data-testid': 'about' },
      h('span', {}, 'stock-anomalies console ', version),
      h('span', {}, 'Times in the exchange zone. Press ', h('kbd', {}, '?'), ' for keys.'),
      h(
        'span',
        { class: 'notice', 'data-testid': 'chart-notice' },
        'Charts: ',
        h(
          'a',
          { href: 'https://www.tradingview.com/', rel: 'noopener noreferrer', target: '_blank' },
          'TradingView Lightweight Charts™',
        ),
        ` ${CHART_NOTICE.replace('TradingView Lightweight Charts™ ', '')}`,
      ),
    ),
    help,
  );

  installKeyboard(
    [
      { keys: ['?'], label: 'show these keys', run: () => toggleHelp(true) },
      ...NAV.map(([, target, text, keys]) => ({
        keys: [keys],
        label: text,
        run: () => (location.hash = target),
      })),
    ],
    help,
  );

  startEvents((isLive) => {
    live.textContent = isLive ? 'live' : 'reconnecting';
    live.classList.toggle('on', isLive);
    live.title = isLive ? 'live updates: connected' : 'live updates: reconnecting';
  });

  // No page before the meta: it names the zone every time is shown in.
  const meta = await loadMeta((error) =>
    replace(
      main,
      h(
        'p',
        { class: 'loading' },
        'Waiting for the console server: ',
        error instanceof Error ? error.message : String(error),
      ),
    ),
  );
  user.textContent = meta.user;
  version.textContent = meta.version;

  let current: AbortController | null = null;
  const route = () => {
    const parsed = parseHash(location.hash);
    rememberRoute();
    // Everything the page shown made stops: its requests, timers, feed listener and chart.
    current?.abort();
    current = new AbortController();
    setPageKeys([]);
    for (const link of navLinks) {
      if (link.dataset.page === section(parsed.page)) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    // The focus stays on a navigation link the analyst used; anywhere else (the old page, about to go) it
    // moves to the page, so that the keys and the screen reader start there.
    const active = document.activeElement;
    if (active === null || active === document.body || main.contains(active))
      main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    pages[parsed.page](main, parsed, current.signal);
  };
  window.addEventListener('hashchange', route);
  route();
}

void start();
