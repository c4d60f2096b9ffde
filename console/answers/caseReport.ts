/**
 * The case report of an episode (docs/console-api.md `/api/episodes/:id/report`): one self-contained HTML
 * document an analyst prints to PDF and attaches to a suspicious-transaction report. It holds the instrument and
 * the exchange the data names, every time on the exchange's clock with the zone said, the bars around the
 * episode as a chart (inline SVG) and a table, each alert's rules and the figures that fired, the suspicion
 * score and its factors (or that it is provisional, or that there is none), the whole triage history, and
 * where it came from. No script, nothing fetched: its one style sheet is inline, and every value is escaped.
 * Pure: plain values in, the document out.
 */
import type {
  AlertRow,
  ChartBar,
  EpisodeDetail,
  HistoryEntry,
  ScoreFactorId,
  Thresholds,
} from '../api/contract.js';
import { reportChartSvg } from './reportChart.js';
import { REPORT_STYLE } from './reportStyle.js';
import {
  esc,
  figure,
  fixed,
  signedPoints,
  zonedDate,
  zonedDateTime,
  zonedTime,
  zoneName,
} from './reportText.js';

/** Bars shown after the episode's last alert, and at least this many before its first. */
export const REPORT_MARGIN_MINUTES = 15;

export interface CaseReportInput {
  /** As GET /api/episodes/:id answers it. */
  detail: EpisodeDetail;
  /** The symbol's stored bars; those inside the report's minutes are shown. */
  bars: readonly ChartBar[];
  /** The exchange's zone (EXCHANGE_TIMEZONE). */
  timeZone: string;
  thresholds: Thresholds;
  /** When it is made, ms since the epoch. */
  generatedAt: number;
  /** Who asked for it: the verified caller (the stack's user locally). */
  generatedBy: string;
  /** The console's version. */
  version: string;
}

/**
 * The minutes the report shows: from the A2 window before the first alert (at least REPORT_MARGIN_MINUTES) to
 * REPORT_MARGIN_MINUTES after the last.
 */
export function reportMinutes(
  episode: { start: string; end: string },
  thresholds: Thresholds,
): { fromMinute: number; toMinute: number } {
  const start = Date.parse(episode.start) / 60_000;
  const end = Date.parse(episode.end) / 60_000;
  return {
    fromMinute: start - Math.max(REPORT_MARGIN_MINUTES, thresholds.windowMinutes),
    toMinute: end + REPORT_MARGIN_MINUTES,
  };
}

/** The exchange and series an object's name gives, in the data's layout `<SYMBOL>__<SERIES>__<EXCHANGE>__…`. */
export function exchangeOfObject(object: string): { exchange: string; series: string } | undefined {
  const base = object.slice(object.lastIndexOf('/') + 1).replace(/(\.csv)?(\.gz)?$/i, '');
  const parts = base.split('__');
  if (parts.length < 4 || parts[1] === '' || parts[2] === '') return undefined;
  return { series: parts[1]!, exchange: parts[2]! };
}

const FACTOR_NAMES: Record<ScoreFactorId, string> = {
  move: 'price move',
  volume: 'volume',
  market: 'market',
  shape: 'shape',
  close: 'close',
  liquidity: 'liquidity',
};

const BASELINES: Record<string, string> = {
  usual: "against the symbol's usual day (the same time of day)",
  recent: "against the symbol's recent bars (no usual day yet)",
  none: 'against no baseline (too little history)',
};

const minuteOf = (iso: string) => Date.parse(iso) / 60_000;

function facts(rows: Array<[string, string] | undefined>): string {
  const items = rows.filter((row) => row !== undefined);
  return `<dl class="facts">${items.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function instrumentSection(detail: EpisodeDetail, timeZone: string): string {
  const { episode, alerts } = detail;
  const objects = [...new Set(alerts.map((alert) => alert.source.object))].sort();
  const named = objects.flatMap((object) => {
    const found = exchangeOfObject(object);
    return found === undefined ? [] : [found];
  });
  const exchanges = [...new Set(named.map((each) => each.exchange))];
  const series = [...new Set(named.map((each) => each.series))];
  const exchange =
    exchanges.length === 0
      ? 'not named by the data (its objects do not follow the layout <code>SYMBOL__SERIES__EXCHANGE__…</code>)'
      : `${esc(exchanges.join(', '))}${series.length > 0 ? ` (series ${esc(series.join(', '))})` : ''}, ` +
        'as the name of the object that brought the bars says (<code>SYMBOL__SERIES__EXCHANGE__…</code>)';
  return (
    '<section class="instrument" data-section="instrument"><h2>Instrument and exchange</h2>' +
    facts([
      ['Instrument (symbol)', `<strong>${esc(episode.symbol)}</strong>`],
      ['Exchange', exchange],
      [
        'Time zone',
        `${esc(zoneName(timeZone, episode.start))}: every time in this report is on the exchange's clock ` +
          "(the console's exchange zone setting)",
      ],
      [
        'Source objects',
        objects.length === 0
          ? 'none (no alert stands in this episode)'
          : objects.map((object) => `<code>${esc(object)}</code>`).join('<br>'),
      ],
    ]) +
    '</section>'
  );
}

