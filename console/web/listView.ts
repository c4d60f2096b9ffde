/**
 * The list pages' shared body (alerts and episodes take the same filters, docs/console-api.md): a filter bar bound to the
 * URL, the matching total, a table paged on the server (a stack of cursors for "previous"), the list keys, and
 * live updates from /api/events: on the first page the list refreshes itself; further on, a banner says how
 * many new ones match and takes you to them.
 */
import type { Page } from '../api/contract.js';
import { ApiError, isRetriable, RETRY_MS, STATUSES, type ListQuery } from './api.js';
import { context } from './context.js';
import { append, errorBox, h, replace } from './dom.js';
import { onChange } from './events.js';
import { queryFromParams, withFilter, type FilterKey } from './filters.js';
import { formatCount } from './format.js';
import { setPageKeys } from './keyboard.js';
import type { PageHandle } from './page.js';
import { rowTable, type Column } from './table.js';

export interface ListSpec<T> {
  kind: 'alerts' | 'episodes';
  title: string;
  noun: [singular: string, plural: string];
  fetch: (query: ListQuery) => Promise<Page<T>>;
  columns: () => Column<T>[];
  href: (row: T) => string;
  label: (row: T) => string;
  id: (row: T) => string;
  /** What "newest" sorts by, for the sort control's label. */
  newestLabel: string;
}

const DEFAULT_LIMIT = 50;

