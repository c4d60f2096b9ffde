/**
 * #/episodes (the default page): runs of a symbol's alerts, the unit an analyst triages. Most suspicious first
 * (the suspicion score, with its top factor beside it; not scored last), newest (by episode end) or most severe
 * first, with the same filters as the alerts.
 */
import type { EpisodeRow } from '../api/contract.js';
import { api } from './api.js';
import { context } from './context.js';
import { h, statusBadge } from './dom.js';
import { formatCount, formatDateTime, formatRange, zoneLabel } from './format.js';
import { listView } from './listView.js';
import { setTitle, type PageFactory } from './page.js';
import { href } from './hashRoutes.js';
import { formatScore } from './score.js';
import { scoreCell, topFactorCell } from './scoreView.js';
import { severityCell } from './severity.js';
import type { Column } from './table.js';

export function episodeColumns(): Column<EpisodeRow>[] {
  const tz = context.timeZone;
  return [
    { header: 'Symbol', cell: (row) => row.symbol, class: 'symbol' },
    {
      header: 'Score',
      cell: (row) => scoreCell(row.score?.score, row.score !== undefined && !row.score.settled),
      class: 'scorecol',
    },
    { header: 'Top factor', cell: (row) => topFactorCell(row.score), class: 'factorcol' },
    {
      header: h('span', {}, 'Start–end ', h('span', { class: 'zone', 'data-testid': 'zone' }, zoneLabel(tz))),
      cell: (row) => h('time', { datetime: row.start }, formatRange(row.start, row.end, tz)),
      class: 'time',
    },
    { header: 'Alerts', cell: (row) => h('span', { class: 'num' }, formatCount(row.count)), class: 'num' },
    {
      header: 'A1 / A2',
      cell: (row) => h('span', { class: 'num' }, `${formatCount(row.a1)} / ${formatCount(row.a2)}`),
      class: 'num',
    },
    { header: 'Peak severity', cell: (row) => severityCell(row.peakSeverity), class: 'sevcol' },
    { header: 'Status', cell: (row) => statusBadge(row.status) },
    { header: 'Assignee', cell: (row) => row.assignee ?? '', class: 'assignee' },
  ];
}

export function episodeLabel(row: EpisodeRow): string {
  const score = row.score === undefined ? 'not scored' : `score ${formatScore(row.score.score)}`;
  return `Episode ${row.symbol} ${formatDateTime(row.start, context.timeZone)}, ${score}, ${row.count} alerts, ${row.status}`;
}

export const episodesPage: PageFactory = (root, route, signal) => {
  setTitle('Episodes');
  listView<EpisodeRow>(
    root,
    route.params,
    {
      kind: 'episodes',
      title: 'Episodes',
      noun: ['episode', 'episodes'],
      fetch: api.episodes,
      columns: episodeColumns,
      href: (row) => href.episode(row.id),
      label: episodeLabel,
      id: (row) => row.id,
      newestLabel: 'episode end',
    },
    signal,
  );
};