function episodeSection(detail: EpisodeDetail, timeZone: string): string {
  const { episode } = detail;
  const sameDay = zonedDate(episode.start, timeZone) === zonedDate(episode.end, timeZone);
  const span = sameDay
    ? `${zonedDateTime(episode.start, timeZone)}–${zonedTime(episode.end, timeZone)}`
    : `${zonedDateTime(episode.start, timeZone)} – ${zonedDateTime(episode.end, timeZone)}`;
  const minutes = minuteOf(episode.end) - minuteOf(episode.start) + 1;
  const withdrawn = episode.withdrawn
    ? `<p class="notice">Withdrawn at ${esc(zonedDateTime(episode.withdrawn.at, timeZone))}: a late bar ` +
      `(object <code>${esc(episode.withdrawn.object)}</code>, generation ${esc(episode.withdrawn.generation)}) ` +
      'regrouped its alerts' +
      (episode.withdrawn.into === null
        ? ' and it is no longer an episode.'
        : ` into episode <code>${esc(episode.withdrawn.into)}</code>.`) +
      '</p>'
    : '';
  return (
    '<section class="episode" data-section="episode"><h2>Episode</h2>' +
    withdrawn +
    facts([
      ['Episode', `<code>${esc(episode.id)}</code>`],
      ['First and last alert', `${esc(span)} (${esc(minutes)} minute${minutes === 1 ? '' : 's'})`],
      [
        'Alerts',
        `${esc(episode.count)}: A1 (price move) on ${esc(episode.a1)}, A2 (volume spike) on ${esc(episode.a2)}`,
      ],
      ['Peak severity', esc(fixed(episode.peakSeverity, 2))],
      ['Triage status', `<strong>${esc(episode.status)}</strong>`],
      episode.assignee === undefined ? undefined : ['Assignee', esc(episode.assignee)],
      episode.notes === undefined
        ? undefined
        : ['Notes', `<span class="comment">${esc(episode.notes)}</span>`],
      episode.updatedAt === undefined
        ? undefined
        : [
            'Last triaged',
            `${esc(zonedDateTime(episode.updatedAt, timeZone))} by ${esc(episode.updatedBy ?? 'unknown')}`,
          ],
    ]) +
    '</section>'
  );
}

function scoreSection(detail: EpisodeDetail): string {
  const { score } = detail.episode;
  const head = '<section class="score" data-section="score"><h2>Suspicion score</h2>';
  if (score === undefined) {
    return `${head}<p><strong>Not scored</strong>: the episode was stored before scores existed.</p></section>`;
  }
  // Settled: made from every bar committed when it was made (contract §6); a later bar for its minutes scores it again.
  const state = score.settled
    ? 'settled from every bar committed when it was made'
    : '<strong>provisional</strong>: the episode changed after the score was last made from every bar committed, ' +
      'and the pipeline will score it again, so it may still change';
  const rows = score.factors
    .map(
      (factor) =>
        `<tr><td>${esc(FACTOR_NAMES[factor.factor] ?? factor.factor)}</td>` +
        `<td class="n">${esc(signedPoints(factor.points))}</td><td>${esc(factor.detail)}</td></tr>`,
    )
    .join('');
  return (
    head +
    `<p><strong data-testid="score">${esc(score.score.toFixed(1))}</strong> of 100, ${state}; measured ` +
    `${esc(BASELINES[score.baseline] ?? score.baseline)}. It ranks the episode among others and decides nothing: ` +
    'the alerts are the rules’.</p>' +
    '<table class="factors"><thead><tr><th>Factor</th><th class="n">Points</th><th>Figures behind them</th>' +
    `</tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function chartSection(
  detail: EpisodeDetail,
  bars: readonly ChartBar[],
  window: { fromMinute: number; toMinute: number },
  timeZone: string,
): string {
  const { episode, alerts } = detail;
  const svg = reportChartSvg({
    bars,
    ...window,
    episode: { startMinute: minuteOf(episode.start), endMinute: minuteOf(episode.end) },
    alerts: alerts.map((alert) => ({ minute: minuteOf(alert.timestamp), rules: alert.rules })),
    timeZone,
  });
  const rows = barRows(detail, bars, timeZone);
  return (
    '<section class="chart" data-section="chart"><h2>Prices and volumes</h2>' +
    `<figure>${svg}<figcaption>Each minute's candle (open, high, low, close) and volume from ` +
    `${esc(zonedDateTime(window.fromMinute * 60_000, timeZone))} to ` +
    `${esc(zonedTime(window.toMinute * 60_000, timeZone))}; the episode's minutes shaded, each alert marked ` +
    '▼ above. A minute with no bar is absent.</figcaption></figure></section>' +
    '<section class="bars" data-section="bars"><h2>Bars</h2>' +
    `<table><thead><tr><th>Time</th><th class="n">Open</th><th class="n">High</th><th class="n">Low</th>` +
    `<th class="n">Close</th><th class="n">Volume</th><th>Alert</th></tr></thead><tbody>${rows}</tbody></table>` +
    '<p class="meta">Shaded: inside the episode. Bold: the minute raised an alert.</p></section>'
  );
}

