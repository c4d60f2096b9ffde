/**
 * The list pages' view (alerts and episodes take the same filters, docs/console-api.md): a filter bar bound to
 * the URL, the matching total, a table paged on the server, the list keys, and the banner of new rows. The
 * state and its actions are listCtrl.ts's; this draws it whenever it changes and hands it the analyst's input.
 */
import type { Page } from '../api/contract.js';
import { STATUSES, type ListQuery } from './api.js';
import { context } from './context.js';
import { append, errorBox, h, replace } from './dom.js';
import { onChange } from './events.js';
import type { FilterKey } from './filters.js';
import { formatCount } from './format.js';
import { setPageKeys } from './keyboard.js';
import { ListCtrl } from './listCtrl.js';
import { rowTable, type Column } from './table.js';

export interface ListSpec<T> {
  kind: 'alerts' | 'episodes';
  title: string;
  noun: [singular: string, plural: string];
  fetch: (query: ListQuery, signal: AbortSignal) => Promise<Page<T>>;
  columns: () => Column<T>[];
  href: (row: T) => string;
  label: (row: T) => string;
  id: (row: T) => string;
  /** What "newest" sorts by, for the sort control's label. */
  newestLabel: string;
}

export function listView<T>(
  root: HTMLElement,
  params: URLSearchParams,
  spec: ListSpec<T>,
  signal: AbortSignal,
): void {
  const ctrl: ListCtrl<T> = new ListCtrl<T>(
    params,
    {
      fetch: spec.fetch,
      id: spec.id,
      timeZone: () => context.timeZone,
      replaceUrl: (next) => {
        const search = next.toString();
        history.replaceState(null, '', `#/${spec.kind}${search === '' ? '' : `?${search}`}`);
      },
    },
    signal,
    () => draw(),
  );

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
    onclick: () => void ctrl.firstPage(),
  });
  const prevButton = h(
    'button',
    { type: 'button', 'data-testid': 'prev-page', onclick: () => void ctrl.previousPage() },
    '← Previous',
  );
  const nextButton = h(
    'button',
    { type: 'button', 'data-testid': 'next-page', onclick: () => void ctrl.nextPage() },
    'Next →',
  );

  const filterSlot = h('div', { class: 'filter-slot' }, buildFilters());
  const section = h(
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
  );
  replace(root, section);

  /** The page drawn last: a change of anything else (loading, an error, the banner) leaves the rows alone. */
  let drawnPage: Page<T> | null = null;

  function draw(): void {
    if (ctrl.loading) section.setAttribute('aria-busy', 'true');
    else section.removeAttribute('aria-busy');
    const { error, page } = ctrl;
    if (error !== null) {
      replace(status, errorBox(`${error.message}${error.retrying ? ' — trying again…' : ''}`));
    } else if (page !== null) {
      replace(status);
    }
    if (page !== null && page !== drawnPage) {
      drawnPage = page;
      table.draw(ctrl.rows, ctrl.selected, ctrl.focusSelected);
      totalText.textContent = `${formatCount(page.total)} ${page.total === 1 ? spec.noun[0] : spec.noun[1]}`;
      rangeText.textContent =
        page.items.length === 0
          ? ''
          : `showing ${formatCount(ctrl.start + 1)}–${formatCount(ctrl.start + page.items.length)} · page ${ctrl.pageIndex + 1}`;
      prevButton.disabled = !ctrl.canPrevious;
      nextButton.disabled = !ctrl.canNext;
    }
    banner.hidden = ctrl.newRows === 0;
    if (ctrl.newRows > 0) banner.textContent = `${formatCount(ctrl.newRows)} new — show`;
  }

  /** A key moved the selection: the row takes the focus. */
  function moveSelection(delta: number): void {
    ctrl.move(delta);
    if (ctrl.selected >= 0) table.select(ctrl.selected);
  }

  function buildFilters(): HTMLElement {
    const current = ctrl.params;
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
      control.addEventListener('change', () => void ctrl.setFilter(key, control.value));
      return control;
    };
    const input = (key: FilterKey, attrs: Record<string, string>) => {
      const control = h('input', { name: key, 'data-testid': `filter-${key}`, ...attrs });
      control.value = current.get(key) ?? '';
      control.addEventListener('change', () => void ctrl.setFilter(key, control.value.trim()));
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
          ['', 'suspicion score'],
          ['newest', `newest (${spec.newestLabel})`],
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
      field(
        'Min score',
        input('minScore', { type: 'number', step: 'any', min: '0', max: '100', placeholder: '0' }),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'filter-clear',
          onclick: () => {
            void ctrl.clearFilters();
            replace(filterSlot, buildFilters());
          },
        },
        'Clear',
      ),
    );
  }

  onChange(() => void ctrl.changed(), signal);

  setPageKeys([
    { keys: ['j', 'ArrowDown'], label: 'next row', run: () => moveSelection(1) },
    { keys: ['k', 'ArrowUp'], label: 'previous row', run: () => moveSelection(-1) },
    { keys: ['Enter'], label: 'open the row', run: () => table.open() },
    { keys: ['n'], label: 'next page', run: () => void ctrl.nextPage() },
    { keys: ['p'], label: 'previous page', run: () => void ctrl.previousPage() },
    {
      keys: ['/'],
      label: 'filters',
      run: () => filterSlot.querySelector<HTMLElement>('select, input')?.focus(),
    },
  ]);

  void ctrl.load();
}
