/**
 * The case report (console/answers/caseReport.ts) of an episode built here by hand: every section is there,
 * every time is on the exchange's clock as worked out by hand (IST is UTC+05:30, no daylight saving; New York
 * UTC−05:00 in winter, −04:00 in summer), a hostile comment and symbol come out as text, and the document
 * refers to nothing outside itself.
 */
import { describe, expect, it } from 'vitest';
import { caseReportHtml, exchangeOfObject, reportMinutes } from '../../../../console/answers/caseReport.js';
import { reportChartSvg } from '../../../../console/answers/reportChart.js';
import { zonedDateTime, zoneName } from '../../../../console/answers/reportText.js';
import type { AlertRow, ChartBar, EpisodeDetail, EpisodeRow } from '../../../../console/api/contract.js';

const THRESHOLDS = { a1: 0.005, a2: 0.02, windowMinutes: 10 };
const HOSTILE = '</td><script>alert("x")</script> & <img src=x onerror=alert(1)>\nsecond line';
const SYMBOL = 'M&M';
const minute = (h: number, m: number) => Date.UTC(2017, 0, 2, h, m) / 60_000;
const iso = (min: number) => `${new Date(min * 60_000).toISOString().slice(0, 19)}Z`;

const episode: EpisodeRow = {
  id: `${SYMBOL}@2017-01-02T05:06:00Z`,
  symbol: SYMBOL,
  start: '2017-01-02T05:06:00Z',
  end: '2017-01-02T05:08:00Z',
  count: 2,
  a1: 1,
  a2: 2,
  peakSeverity: 1.960784,
  score: {
    score: 63.4,
    settled: false,
    baseline: 'usual',
    factors: [
      { factor: 'move', points: 30.5, detail: 'a move of 4.1 times its usual at this time of day' },
      { factor: 'volume', points: 25, detail: 'volume 2.0 times its usual' },
      { factor: 'market', points: -8.3, detail: 'the market moved 0.4% the same way' },
      { factor: 'shape', points: 16.2, detail: 'a spike that reverts' },
      { factor: 'close', points: 0, detail: 'not near the close' },
      { factor: 'liquidity', points: 0, detail: 'measured from a usual volume' },
    ],
    alerts: [
      { minute: '2017-01-02T05:06:00Z', points: 41.2 },
      { minute: '2017-01-02T05:08:00Z', points: 22.2 },
    ],
  },
  status: 'confirmed',
  assignee: 'ana@example.com',
  updatedAt: '2017-01-03T10:45:30Z',
  updatedBy: 'bo@example.com',
};

const alerts: AlertRow[] = [
  {
    id: `${SYMBOL}@2017-01-02T05:06:00Z`,
    symbol: SYMBOL,
    timestamp: '2017-01-02T05:06:00Z',
    rules: ['A1', 'A2'],
    severity: 1.960784,
    open: 123.85,
    high: 124.05,
    low: 122.9,
    close: 123.15,
    volume: 16,
    a1: { prevClose: 123.8, prevTimestamp: '2017-01-02T05:05:00Z', changePct: -0.52504, severity: 1.050081 },
    a2: { avgVolume: 8, windowBars: 10, volumeRatio: 2, severity: 1.960784 },
    source: {
      object: `uploads/${SYMBOL}__EQ__NSE__NSE__MINUTE.csv`,
      generation: '1700000000000001',
      line: 83,
    },
    episode: episode.id,
    status: 'confirmed',
  },
  {
    id: `${SYMBOL}@2017-01-02T05:08:00Z`,
    symbol: SYMBOL,
    timestamp: '2017-01-02T05:08:00Z',
    rules: ['A2'],
    severity: 1.5,
    open: 123.2,
    high: 123.3,
    low: 123.1,
    close: 123.2,
    volume: 15,
    a2: { avgVolume: 9.8, windowBars: 9, volumeRatio: 1.530612, severity: 1.5 },
    source: { object: `uploads/${SYMBOL}__EQ__NSE__NSE__MINUTE.csv`, line: 85 },
    episode: episode.id,
    status: 'confirmed',
  },
];

