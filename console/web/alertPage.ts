/**
 * #/alerts/:id: one alert explained. The chart of its session (candles and volume, the alert marked, the other
 * alerts of the day smaller, the previous close and the ±A1 band, the A2 window and its limit, gaps as holes),
 * and beside it the figures that made it fire: the move against the threshold, the volume against the limit.
 * When a late bar raised, revised or withdrew the alert, a note above says so, when and from which object (a
 * withdrawal prominently: the figures are as they were). The state and its actions (the answers, loading and
 * failures, the selected alert of the day, the marks) are alertCtrl.ts's; this draws it when it changes and
 * hands it the analyst's keys.
 */
import type { AlertMark, AlertRow, ChartResponse, EpisodeRow, SessionAlert } from '../api/contract.js';
import { AlertCtrl } from './alertCtrl.js';
import { api } from './api.js';
import { drawChart, type DrawnChart } from './chart.js';
import { chartModel, CHART_COLORS, type ChartModel } from './chartModel.js';
import { context } from './context.js';
import { errorBox, h, replace, ruleTags, statusBadge } from './dom.js';
import {
  alertMarkText,
  formatCount,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPrice,
  formatRatio,
  formatSeverity,
  formatSignedPct,
  formatTime,
  zoneLabel,
} from './format.js';
import { setPageKeys } from './keyboard.js';
import { goBack } from './nav.js';
import { setTitle, type PageFactory } from './page.js';
import { href } from './hashRoutes.js';
import { whyItRanks } from './scoreView.js';
import { severityCell } from './severity.js';
import { rowTable, type RowTable } from './table.js';

export const alertPage: PageFactory = (root, route, signal) => {
  if (route.page !== 'alert') throw new Error('alertPage needs an alert route');
  const id = route.id;
  setTitle(id);
  let chart: DrawnChart | null = null;
  // The chart library's canvas, observers and listeners go with the page.
  signal.addEventListener('abort', () => chart?.remove(), { once: true });
  const ctrl = new AlertCtrl(id, { chart: api.chart, alert: api.alert }, signal, () => draw());

  const keys = [{ keys: ['Escape'], label: 'back', run: () => goBack('#/alerts') }];

  /** The answer drawn last: a change of anything else (the selection) leaves the page alone. */
  let drawn: ChartResponse | null = null;
  let sessionTable: RowTable<SessionAlert> | null = null;

  function draw(): void {
    const { data, error } = ctrl;
    if (data !== null) {
      if (data !== drawn) {
        drawn = data;
        render(data, ctrl.episode);
      }
    } else if (error !== null) {
      replace(root, h('p', {}, h('a', { href: '#/alerts' }, '← Alerts')), errorBox(error.message));
    } else if (ctrl.loading) {
      replace(root, h('p', { class: 'loading' }, 'Loading ', id, '…'));
    }
  }

  /** A key moved the selection: the row takes the focus. */
  function moveSelection(delta: number): void {
    ctrl.move(delta);
    if (ctrl.selected >= 0) sessionTable?.select(ctrl.selected);
  }

  function go(to: string | undefined): void {
    if (to !== undefined) location.hash = to;
  }

  setPageKeys(keys);
  void ctrl.load();

  function render(data: ChartResponse, episode: EpisodeRow | null): void {
    const alert = data.alert;
    const tz = context.timeZone;
    const model = chartModel(data, tz);
    const chartBox = h('div', { class: 'chart', 'data-testid': 'chart' });
    const hover = h('span', { class: 'hover num', 'data-testid': 'chart-hover' });
    const table = rowTable<SessionAlert>({
      columns: [
        { header: 'Time', cell: (row) => formatTime(row.timestamp, tz), class: 'time' },
        { header: 'Rules', cell: (row) => ruleTags(row.rules) },
        { header: 'Severity', cell: (row) => severityCell(row.severity), class: 'sevcol' },
      ],
      href: (row) => href.alert(row.id),
      label: (row) => `Alert ${formatTime(row.timestamp, tz)}, ${row.rules.join(' and ')}`,
      id: (row) => row.id,
      testid: 'session-alert',
      empty: 'No other alerts that day.',
      caption: 'Alerts of this session',
    });
    sessionTable = table;
    table.setRows(data.sessionAlerts);
    if (ctrl.selected >= 0) table.select(ctrl.selected, false);

    replace(
      root,
      h(
        'article',
        { class: 'alert-detail', 'data-testid': 'alert-detail', 'aria-labelledby': 'page-title' },
        h(
          'header',
          { class: 'page-head' },
          h(
            'nav',
            { class: 'crumbs', 'aria-label': 'Breadcrumb' },
            h('a', { href: '#/alerts' }, 'Alerts'),
            ' / ',
            episode
              ? h(
                  'a',
                  { href: href.episode(episode.id), 'data-testid': 'episode-link' },
                  `Episode ${formatRange(episode, tz)}`,
                )
              : h('a', { href: href.episode(alert.episode), 'data-testid': 'episode-link' }, 'Episode'),
          ),
          h(
            'h1',
            { id: 'page-title' },
            h('span', { class: 'symbol' }, alert.symbol),
            ' ',
            h('time', { datetime: alert.timestamp }, formatDateTime(alert.timestamp, tz)),
            ' ',
            h('span', { class: 'zone' }, zoneLabel(tz, Date.parse(alert.timestamp))),
          ),
          h(
            'div',
            { class: 'head-facts' },
            ruleTags(alert.rules),
            severityCell(alert.severity),
            statusBadge(episode?.status ?? alert.status),
            episode?.assignee ? h('span', { class: 'assignee' }, `assigned to ${episode.assignee}`) : null,
          ),
          ctrl.marks.map((mark) => markNote(mark, tz)),
        ),
        h(
          'div',
          { class: 'detail-grid' },
          h(
            'section',
            { class: 'chart-panel', 'aria-label': 'Chart of the session' },
            legend(data, model, hover),
            chartBox,
          ),
          h(
            'aside',
            { class: 'facts' },
            ctrl.episode === null ? null : whyItRanks(ctrl.score, ctrl.points),
            ruleDetails(alert, data, ctrl.withdrawn),
            barFacts(alert, tz),
            h(
              'section',
              { class: 'session' },
              h('h2', {}, `Alerts that day (${data.sessionAlerts.length})`),
              table.element,
            ),
          ),
        ),
      ),
    );

    try {
      chart = drawChart(chartBox, model);
      chart.onHover((values) => {
        if (values === null || values.ohlc === undefined) {
          hover.textContent = '';
          return;
        }
        const o = values.ohlc;
        const t = (values.time - model.shift) * 1000;
        hover.textContent = `${formatTime(t, tz)}  O ${formatPrice(o.open)} H ${formatPrice(o.high)} L ${formatPrice(o.low)} C ${formatPrice(o.close)}  V ${formatCount(values.volume)}`;
      });
    } catch (error) {
      replace(chartBox, errorBox(String((error as Error).message)));
    }

    setPageKeys([
      ...keys,
      { keys: ['j', 'ArrowDown'], label: 'next alert of the day', run: () => moveSelection(1) },
      { keys: ['k', 'ArrowUp'], label: 'previous alert of the day', run: () => moveSelection(-1) },
      { keys: ['Enter'], label: 'open the selected alert', run: () => go(ctrl.selectedHref) },
      { keys: ['e'], label: 'open the episode', run: () => go(ctrl.episodeHref) },
    ]);
  }
};