function barRows(detail: EpisodeDetail, bars: readonly ChartBar[], timeZone: string): string {
  const start = minuteOf(detail.episode.start);
  const end = minuteOf(detail.episode.end);
  const alerted = new Map(detail.alerts.map((alert) => [minuteOf(alert.timestamp), alert.rules]));
  if (bars.length === 0) return '<tr><td colspan="7">No bars are stored for these minutes.</td></tr>';
  return bars
    .map((bar) => {
      const minute = Math.floor(bar.time / 60);
      const rules = alerted.get(minute);
      const classes = [minute >= start && minute <= end ? 'in-episode' : '', rules ? 'alerted' : '']
        .filter(Boolean)
        .join(' ');
      return (
        `<tr${classes ? ` class="${classes}"` : ''}><td>${esc(zonedDateTime(bar.time * 1000, timeZone))}</td>` +
        [bar.open, bar.high, bar.low, bar.close, bar.volume]
          .map((v) => `<td class="n">${esc(figure(v))}</td>`)
          .join('') +
        `<td>${rules ? esc(rules.join(', ')) : ''}</td></tr>`
      );
    })
    .join('');
}

function alertBlock(
  alert: AlertRow,
  detail: EpisodeDetail,
  thresholds: Thresholds,
  timeZone: string,
): string {
  const lines: string[] = [];
  if (alert.a1) {
    const { prevClose, prevTimestamp, changePct, severity } = alert.a1;
    lines.push(
      `<p><strong>A1, price move</strong>: close ${esc(figure(alert.close))} against the previous close ` +
        `${esc(figure(prevClose))} at ${esc(zonedTime(prevTimestamp, timeZone))}: a change of ` +
        `${esc(fixed(changePct, 3))}%, beyond the threshold of ±${esc(fixed(thresholds.a1 * 100, 3))}%; ` +
        `severity ${esc(fixed(severity, 2))}.</p>`,
    );
  }
  if (alert.a2) {
    const { avgVolume, windowBars, volumeRatio, severity } = alert.a2;
    lines.push(
      `<p><strong>A2, volume spike</strong>: volume ${esc(figure(alert.volume))} against a mean of ` +
        `${esc(figure(avgVolume))} over the ${esc(windowBars)} bar${windowBars === 1 ? '' : 's'} of the ` +
        `${esc(thresholds.windowMinutes)} minutes before: ${esc(fixed(volumeRatio, 3))} times the mean, above ` +
        `the limit of ${esc(fixed(avgVolume * (1 + thresholds.a2), 2))} (the mean plus ` +
        `${esc(fixed(thresholds.a2 * 100, 1))}%); severity ${esc(fixed(severity, 2))}.</p>`,
    );
  }
  const points = detail.episode.score?.alerts.find((part) => part.minute === alert.timestamp)?.points;
  const mark = alert.revision
    ? `<p class="meta">${esc(alert.revision.kind === 'late' ? 'Raised late' : 'Revised')} at ` +
      `${esc(zonedDateTime(alert.revision.at, timeZone))} by a late bar (object ` +
      `<code>${esc(alert.revision.object)}</code>, generation ${esc(alert.revision.generation)}).</p>`
    : '';
  return (
    `<article class="alert" data-testid="alert" data-id="${esc(alert.id)}">` +
    `<h3>${esc(zonedDateTime(alert.timestamp, timeZone))} · ${esc(alert.rules.join(' and '))} · severity ` +
    `${esc(fixed(alert.severity, 2))}${points === undefined ? '' : ` · ${esc(signedPoints(points))} points of the score`}</h3>` +
    `<p class="meta">Bar: open ${esc(figure(alert.open))}, high ${esc(figure(alert.high))}, low ` +
    `${esc(figure(alert.low))}, close ${esc(figure(alert.close))}, volume ${esc(figure(alert.volume))}. ` +
    `From <code>${esc(alert.source.object)}</code> line ${esc(alert.source.line)}` +
    `${alert.source.generation === undefined ? '' : `, generation ${esc(alert.source.generation)}`}.</p>` +
    lines.join('') +
    mark +
    '</article>'
  );
}