/** Newest first, as the API answers it. */
const history: EpisodeDetail['history'] = [
  {
    at: '2017-01-03T10:45:30Z',
    by: 'bo@example.com',
    from: 'investigating',
    to: 'confirmed',
    assignee: 'ana@example.com',
    comment: HOSTILE,
  },
  { at: '2017-01-03T04:00:00Z', by: 'ana@example.com', from: 'new', to: 'investigating', comment: 'looking' },
];

/** One bar a minute from 04:40 to 05:30 UTC (10:10 to 11:00 IST); volume = the minute's index. */
const bars: ChartBar[] = [];
for (let m = minute(4, 40); m <= minute(5, 30); m++) {
  bars.push({ time: m * 60, open: 123, high: 124, low: 122.5, close: 123.5, volume: m - minute(4, 40) });
}

const detail: EpisodeDetail = { episode, alerts, history, merged: [] };
const GENERATED = Date.UTC(2026, 11, 6, 12, 0); // 17:30 IST

const html = caseReportHtml({
  detail,
  bars,
  timeZone: 'Asia/Kolkata',
  thresholds: THRESHOLDS,
  generatedAt: GENERATED,
  generatedBy: 'ana@example.com',
  version: '9.9.9',
});

/** The markup of one section (from its opening tag to the next section's). */
function section(name: string): string {
  const start = html.indexOf(`data-section="${name}"`);
  expect(start, `section ${name}`).toBeGreaterThan(0);
  const next = html.indexOf('data-section="', start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}

/** Text with the tags dropped and the five escapes read back, as a browser would show it. */
const text = (markup: string) =>
  markup
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('caseReportHtml', () => {
  it('holds every section, in order', () => {
    const order = [
      'header',
      'instrument',
      'episode',
      'score',
      'chart',
      'bars',
      'alerts',
      'history',
      'source',
    ];
    const at = order.map((name) => html.indexOf(`data-section="${name}"`));
    expect(at.every((position) => position > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('names the instrument, the exchange its objects name and the zone', () => {
    const shown = text(section('instrument'));
    expect(shown).toContain('Instrument (symbol)M&M');
    expect(shown).toContain('NSE (series EQ)');
    expect(shown).toContain('Asia/Kolkata (UTC+05:30)');
    expect(shown).toContain('uploads/M&M__EQ__NSE__NSE__MINUTE.csv');
  });

  it('gives every time on the exchange clock (IST = UTC+05:30, worked out by hand)', () => {
    expect(text(html.slice(0, html.indexOf('</header>')))).toContain(
      'Suspicious trading episode of 2017-01-02 10:36–10:38, Asia/Kolkata (UTC+05:30)',
    );
    expect(text(section('episode'))).toContain('2017-01-02 10:36–10:38 (3 minutes)');
    expect(text(section('episode'))).toContain('Last triaged2017-01-03 16:15:30 by bo@example.com');
    // 05:05 UTC is 10:35 IST: the previous close A1 compared with.
    expect(text(section('alerts'))).toContain('against the previous close 123.8 at 10:35');
    expect(text(section('alerts'))).toContain('2017-01-02 10:38 · A2 · severity 1.50');
    expect(text(section('header'))).toContain('Generated 2026-12-06 17:30 Asia/Kolkata (UTC+05:30)');
    expect(text(section('header'))).toContain('2026-12-06T12:00:00.000Z) for ana@example.com by');
    expect(text(section('header'))).toContain('M&M@2017-01-02T05:06:00Z');
  });

  it('shows the bars from the A2 window (15 minutes) before the episode to 15 minutes after, no others', () => {
    const rows = [...section('bars').matchAll(/<tr[^>]*><td>([^<]*)<\/td>/g)].map((match) => match[1]);
    // 05:06 − 15 = 04:51 UTC (10:21 IST) to 05:08 + 15 = 05:23 UTC (10:53 IST): 33 minutes.
    expect(rows).toHaveLength(33);
    expect(rows[0]).toBe('2017-01-02 10:21');
    expect(rows.at(-1)).toBe('2017-01-02 10:53');
    // The alerts' minutes in bold, the episode's shaded: 10:36, 10:37, 10:38.
    expect(section('bars').match(/class="in-episode[^"]*"/g)).toHaveLength(3);
    expect(section('bars').match(/class="in-episode alerted"/g)).toHaveLength(2);
    expect(reportMinutes(episode, THRESHOLDS)).toEqual({
      fromMinute: minute(4, 51),
      toMinute: minute(5, 23),
    });
  });

  it('draws the chart as inline SVG: a candle and a volume bar a minute, each alert marked', () => {
    const chart = section('chart');
    expect(chart).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    const svg = chart.slice(chart.indexOf('<svg'), chart.indexOf('</svg>'));
    // Per bar: a wick line, a body and a volume rect (33); one shade and one frame rect besides.
    expect(svg.match(/<rect /g)).toHaveLength(33 * 2 + 2);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(text(svg)).toContain('10:36 A1+A2');
    expect(text(svg)).toContain('10:38 A2');
  });

  it("gives each alert's rules and the figures that fired", () => {
    const shown = text(section('alerts'));
    expect(shown).toContain('2017-01-02 10:36 · A1 and A2 · severity 1.96 · +41.2 points of the score');
    expect(shown).toContain(
      'A1, price move: close 123.15 against the previous close 123.8 at 10:35: a change of -0.525%, beyond the ' +
        'threshold of ±0.500%; severity 1.05.',
    );
    expect(shown).toContain(
      'A2, volume spike: volume 16 against a mean of 8 over the 10 bars of the 10 minutes before: 2.000 times ' +
        'the mean, above the limit of 8.16 (the mean plus 2.0%); severity 1.96.',
    );
    // 9.8 × 1.02 = 9.996.
    expect(shown).toContain('above the limit of 10.00');
    expect(shown).toContain(
      'From uploads/M&M__EQ__NSE__NSE__MINUTE.csv line 83, generation 1700000000000001.',
    );
  });

  it('gives the score, that it is provisional, and each factor with its figures', () => {
    const shown = text(section('score'));
    expect(shown).toContain('63.4 of 100, provisional');
    expect(shown).toContain("against the symbol's usual day");
    expect(shown).toContain('price move+30.5a move of 4.1 times its usual at this time of day');
    expect(shown).toContain('market−8.3the market moved 0.4% the same way');
    expect(section('score').match(/<tr>/g)).toHaveLength(7);
  });

  it('gives the whole history oldest first, who and when, the hostile comment as text', () => {
    const rows = section('history').split('data-testid="history-entry"').slice(1).map(text);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('2017-01-03 09:30ana@example.comnew → investigating');
    expect(rows[1]).toContain('2017-01-03 16:15:30bo@example.cominvestigating → confirmed');
    expect(rows[1]).toContain(HOSTILE);
    // Nothing of it became markup.
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img');
  });

  it('refers to nothing outside itself: no script, link, image or URL', () => {
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.filter((tag) => /\s(src|href|srcset|action|xlink:href|poster|data)\s*=/i.test(tag))).toEqual(
      [],
    );
    // Only elements that show text or draw, none that loads anything.
    const ALLOWED = new Set(
      (
        'html head meta title style body header footer section article figure figcaption h1 h2 h3 p dl dt dd ' +
        'strong code br span table thead tbody tr th td svg rect line text path'
      ).split(' '),
    );
    const names = tags.map((tag) => /^<([a-z0-9]+)/i.exec(tag)![1]!.toLowerCase());
    expect(names.filter((name) => !ALLOWED.has(name))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/i);
    // The one address is the SVG namespace's name, which is never fetched.
    expect(html.match(/https?:\/\/[^\s"<]*/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('prints cleanly: page size, repeated table heads, nothing of the screen note', () => {
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html).toMatch(/@media print \{[^@]*\.screen-only \{ display: none; \}/);
  });

  it('says when an episode is not scored, and shows what was recorded on episodes merged into it', () => {
    const { score: _score, ...unscored } = episode;
    const merged = caseReportHtml({
      detail: {
        episode: unscored,
        alerts,
        history: [],
        merged: [
          {
            episode: { ...unscored, id: 'M&M@2017-01-02T05:07:00Z', status: 'dismissed' },
            history: [
              { at: '2017-01-02T06:00:00Z', by: 'cy', from: 'new', to: 'dismissed', comment: 'noise' },
            ],
          },
        ],
      },
      bars: [],
      timeZone: 'Asia/Kolkata',
      thresholds: THRESHOLDS,
      generatedAt: GENERATED,
      generatedBy: 'ana@example.com',
      version: '9.9.9',
    });
    expect(text(merged)).toContain('Not scored: the episode was stored before scores existed.');
    expect(text(merged)).toContain('No triage recorded.');
    expect(text(merged)).toContain(
      'Recorded on episode M&M@2017-01-02T05:07:00Z before a late bar merged it into this one (status dismissed)',
    );
    expect(text(merged)).toContain('2017-01-02 11:30cynew → dismissednoise');
    expect(text(merged)).toContain('No bars are stored for these minutes.');
  });
});

describe('the exchange and its clock', () => {
  it('reads the exchange and series from the data layout, and nothing from other names', () => {
    expect(exchangeOfObject('TATASTEEL__EQ__NSE__NSE__MINUTE.csv.gz')).toEqual({
      exchange: 'NSE',
      series: 'EQ',
    });
    expect(exchangeOfObject('a/b/BRK.B__EQ__NYSE__NYSE__MINUTE.csv')).toEqual({
      exchange: 'NYSE',
      series: 'EQ',
    });
    expect(exchangeOfObject('replay/2017-01-02T0345Z.csv')).toBeUndefined();
    expect(exchangeOfObject('INFY.csv')).toBeUndefined();
  });

  it("reads a zone with daylight saving on the day's own offset (New York, by hand)", () => {
    // 14:30 UTC: 09:30 EST (UTC−05:00) on 2 January, 10:30 EDT (UTC−04:00) on 1 July.
    expect(zonedDateTime('2024-01-02T14:30:00Z', 'America/New_York')).toBe('2024-01-02 09:30');
    expect(zonedDateTime('2024-07-01T14:30:00Z', 'America/New_York')).toBe('2024-07-01 10:30');
    expect(zoneName('America/New_York', '2024-01-02T14:30:00Z')).toBe('America/New_York (UTC−05:00)');
    expect(zoneName('America/New_York', '2024-07-01T14:30:00Z')).toBe('America/New_York (UTC−04:00)');
    // Across midnight: 20:00 UTC is 01:30 the next day in IST.
    expect(zonedDateTime(iso(Date.UTC(2017, 0, 2, 20, 0) / 60_000), 'Asia/Kolkata')).toBe('2017-01-03 01:30');
  });
});

describe('reportChartSvg', () => {
  it("labels the time axis at round times of the exchange's clock (IST hours start at :30 UTC)", () => {
    // 04:00 to 10:00 UTC is 09:30 to 15:30 IST: six hours, labelled every hour, on the hour in IST.
    const svg = reportChartSvg({
      bars: [],
      fromMinute: minute(4, 0),
      toMinute: minute(10, 0),
      episode: { startMinute: minute(5, 0), endMinute: minute(5, 10) },
      alerts: [],
      timeZone: 'Asia/Kolkata',
    });
    const labels = [...svg.matchAll(/<text [^>]*text-anchor="middle"[^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(labels.filter((label) => /^\d\d:\d\d$/.test(label!))).toEqual([
      '10:00',
      '11:00',
      '12:00',
      '13:00',
      '14:00',
      '15:00',
    ]);
  });
});