/** What a late bar did to the alert: a withdrawal as a prominent note, a late or revised alert as a plain one. */
function markNote(mark: AlertMark, tz: string): HTMLElement {
  return h(
    'p',
    {
      class: `mark-note mark-${mark.kind}`,
      role: 'note',
      'data-testid': mark.kind === 'withdrawn' ? 'alert-withdrawn' : 'alert-revision',
      title: `${mark.object}, generation ${mark.generation}`,
    },
    alertMarkText(mark, tz),
  );
}

function formatRange(episode: EpisodeRow, tz: string): string {
  return `${formatDateTime(episode.start, tz)}–${formatTime(episode.end, tz)}`;
}

function legend(data: ChartResponse, model: ChartModel, hover: HTMLElement): HTMLElement {
  const tz = context.timeZone;
  const missing = model.gaps.reduce((sum, gap) => sum + gap.minutes, 0);
  const swatch = (color: string, kind: string) => {
    const element = h('span', { class: `swatch swatch-${kind}`, 'aria-hidden': 'true' });
    element.style.setProperty('--swatch', color);
    return element;
  };
  const windowText =
    data.window.mean === null
      ? 'no window (no bars in the ten minutes before)'
      : `window ${formatTime(data.window.from * 1000, tz)}–${formatTime(data.window.to * 1000, tz)}`;
  return h(
    'div',
    { class: 'legend', 'data-testid': 'chart-legend' },
    h(
      'div',
      { class: 'legend-row' },
      h('strong', {}, data.alert.symbol),
      h(
        'span',
        {},
        `session ${formatDate(data.alert.timestamp, tz)} · times ${zoneLabel(tz, Date.parse(data.alert.timestamp))}`,
      ),
      h('span', { 'data-testid': 'bar-count' }, `${formatCount(model.bars.length)} bars`),
      h(
        'span',
        { 'data-testid': 'gap-count', class: model.gaps.length > 0 ? 'gaps' : '' },
        `${formatCount(model.gaps.length)} ${model.gaps.length === 1 ? 'gap' : 'gaps'}`,
        model.gaps.length > 0
          ? ` (${formatCount(missing)} missing ${missing === 1 ? 'minute' : 'minutes'})`
          : '',
      ),
      hover,
    ),
    h(
      'div',
      { class: 'legend-row keys' },
      h('span', {}, swatch(CHART_COLORS.alert, 'marker'), 'this alert'),
      h(
        'span',
        {},
        swatch(CHART_COLORS.otherAlert, 'dot'),
        `other alerts (${Math.max(0, data.sessionAlerts.length - 1)})`,
      ),
      data.prevClose !== null
        ? h('span', {}, swatch(CHART_COLORS.prevClose, 'line'), `prev close ${formatPrice(data.prevClose)}`)
        : h('span', {}, 'no previous close (first bar)'),
      data.prevClose !== null
        ? h(
            'span',
            {},
            swatch(CHART_COLORS.band, 'dash'),
            `±${formatNumber(data.thresholds.a1 * 100, 4)}% band ${formatPrice(data.prevClose * (1 - data.thresholds.a1))}–${formatPrice(data.prevClose * (1 + data.thresholds.a1))}`,
          )
        : null,
      h('span', {}, swatch(CHART_COLORS.windowVolume, 'box'), windowText),
      data.window.limit !== null
        ? h(
            'span',
            {},
            swatch(CHART_COLORS.limit, 'dash'),
            `volume limit ${formatNumber(data.window.limit, 2)}`,
          )
        : null,
    ),
    h(
      'div',
      { class: 'legend-row keys', 'data-testid': 'score-context-legend' },
      model.usualVolume.length > 0
        ? h(
            'span',
            {},
            swatch(CHART_COLORS.usualVolume, 'line'),
            'usual volume at this time of day (what the score compared with)',
          )
        : h('span', {}, 'no usual volume (the score had no baseline, or the episode is not scored)'),
      model.marketMove.length > 0
        ? h('span', {}, swatch(CHART_COLORS.marketMove, 'line'), "the market's move, % (bottom pane)")
        : h('span', {}, 'no market move (the score had too few other symbols, or none)'),
    ),
  );
}