function alertsSection(detail: EpisodeDetail, thresholds: Thresholds, timeZone: string): string {
  const blocks = detail.alerts.map((alert) => alertBlock(alert, detail, thresholds, timeZone)).join('');
  return (
    '<section class="alerts" data-section="alerts"><h2>Alerts and the figures that fired</h2>' +
    `<p>Rules: <strong>A1</strong> fires when a minute's close moves more than ` +
    `${esc(fixed(thresholds.a1 * 100, 3))}% against the previous minute's close; <strong>A2</strong> when its ` +
    `volume is more than ${esc(fixed(thresholds.a2 * 100, 1))}% above the mean of the prior ` +
    `${esc(thresholds.windowMinutes)} minutes. Severity is how far past its threshold an alert went, 1 being ` +
    'the threshold itself.</p>' +
    (blocks === '' ? '<p>No alert stands in this episode.</p>' : blocks) +
    '</section>'
  );
}

function historyTable(history: readonly HistoryEntry[], timeZone: string): string {
  if (history.length === 0) return '<p>No triage recorded.</p>';
  // Oldest first: a history is read as the story it tells.
  const rows = [...history]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map(
      (entry) =>
        `<tr data-testid="history-entry"><td>${esc(zonedDateTime(entry.at, timeZone))}</td><td>${esc(entry.by)}</td>` +
        `<td>${esc(entry.from)} → ${esc(entry.to)}</td><td>${esc(entry.assignee ?? '')}</td>` +
        `<td class="comment">${esc(entry.comment ?? '')}</td><td class="comment">${esc(entry.notes ?? '')}</td></tr>`,
    )
    .join('');
  return (
    '<table><thead><tr><th>When</th><th>Who</th><th>Status</th><th>Assignee</th><th>Comment</th><th>Notes</th>' +
    `</tr></thead><tbody>${rows}</tbody></table>`
  );
}

function historySection(detail: EpisodeDetail, timeZone: string): string {
  const merged = detail.merged
    .map(
      ({ episode, history }) =>
        `<h3>Recorded on episode <code>${esc(episode.id)}</code> before a late bar merged it into this one ` +
        `(status ${esc(episode.status)})</h3>${historyTable(history, timeZone)}`,
    )
    .join('');
  return (
    '<section class="history" data-section="history"><h2>Triage history</h2>' +
    '<p class="meta">Every change of status, oldest first, with who made it, when, and the comment given.</p>' +
    historyTable(detail.history, timeZone) +
    merged +
    '</section>'
  );
}

/** The report: a whole HTML document. */
export function caseReportHtml(input: CaseReportInput): string {
  const { detail, timeZone, thresholds, generatedAt, generatedBy, version } = input;
  const { episode } = detail;
  const window = reportMinutes(episode, thresholds);
  const bars = input.bars.filter((bar) => {
    const minute = Math.floor(bar.time / 60);
    return minute >= window.fromMinute && minute <= window.toMinute;
  });
  const span = `${zonedDateTime(episode.start, timeZone)}–${zonedTime(episode.end, timeZone)}`;
  const title = `Case report: ${episode.symbol}, ${span} (${timeZone})`;
  const generated =
    `Generated ${zonedDateTime(generatedAt, timeZone)} ${zoneName(timeZone, generatedAt)} ` +
    `(${new Date(generatedAt).toISOString()}) for ${generatedBy} by the stock-anomalies console ${version}, ` +
    'from episode ';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    // The document says itself that it loads nothing, so that a saved copy keeps to it too.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(title)}</title><style>${REPORT_STYLE}</style></head><body>` +
    '<header data-section="header">' +
    '<p class="screen-only">Print this page or save it as PDF (Ctrl+P or ⌘P): this note is not printed.</p>' +
    `<h1>Case report: ${esc(episode.symbol)}</h1>` +
    `<p>Suspicious trading episode of ${esc(span)}, ${esc(zoneName(timeZone, episode.start))}.</p>` +
    `<p class="meta" data-testid="generated">${esc(generated)}<code>${esc(episode.id)}</code>.</p></header>` +
    instrumentSection(detail, timeZone) +
    episodeSection(detail, timeZone) +
    scoreSection(detail) +
    chartSection(detail, bars, window, timeZone) +
    alertsSection(detail, thresholds, timeZone) +
    historySection(detail, timeZone) +
    '<footer class="meta" data-section="source"><p>Source: episode ' +
    `<code>${esc(episode.id)}</code> and its alerts, bars and triage history as stored when the report was ` +
    `generated (${esc(new Date(generatedAt).toISOString())}).</p></footer>` +
    '</body></html>'
  );
}
