/**
 * A dense table whose rows open a page, usable without a mouse: each row's first cell is a real link (Tab
 * reaches it, Enter opens it, a screen reader names it by its aria-label), j/k or ↓/↑ move the selection and
 * the focus with it, and a click anywhere on a row opens it too.
 */
import { h, replace } from './dom.js';
import { clampedIndex, steppedIndex } from './selection.js';

export interface Column<T> {
  header: string | Node;
  cell: (row: T) => Node | string | (Node | string)[];
  class?: string;
}

export interface RowTableOptions<T> {
  columns: Column<T>[];
  /** Where a row leads. */
  href: (row: T) => string;
  /** How a row's link is read out. */
  label: (row: T) => string;
  id: (row: T) => string;
  testid: string;
  empty: string;
  caption?: string;
}

export interface RowTable<T> {
  readonly element: HTMLElement;
  setRows(rows: T[], keepId?: string): void;
  /**
   * Draws `rows` with the row at `selected` selected (-1: none), as a page's state says (listCtrl.ts); the
   * focus goes to it when `focus` says so, or when it was in the table.
   */
  draw(rows: T[], selected: number, focus: boolean): void;
  /** The selected row, if any. */
  selected(): T | undefined;
  move(delta: number): void;
  select(index: number, focus?: boolean): void;
  open(): void;
  rows(): T[];
}

export function rowTable<T>(options: RowTableOptions<T>): RowTable<T> {
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'grid', 'data-testid': `${options.testid}-table` },
    options.caption ? h('caption', { class: 'visually-hidden' }, options.caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        options.columns.map((column) =>
          h('th', { scope: 'col', class: column.class ?? null }, column.header),
        ),
      ),
    ),
    tbody,
  );
  const wrapper = h('div', { class: 'table-wrap' }, table);
  let current: T[] = [];
  let index = -1;

  function rowElements(): HTMLTableRowElement[] {
    return Array.from(tbody.querySelectorAll<HTMLTableRowElement>('tr[data-id]'));
  }

  function select(next: number, focus = true): void {
    const rows = rowElements();
    if (rows.length === 0) {
      index = -1;
      return;
    }
    index = clampedIndex(next, rows.length);
    rows.forEach((row, i) => row.setAttribute('aria-selected', String(i === index)));
    const row = rows[index];
    if (row === undefined) return;
    row.scrollIntoView({ block: 'nearest' });
    if (focus) row.querySelector<HTMLAnchorElement>('a.rowlink')?.focus({ preventScroll: true });
  }

  /** Draws the rows; false when there are none (the empty row is drawn instead). */
  function render(rows: T[]): boolean {
    current = rows;
    if (rows.length === 0) {
      replace(
        tbody,
        h('tr', { class: 'empty' }, h('td', { colspan: options.columns.length }, options.empty)),
      );
      index = -1;
      return false;
    }
    replace(
      tbody,
      rows.map((row) => {
        const cells = options.columns.map((column, i) => {
          const content = column.cell(row);
          const inner =
            i === 0
              ? h(
                  'a',
                  { class: 'rowlink', href: options.href(row), 'aria-label': options.label(row) },
                  ...(Array.isArray(content) ? content : [content]),
                )
              : content;
          return h('td', { class: column.class ?? null }, ...(Array.isArray(inner) ? inner : [inner]));
        });
        const tr = h(
          'tr',
          { 'data-id': options.id(row), 'data-testid': `${options.testid}-row`, 'aria-selected': 'false' },
          cells,
        );
        tr.addEventListener('click', (event) => {
          if ((event.target as Element).closest('a, button, input, select, textarea')) return;
          location.hash = options.href(row);
        });
        return tr;
      }),
    );
    return true;
  }

  function setRows(rows: T[], keepId?: string): void {
    const focusWasInside = wrapper.contains(document.activeElement);
    const before = index >= 0 ? current[index] : undefined;
    const previousId = keepId ?? (before === undefined ? undefined : options.id(before));
    if (!render(rows)) return;
    const keep = previousId === undefined ? -1 : rows.findIndex((row) => options.id(row) === previousId);
    if (keep >= 0) select(keep, focusWasInside);
    else if (index >= 0) select(Math.min(index, rows.length - 1), focusWasInside);
    else index = -1;
  }

  function draw(rows: T[], selected: number, focus: boolean): void {
    const focusWasInside = wrapper.contains(document.activeElement);
    if (!render(rows)) return;
    if (selected >= 0) select(selected, focus || focusWasInside);
    else index = -1;
  }

  return {
    element: wrapper,
    setRows,
    draw,
    selected: () => (index >= 0 ? current[index] : undefined),
    move: (delta) => select(steppedIndex(index, delta, current.length)),
    select,
    open: () => {
      const row = index >= 0 ? current[index] : undefined;
      if (row !== undefined) location.hash = options.href(row);
    },
    rows: () => current,
  };
}