function ruleDetails(alert: AlertRow, data: ChartResponse, withdrawn: boolean): HTMLElement {
  const tz = context.timeZone;
  const { a1: a1Threshold, a2: a2Threshold, windowMinutes } = data.thresholds;
  const fact = (label: string, value: Node | string, testid?: string) => [
    h('dt', {}, label),
    h('dd', { 'data-testid': testid ?? null }, value),
  ];
  const sections: HTMLElement[] = [];
  if (alert.a1) {
    const a1 = alert.a1;
    const thresholdPct = a1Threshold * 100;
    sections.push(
      h(
        'section',
        { class: 'rule-detail', 'data-testid': 'a1-detail' },
        h('h3', {}, ruleTags(['A1']), ' price move'),
        h(
          'dl',
          {},
          fact('close', formatPrice(alert.close)),
          fact('previous close', `${formatPrice(a1.prevClose)} at ${formatDateTime(a1.prevTimestamp, tz)}`),
          fact(
            'change',
            h('span', { class: a1.changePct < 0 ? 'down' : 'up' }, formatSignedPct(a1.changePct)),
            'a1-change',
          ),
          fact('threshold', `±${formatNumber(thresholdPct, 4)}%`, 'a1-threshold'),
          fact('past it', `${formatRatio(Math.abs(a1.changePct) / thresholdPct)} the threshold`),
          a1.severity !== undefined ? fact('A1 severity', formatSeverity(a1.severity)) : [],
        ),
      ),
    );
  }
  if (alert.a2) {
    const a2 = alert.a2;
    const limit = a2.avgVolume * (1 + a2Threshold);
    sections.push(
      h(
        'section',
        { class: 'rule-detail', 'data-testid': 'a2-detail' },
        h('h3', {}, ruleTags(['A2']), ' volume spike'),
        h(
          'dl',
          {},
          fact('volume', formatCount(alert.volume), 'a2-volume'),
          fact(
            'window mean',
            `${formatNumber(a2.avgVolume, 2)} over ${a2.windowBars} of ${windowMinutes} minutes`,
          ),
          fact(
            'limit',
            `${formatNumber(limit, 2)} (mean × ${Number((1 + a2Threshold).toFixed(6))})`,
            'a2-limit',
          ),
          fact('ratio', a2.volumeRatio === null ? 'mean is zero' : `${formatRatio(a2.volumeRatio)} the mean`),
          a2.severity !== undefined ? fact('A2 severity', formatSeverity(a2.severity)) : [],
        ),
      ),
    );
  }
  return h(
    'section',
    { class: 'why' },
    h('h2', {}, withdrawn ? 'Why it fired, before it was withdrawn' : 'Why it fired'),
    h(
      'p',
      { class: 'severity-line' },
      'Severity ',
      h('strong', { 'data-testid': 'severity' }, formatSeverity(alert.severity)),
    ),
    sections,
  );
}

function barFacts(alert: AlertRow, tz: string): HTMLElement {
  return h(
    'section',
    { class: 'bar-facts' },
    h('h2', {}, 'The bar'),
    h(
      'dl',
      { class: 'ohlc' },
      [
        ['open', formatPrice(alert.open)],
        ['high', formatPrice(alert.high)],
        ['low', formatPrice(alert.low)],
        ['close', formatPrice(alert.close)],
        ['volume', formatCount(alert.volume)],
        ['minute', formatDateTime(alert.timestamp, tz)],
      ].map(([label, value]) => [h('dt', {}, label), h('dd', { class: 'num' }, value)]),
    ),
    h(
      'p',
      { class: 'source' },
      'From ',
      h('code', {}, alert.source.object),
      `, line ${alert.source.line}`,
      alert.source.generation ? ` (generation ${alert.source.generation})` : '',
    ),
  );
}
