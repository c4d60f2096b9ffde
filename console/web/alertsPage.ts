/**
 * #/alerts: every alert, by its episode's suspicion score (then its own severity), newest or most severe first,
 * filtered and paged on the server. The columns an analyst scans: when (exchange time), what fired and how badly,
 * its episode's score, the bar's close and move, its volume against the window, and where triage stands.
 */
import type { AlertRow } from '../api/contract.js';
import { api } from './api.js';
import { context } from './context.js';
import { h, ruleTags, statusBadge } from './dom.js';
import {
  formatCount,
  formatDateTime,
  formatPrice,
  formatRatio,
  formatSignedPct,
  formatTime,
  zoneLabel,
} from './format.js';
import { listView } from './listView.js';
import { setTitle, type PageFactory } from './page.js';
import { href } from './hashRoutes.js';
import { scoreCell } from './scoreView.js';
import { severityCell } from './severity.js';
import type { Column } from './table.js';

/** The episode id's start (`SYMBOL@ISO`), for a short label. */
export function episodeStart(id: string): string | undefined {
  const at = id.lastIndexOf('@');
  if (at === -1) return undefined;
  const iso = id.slice(at + 1);
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

export function alertColumns(
  options: { episode: boolean; symbol: boolean } = { episode: true, symbol: true },
): Column<AlertRow>[] {
  // On its episode's page, the episode's score is the page's; the alert's own part is shown instead.
  const scoreColumns: Column<AlertRow>[] = options.episode
    ? [{ header: 'Episode score', cell: (row) => scoreCell(row.score), class: 'scorecol' }]
    : [];
  const tz = context.timeZone;
  const columns: Column<AlertRow>[] = [
    {
      header: h('span', {}, 'Time ', h('span', { class: 'zone', 'data-testid': 'zone' }, zoneLabel(tz))),
      cell: (row) => h('time', { datetime: row.timestamp }, formatDateTime(row.timestamp, tz)),
      class: 'time',
    },
    ...(options.symbol ? [{ header: 'Symbol', cell: (row: AlertRow) => row.symbol, class: 'symbol' }] : []),
    {
      header: 'Rules',
      cell: (row) => {
        // A late bar raised or changed it (contract §2): the alert's page says when and which object.
        if (!row.revision) return ruleTags(row.rules);
        return [
          ruleTags(row.rules),
          h(
            'span',
            {
              class: 'badge revised',
              'data-testid': 'revision',
              title: `${row.revision.kind === 'late' ? 'raised' : 'revised'} by a late bar from ${row.revision.object}`,
            },
            row.revision.kind === 'late' ? 'late' : 'revised',
          ),
        ];
      },
    },
    { header: 'Severity', cell: (row) => severityCell(row.severity), class: 'sevcol' },
    ...scoreColumns,
    {
      header: 'Close / change',
      cell: (row) => [
        h('span', { class: 'num' }, formatPrice(row.close)),
        h(
          'span',
          { class: `sub num ${row.a1 ? (row.a1.changePct < 0 ? 'down' : 'up') : ''}` },
          row.a1 ? formatSignedPct(row.a1.changePct) : '',
        ),
      ],
      class: 'num',
    },
    {
      header: 'Volume / ratio',
      cell: (row) => [
        h('span', { class: 'num' }, formatCount(row.volume)),
        h('span', { class: 'sub num' }, row.a2 ? formatRatio(row.a2.volumeRatio) : ''),
      ],
      class: 'num',
    },
    { header: 'Status', cell: (row) => statusBadge(row.status) },
  ];
  if (options.episode) {
    columns.push({
      header: 'Episode',
      cell: (row) => {
        const start = episodeStart(row.episode);
        return h(
          'a',
          { href: href.episode(row.episode), class: 'episode-link', title: row.episode },
          start === undefined ? row.episode : `from ${formatTime(start, tz)}`,
        );
      },
    });
  }
  return columns;
}

export function alertLabel(row: AlertRow): string {
  const severity = row.severity === null ? 'no severity' : `severity ${row.severity}`;
  const revision = row.revision ? `, ${row.revision.kind === 'late' ? 'raised late' : 'revised'}` : '';
  return `Alert ${row.symbol} ${formatDateTime(row.timestamp, context.timeZone)}, ${row.rules.join(' and ')}, ${severity}${revision}, ${row.status}`;
}

export const alertsPage: PageFactory = (root, route, signal) => {
  setTitle('Alerts');
  listView<AlertRow>(
    root,
    route.params,
    {
      kind: 'alerts',
      title: 'Alerts',
      noun: ['alert', 'alerts'],
      fetch: api.alerts,
      columns: () => alertColumns(),
      href: (row) => href.alert(row.id),
      label: alertLabel,
      id: (row) => row.id,
      newestLabel: 'alert time',
    },
    signal,
  );
};
