/**
 * #/health: is the pipeline keeping up? The dispatcher's consumer lag per partition with how long its oldest
 * waiting record has waited, an alarm for records that expired before they were handled, the records parked on
 * the dead-letter topic with their reasons, the alert messages notify could not write (Pub/Sub's dead letters,
 * which it drops after 7 days), each symbol's last processed minute (held symbols flagged: nothing of theirs is
 * detected until redrive), the bars never detected (too late, future, symbol) and the late ones detected in their
 * place, and the ingestions running or failed. Refreshes every few seconds. The
 * state, its schedule and its requests are healthCtrl.ts's; this draws it whenever it changes and hands it the
 * analyst's `r`.
 */
import type { Health, IngestionRow } from '../api/contract.js';
import { api } from './api.js';
import { context } from './context.js';
import { errorBox, h, replace, statusBadge } from './dom.js';
import { formatAge, formatCount, formatDateTime, formatTime, zoneLabel } from './format.js';
import { setPageKeys } from './keyboard.js';
import { HealthCtrl, HEALTH_REFRESH_MS } from './healthCtrl.js';
import { setTitle, type PageFactory } from './page.js';

function isError(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'error' in value;
}

export const healthPage: PageFactory = (root, _route, signal) => {
  setTitle('Health');
  const ctrl = new HealthCtrl(api.health, signal, () => draw());
  const updated = h('span', { class: 'updated', 'data-testid': 'updated', 'aria-live': 'polite' });
  const body = h(
    'div',
    { class: 'health', 'data-testid': 'health' },
    h('p', { class: 'loading' }, 'Loading…'),
  );

  replace(
    root,
    h(
      'section',
      { 'aria-labelledby': 'page-title' },
      h(
        'header',
        { class: 'page-head' },
        h('h1', { id: 'page-title' }, 'Health'),
        h('div', { class: 'counts' }, updated),
      ),
      body,
    ),
  );

  /** The answer drawn last: the cards are drawn again only for a new one (a failure leaves them as they are). */
  let drawnHealth: Health | null = null;

  function draw(): void {
    const { health, error, updatedAt } = ctrl;
    if (health !== null && health !== drawnHealth) {
      drawnHealth = health;
      render(health);
    }
    if (error !== null) {
      updated.textContent = `not updated: ${error.message}`;
      updated.classList.add('stale');
    } else if (updatedAt !== null) {
      updated.textContent = `updated ${formatTime(updatedAt, context.timeZone)} · every ${HEALTH_REFRESH_MS / 1000} s · times ${zoneLabel(context.timeZone)}`;
      updated.classList.remove('stale');
    }
  }

  function render(health: Health): void {
    const tz = context.timeZone;
    const kafka = health.kafka;
    // Ages as of this answer (the page asks again every few seconds).
    const now = Date.now();
    const age = (iso: string) => formatAge(now - Date.parse(iso));
    const expired = isError(kafka) ? [] : kafka.partitions.filter((p) => p.expired > 0);
    const kafkaSection = h(
      'section',
      { class: 'card', 'data-testid': 'kafka' },
      h('h2', {}, 'Kafka consumer lag'),
      isError(kafka)
        ? errorBox(kafka.error)
        : [
            h(
              'p',
              { class: 'summary' },
              h('code', {}, kafka.topic),
              ' read by ',
              h('code', {}, kafka.group),
              ': total lag ',
              h(
                'strong',
                { class: kafka.totalLag > 0 ? 'warn' : 'ok', 'data-testid': 'total-lag' },
                formatCount(kafka.totalLag),
              ),
            ),
            expired.length === 0
              ? null
              : errorBox(
                  `${formatCount(kafka.totalExpired)} records expired before the dispatcher handled them ` +
                    `(${expired.map((p) => `partition ${p.partition}: ${formatCount(p.expired)}`).join(', ')}): ` +
                    'retention removed them and they will never be detected. The topics keep every record ' +
                    'unless their retention was changed: restore it (docs/deploy.md).',
                  'expired',
                ),
            table(
              ['Partition', 'Committed', 'Log start', 'End', 'Lag', 'Oldest waiting', 'Expired'],
              kafka.partitions.map((p) => [
                String(p.partition),
                p.committed === null ? '—' : String(p.committed),
                String(p.logStart),
                String(p.end),
                h('span', { class: p.lag > 0 ? 'warn' : '' }, formatCount(p.lag)),
                p.waitingSince === null
                  ? p.lag > 0
                    ? '…'
                    : '—'
                  : h(
                      'span',
                      { class: 'warn', title: `written ${formatDateTime(p.waitingSince, tz)}` },
                      `${age(p.waitingSince)} ago`,
                    ),
                p.expired > 0 ? h('strong', { class: 'error-text' }, formatCount(p.expired)) : '0',
              ]),
              'partitions',
              [0, 1, 2, 3, 4, 6],
            ),
            kafka.waitingSinceError
              ? h('p', { class: 'error-text' }, `Waiting times unknown: ${kafka.waitingSinceError}`)
              : null,
          ],
    );
    const dead = health.deadLetters;
    const deadSection = h(
      'section',
      { class: 'card', 'data-testid': 'dead-letters' },
      h('h2', {}, 'Dead-lettered records'),
      isError(dead)
        ? errorBox(dead.error)
        : dead.length === 0
          ? h('p', { class: 'ok' }, 'None parked.')
          : table(
              ['Partition', 'Offset', 'Symbol', 'Reason', 'At'],
              dead.map((d) => [
                String(d.partition),
                d.offset,
                d.symbol ?? '—',
                h('span', { class: 'error-text' }, d.reason ?? '—'),
                d.at ? formatDateTime(d.at, tz) : '—',
              ]),
              'dead-letter',
              [0, 1],
            ),
    );
    const notify = health.notifyDeadLetters;
    const notifySection = h(
      'section',
      { class: 'card', 'data-testid': 'notify-dead-letters' },
      h('h2', {}, 'Alert messages notify could not write'),
      isError(notify)
        ? errorBox(notify.error)
        : notify.count === 0
          ? h('p', { class: 'ok' }, 'None dead-lettered.')
          : [
              errorBox(
                `${formatCount(notify.count)} alert message${notify.count === 1 ? '' : 's'} on ${notify.subscription}` +
                  (notify.oldest === null
                    ? ''
                    : `, the oldest dead-lettered ${age(notify.oldest)} ago (${formatDateTime(notify.oldest, tz)})`) +
                  ": their alerts are not written. Pub/Sub drops each 7 days after it was dead-lettered; fix notify's " +
                  "trouble, then run 'stock-anomalies redrive'.",
                'notify-dead-letter-count',
              ),
            ],
    );
    const held = health.symbols.filter((s) => s.held).length;
    const symbolsSection = h(
      'section',
      { class: 'card', 'data-testid': 'symbols' },
      h('h2', {}, 'Symbols', held > 0 ? h('span', { class: 'badge held' }, `${held} held`) : null),
      health.symbols.length === 0
        ? h('p', { class: 'empty' }, 'No symbol processed yet.')
        : table(
            ['Symbol', 'Last processed minute', 'Alerts', 'State'],
            health.symbols.map((s) => [
              s.symbol,
              s.lastMinute ? formatDateTime(s.lastMinute, tz) : '—',
              formatCount(s.alerts),
              s.held
                ? h(
                    'span',
                    { class: 'badge held', title: 'a record of this symbol is parked: redrive to resume' },
                    'held',
                  )
                : h('span', { class: 'ok' }, 'ok'),
            ]),
            'symbol',
            [2],
            health.symbols.map((s) => (s.held ? 'held-row' : '')),
          ),
    );
    const undetected = health.undetected;
    const notDetected = undetected.tooLate + undetected.future + undetected.symbol;
    const undetectedSection = h(
      'section',
      { class: 'card', 'data-testid': 'undetected' },
      h('h2', {}, 'Bars not detected, and late ones'),
      notDetected === 0
        ? h('p', { class: 'ok' }, 'Every bar sent was detected or is a repeat.')
        : errorBox(
            `${formatCount(undetected.tooLate)} bars too late (past the lateness horizon), ` +
              `${formatCount(undetected.future)} rows from the future, ${formatCount(undetected.symbol)} rows ` +
              "with a symbol outside the grammar: never detected. Each object's report and set-aside rows say which.",
            'undetected-count',
          ),
      undetected.late > 0
        ? h(
            'p',
            { class: 'warn', 'data-testid': 'late-count' },
            `${formatCount(undetected.late)} late bars detected in their place (after a later minute of their symbol): ` +
              'the alerts they changed are marked revised or withdrawn.',
          )
        : null,
      undetected.objects.length === 0
        ? null
        : table(
            ['Object', 'Too late', 'Future', 'Symbol', 'Late'],
            undetected.objects.map((o) => [
              h('code', {}, o.object),
              formatCount(o.tooLate),
              formatCount(o.future),
              formatCount(o.symbol),
              formatCount(o.late),
            ]),
            'undetected',
            [1, 2, 3, 4],
          ),
    );
    const ingestRows = (rows: IngestionRow[]) =>
      rows.map((row) => [
        h('code', {}, row.object),
        statusBadge(row.status),
        row.startedAt ? formatDateTime(row.startedAt, tz) : '—',
        h('span', { class: 'error-text' }, row.error ?? ''),
      ]);
    const ingestSection = h(
      'section',
      { class: 'card', 'data-testid': 'health-ingestions' },
      h('h2', {}, 'Ingestions running or failed'),
      health.ingestions.running.length + health.ingestions.failed.length === 0
        ? h('p', { class: 'ok' }, 'None running, none failed.')
        : table(
            ['Object', 'Status', 'Started', 'Error'],
            [...ingestRows(health.ingestions.running), ...ingestRows(health.ingestions.failed)],
            'health-ingestion',
            [],
          ),
      h('p', {}, h('a', { href: '#/ingestions' }, 'All ingestions →')),
    );
    replace(
      body,
      h(
        'div',
        { class: 'cards' },
        kafkaSection,
        deadSection,
        notifySection,
        undetectedSection,
        ingestSection,
        symbolsSection,
      ),
    );
  }

  setPageKeys([{ keys: ['r'], label: 'refresh now', run: () => void ctrl.refresh() }]);
  void ctrl.refresh();
};

function table(
  headers: string[],
  rows: (Node | string)[][],
  testid: string,
  numeric: number[],
  rowClasses: string[] = [],
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text, i) =>
            h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, text),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells, r) =>
          h(
            'tr',
            { 'data-testid': `${testid}-row`, class: rowClasses[r] || null },
            cells.map((cell, i) => h('td', { class: numeric.includes(i) ? 'num' : null }, cell)),
          ),
        ),
      ),
    ),
  );
}
