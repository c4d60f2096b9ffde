/**
 * #/ingestions: every uploaded object's quality report, newest first: what was accepted, what was set aside
 * and why, duplicates, order, gaps, late bars, and the detection figures; a download of the set-aside rows
 * when there are any. A rejected or failed object shows its error across the row, where it cannot be missed.
 * While anything is running the page refreshes itself. The state, its schedule and its requests are
 * ingestionsCtrl.ts's; this draws it whenever it changes and hands it the analyst's filter and `r`.
 */
import type { IngestionRow } from '../api/contract.js';
import { api } from './api.js';
import { context } from './context.js';
import { errorBox, h, replace, statusBadge } from './dom.js';
import { formatCount, formatDateTime, zoneLabel } from './format.js';
import { IngestionsCtrl } from './ingestionsCtrl.js';
import { setPageKeys } from './keyboard.js';
import { setTitle, type PageFactory } from './page.js';

const INGESTION_STATUSES = ['running', 'done', 'rejected', 'gone', 'failed'];

export function badReasons(row: IngestionRow): [string, number][] {
  return Object.entries(row.report?.bad?.byReason ?? {})
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .sort((a, b) => b[1] - a[1]);
}

export const ingestionsPage: PageFactory = (root, route, signal) => {
  setTitle('Ingestions');
  const ctrl = new IngestionsCtrl(
    route.params.get('status') ?? '',
    {
      fetch: api.ingestions,
      replaceUrl: (status) =>
        history.replaceState(
          null,
          '',
          `#/ingestions${status ? `?status=${encodeURIComponent(status)}` : ''}`,
        ),
    },
    signal,
    () => draw(),
  );

  const list = h('div', { class: 'ingestions', 'data-testid': 'ingestions' });
  const info = h('span', { class: 'total', 'data-testid': 'total' });
  const zone = h('span', { class: 'zone' });
  const filter = h(
    'select',
    { 'data-testid': 'filter-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    INGESTION_STATUSES.map((s) => h('option', { value: s }, s)),
  );
  filter.value = ctrl.status;
  filter.addEventListener('change', () => void ctrl.setStatus(filter.value));

  replace(
    root,
    h(
      'section',
      { class: 'list', 'aria-labelledby': 'page-title' },
      h(
        'header',
        { class: 'page-head' },
        h('h1', { id: 'page-title' }, 'Ingestions'),
        h('div', { class: 'counts' }, info, zone),
      ),
      h(
        'form',
        { class: 'filters', onsubmit: (e: Event) => e.preventDefault() },
        h('label', { class: 'field' }, h('span', {}, 'Status'), filter),
      ),
      list,
    ),
  );

  /** What was drawn last: the list is drawn again only for a new answer or a new failure. */
  let drawnItems: IngestionRow[] | null = null;
  let drawnError: unknown = null;

  function draw(): void {
    const { items, error } = ctrl;
    if (error !== null) {
      if (error !== drawnError) replace(list, errorBox(error.message));
    } else if (items !== null && items !== drawnItems) {
      info.textContent = `${formatCount(items.length)} ${items.length === 1 ? 'object' : 'objects'}`;
      zone.textContent = `times ${zoneLabel(context.timeZone)}`;
      render(items);
    }
    drawnItems = items;
    drawnError = error;
  }

  function render(items: IngestionRow[]): void {
    const tz = context.timeZone;
    if (items.length === 0) {
      replace(list, h('p', { class: 'empty' }, 'No ingestions.'));
      return;
    }
    const num = (n: number | undefined, testid?: string) =>
      h('td', { class: 'num', 'data-testid': testid ?? null }, n === undefined ? '—' : formatCount(n));
    replace(
      list,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid ingest-grid', 'data-testid': 'ingestions-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Object',
                'Status',
                'Finished',
                'Accepted',
                'Bad',
                'Duplicates',
                'Out of order',
                'Gaps',
                'Late',
                'Processed',
                'Alerts',
                'Set aside',
              ].map((text, i) => h('th', { scope: 'col', class: i >= 3 && i <= 10 ? 'num' : null }, text)),
            ),
          ),
          items.map((row) => {
            const report = row.report;
            const reasons = badReasons(row);
            const problem = row.error ?? (typeof report?.error === 'string' ? report.error : undefined);
            const missing = Array.isArray(report?.missingColumns) ? (report.missingColumns as string[]) : [];
            const severe = row.status === 'rejected' || row.status === 'failed';
            const main = h(
              'tr',
              {
                'data-testid': 'ingestion-row',
                'data-id': row.id,
                'data-status': row.status,
                class: severe ? 'severe' : null,
              },
              h(
                'td',
                { class: 'object' },
                h('code', {}, row.object),
                h('span', { class: 'sub' }, `generation ${row.generation}`),
              ),
              h('td', {}, statusBadge(row.status)),
              h(
                'td',
                { class: 'time' },
                row.finishedAt
                  ? formatDateTime(row.finishedAt, tz)
                  : row.startedAt
                    ? `started ${formatDateTime(row.startedAt, tz)}`
                    : '—',
              ),
              num(report?.accepted, 'accepted'),
              h(
                'td',
                { class: 'num', 'data-testid': 'bad' },
                formatCount(report?.bad?.count ?? 0),
                reasons.length > 0
                  ? h(
                      'ul',
                      { class: 'reasons' },
                      reasons.map(([reason, n]) => h('li', {}, `${reason} ${formatCount(n)}`)),
                    )
                  : null,
              ),
              h(
                'td',
                { class: 'num', 'data-testid': 'duplicates' },
                formatCount(report?.duplicates?.count ?? 0),
                report?.duplicates?.conflicting
                  ? h('span', { class: 'sub' }, `${formatCount(report.duplicates.conflicting)} conflicting`)
                  : null,
              ),
              num(report?.outOfOrder, 'out-of-order'),
              h(
                'td',
                { class: 'num', 'data-testid': 'gaps' },
                formatCount(report?.gaps?.count ?? 0),
                report?.gaps && report.gaps.count > 0
                  ? h(
                      'span',
                      { class: 'sub' },
                      `${formatCount(report.gaps.missingMinutes)} min, largest ${formatCount(report.gaps.largest)}`,
                    )
                  : null,
              ),
              h(
                'td',
                { class: row.tooLate > 0 ? 'num warn' : 'num', 'data-testid': 'late' },
                formatCount(row.late),
                row.repeats > 0 || row.tooLate > 0
                  ? h(
                      'span',
                      { class: 'sub' },
                      [
                        row.repeats > 0 ? `${formatCount(row.repeats)} repeats` : '',
                        row.tooLate > 0 ? `${formatCount(row.tooLate)} too late, not detected` : '',
                      ]
                        .filter(Boolean)
                        .join(', '),
                    )
                  : null,
              ),
              num(row.processed, 'processed'),
              h(
                'td',
                { class: 'num', 'data-testid': 'alerts' },
                formatCount(row.alerts),
                row.revised > 0 || row.withdrawn > 0
                  ? h(
                      'span',
                      { class: 'sub' },
                      `${formatCount(row.revised)} revised, ${formatCount(row.withdrawn)} withdrawn`,
                    )
                  : null,
              ),
              h(
                'td',
                {},
                row.setAside
                  ? h(
                      'a',
                      {
                        href: api.setAsideUrl(row.id),
                        download: '',
                        'data-testid': 'set-aside',
                        title: row.setAside,
                      },
                      'rows (CSV)',
                    )
                  : '—',
              ),
            );
            if (!problem && missing.length === 0) return h('tbody', {}, main);
            return h(
              'tbody',
              {},
              main,
              h(
                'tr',
                { class: 'error-row' },
                h(
                  'td',
                  { colspan: 12 },
                  h(
                    'div',
                    { class: 'error', role: 'alert', 'data-testid': 'ingestion-error' },
                    h('strong', {}, `${row.status}: `),
                    problem ?? '',
                    missing.length > 0 ? ` (missing columns: ${missing.join(', ')})` : '',
                  ),
                ),
              ),
            );
          }),
        ),
      ),
    );
  }

  setPageKeys([{ keys: ['r'], label: 'refresh', run: () => void ctrl.refresh() }]);
  void ctrl.refresh();
};