export function listView<T>(root: HTMLElement, params: URLSearchParams, spec: ListSpec<T>): PageHandle {
  let current = new URLSearchParams(params);
  let cursors: (string | undefined)[] = [undefined];
  let page: Page<T> | null = null;
  let loading = 0;
  let unmounted = false;

  const table = rowTable<T>({
    columns: spec.columns(),
    href: spec.href,
    label: spec.label,
    id: spec.id,
    testid: spec.kind === 'alerts' ? 'alert' : 'episode',
    empty: `No ${spec.noun[1]} match these filters.`,
    caption: spec.title,
  });

  const totalText = h('span', { class: 'total', 'data-testid': 'total', 'aria-live': 'polite' }, '…');
  const rangeText = h('span', { class: 'range', 'data-testid': 'range' });
  const status = h('div', { class: 'list-status' });
  const banner = h('button', {
    type: 'button',
    class: 'new-banner',
    'data-testid': 'new-banner',
    hidden: true,
    onclick: () => void firstPage(),
  });
  const prevButton = h(
    'button',
    { type: 'button', 'data-testid': 'prev-page', onclick: () => void previousPage() },
    '← Previous',
  );
  const nextButton = h(
    'button',
    { type: 'button', 'data-testid': 'next-page', onclick: () => void nextPage() },
    'Next →',
  );

  const filterSlot = h('div', { class: 'filter-slot' }, buildFilters());
  replace(
    root,
    h(
      'section',
      { class: `list list-${spec.kind}`, 'aria-labelledby': 'page-title' },
      h(
        'header',
        { class: 'page-head' },
        h('h1', { id: 'page-title' }, spec.title),
        h('div', { class: 'counts' }, totalText, rangeText),
      ),
      filterSlot,
      banner,
      status,
      table.element,
      h('nav', { class: 'pager', 'aria-label': 'Pages' }, prevButton, nextButton),
    ),
  );

  function limit(): number {
    const value = Number(current.get('limit'));
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_LIMIT;
  }

  function query(after?: string): ListQuery {
    return { ...queryFromParams(current, context.timeZone), after };
  }

  async function load(options: { keepSelection?: boolean; focus?: boolean } = {}): Promise<void> {
    const ticket = ++loading;
    root.querySelector('.list')?.setAttribute('aria-busy', 'true');
    try {
      const index = cursors.length - 1;
      const result = await spec.fetch(query(cursors[index]));
      if (ticket !== loading || unmounted) return;
      page = result;
      replace(status);
      const selected = options.keepSelection ? table.selected() : undefined;
      table.setRows(result.items, selected === undefined ? undefined : spec.id(selected));
      if (options.focus && result.items.length > 0 && !options.keepSelection) table.select(0);
      const start = index * limit();
      totalText.textContent = `${formatCount(result.total)} ${result.total === 1 ? spec.noun[0] : spec.noun[1]}`;
      rangeText.textContent =
        result.items.length === 0
          ? ''
          : `showing ${formatCount(start + 1)}–${formatCount(start + result.items.length)} · page ${index + 1}`;
      prevButton.disabled = index === 0;
      nextButton.disabled = result.next === undefined;
      if (index === 0) banner.hidden = true;
    } catch (error) {
      if (ticket !== loading || unmounted) return;
      const retrying = isRetriable(error);
      replace(
        status,
        errorBox(
          `${error instanceof ApiError ? error.message : String(error)}${retrying ? ' — trying again…' : ''}`,
        ),
      );
      if (retrying) window.setTimeout(() => ticket === loading && !unmounted && void load(options), RETRY_MS);
    } finally {
      if (ticket === loading) root.querySelector('.list')?.removeAttribute('aria-busy');
    }
  }

  async function nextPage(): Promise<void> {
    if (page?.next === undefined) return;
    cursors = [...cursors, page.next];
    await load({ focus: true });
  }

  async function previousPage(): Promise<void> {
    if (cursors.length <= 1) return;
    cursors = cursors.slice(0, -1);
    await load({ focus: true });
  }

  async function firstPage(): Promise<void> {
    cursors = [undefined];
    banner.hidden = true;
    await load({ focus: true });
  }

  function applyParams(next: URLSearchParams): void {
    current = next;
    const search = current.toString();
    history.replaceState(null, '', `#/${spec.kind}${search === '' ? '' : `?${search}`}`);
    cursors = [undefined];
    void load();
  }

  function setFilter(key: FilterKey, value: string): void {
    applyParams(withFilter(current, key, value));
  }

  function buildFilters(): HTMLElement {
    const symbols = context.meta?.symbols ?? [];
    const field = (label: string, control: HTMLElement) =>
      h('label', { class: 'field' }, h('span', {}, label), control);
    const select = (key: FilterKey, options: [string, string][]) => {
      const control = h(
        'select',
        { name: key, 'data-testid': `filter-${key}` },
        options.map(([value, text]) => h('option', { value }, text)),
      );
      control.value = current.get(key) ?? '';
      if (control.value !== (current.get(key) ?? '')) {
        append(control, [h('option', { value: current.get(key) ?? '' }, current.get(key) ?? '')]);
        control.value = current.get(key) ?? '';
      }
      control.addEventListener('change', () => setFilter(key, control.value));
      return control;
    };
    const input = (key: FilterKey, attrs: Record<string, string>) => {
      const control = h('input', { name: key, 'data-testid': `filter-${key}`, ...attrs });
      control.value = current.get(key) ?? '';
      control.addEventListener('change', () => setFilter(key, control.value.trim()));
      return control;
    };
    const symbolControl =
      symbols.length > 0
        ? select('symbol', [['', 'all'], ...symbols.map((symbol): [string, string] => [symbol, symbol])])
        : input('symbol', { type: 'text', placeholder: 'any', size: '10', autocomplete: 'off' });
    return h(
      'form',
      {
        class: 'filters',
        'aria-label': 'Filters',
        'data-testid': 'filters',
        onsubmit: (event: Event) => event.preventDefault(),
      },
      field(
        'Sort',
        select('sort', [
          ['', `newest (${spec.newestLabel})`],
          ['severity', 'most severe'],
        ]),
      ),
      field('Symbol', symbolControl),
      field(
        'Rule',
        select('rule', [
          ['', 'any'],
          ['A1', 'A1 price'],
          ['A2', 'A2 volume'],
        ]),
      ),
      field('From', input('from', { type: 'date' })),
      field('To', input('to', { type: 'date' })),
      field('Status', select('status', [['', 'any'], ...STATUSES.map((s): [string, string] => [s, s])])),
      field(
        'Min severity',
        input('minSeverity', { type: 'number', step: 'any', min: '0', placeholder: '0' }),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'filter-clear',
          onclick: () => {
            const keepLimit = current.get('limit');
            applyParams(new URLSearchParams(keepLimit ? { limit: keepLimit } : {}));
            replace(filterSlot, buildFilters());
          },
        },
        'Clear',
      ),
    );
  }

  // Live updates: a change refreshes the first page in place; further on, count what is new for these filters.
  let following = false;
  let again = false;
  async function follow(): Promise<void> {
    if (following) {
      again = true;
      return;
    }
    following = true;
    try {
      do {
        again = false;
        if (unmounted) return;
        if (cursors.length === 1) {
          await load({ keepSelection: true });
        } else {
          try {
            const probe = await spec.fetch({ ...query(), limit: 1 });
            const added = probe.total - (page?.total ?? probe.total);
            if (added > 0 && !unmounted && cursors.length > 1) {
              banner.textContent = `${formatCount(added)} new — show`;
              banner.hidden = false;
            }
          } catch {
            // The next change tries again.
          }
        }
      } while (again);
    } finally {
      following = false;
    }
  }
  const stopEvents = onChange(() => void follow());

  setPageKeys([
    { keys: ['j', 'ArrowDown'], label: 'next row', run: () => table.move(1) },
    { keys: ['k', 'ArrowUp'], label: 'previous row', run: () => table.move(-1) },
    { keys: ['Enter'], label: 'open the row', run: () => table.open() },
    { keys: ['n'], label: 'next page', run: () => void nextPage() },
    { keys: ['p'], label: 'previous page', run: () => void previousPage() },
    {
      keys: ['/'],
      label: 'filters',
      run: () => filterSlot.querySelector<HTMLElement>('select, input')?.focus(),
    },
  ]);

  void load();
  return {
    unmount() {
      unmounted = true;
      stopEvents();
    },
  };
}
