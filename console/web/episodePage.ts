/**
 * #/episodes/:id: triage. The episode's facts, its alerts (rows open the alert), the status buttons (keys 1–5),
 * assignee, notes and a comment, and the history of every change, newest first. A closing status (dismissed,
 * confirmed) needs a comment: the page says so before sending, and shows the server's own 400 if it refuses.
 */
import type { AlertRow, EpisodeDetail, HistoryEntry, Status } from '../api/contract.js';
import { api, ApiError, CLOSING_STATUSES, STATUSES } from './api.js';
import { alertColumns, alertLabel } from './alertsPage.js';
import { context } from './context.js';
import { errorBox, h, replace, statusBadge } from './dom.js';
import { formatCount, formatDateTime, formatRange, zoneLabel } from './format.js';
import { setPageKeys } from './keyboard.js';
import { goBack } from './nav.js';
import { setTitle, type PageFactory } from './page.js';
import { href } from './hashRoutes.js';
import { severityCell } from './severity.js';
import { rowTable } from './table.js';
import { isAbort, withRetry } from './retry.js';
import { TriageCtrl } from './triageCtrl.js';

export const episodePage: PageFactory = (root, route, signal) => {
  if (route.page !== 'episode') throw new Error('episodePage needs an episode route');
  const id = route.id;
  setTitle(id);
  const stopKeys = [{ keys: ['Escape'], label: 'back', run: () => goBack('#/episodes') }];
  setPageKeys(stopKeys);
  replace(root, h('p', { class: 'loading' }, 'Loading ', id, '…'));

  const failed = (error: unknown) =>
    replace(
      root,
      h('p', {}, h('a', { href: '#/episodes' }, '← Episodes')),
      errorBox(error instanceof ApiError ? error.message : String(error)),
    );
  withRetry((pageSignal) => api.episode(id, pageSignal), { signal, onRetry: failed }).then(
    // An answer that came as the page went is not drawn: root is the next page's.
    (detail) => signal.aborted || render(detail),
    (error) => {
      if (!isAbort(error)) failed(error);
    },
  );

  function render({ episode: initial, alerts, history: initialHistory }: EpisodeDetail): void {
    const tz = context.timeZone;
    const ctrl = new TriageCtrl(initial, initialHistory, api.triage, signal, () => draw());

    const facts = h('dl', { class: 'episode-facts', 'data-testid': 'episode-facts' });
    const statusButtons = STATUSES.map((status, i) =>
      h(
        'button',
        {
          type: 'button',
          class: `status-button status-${status}`,
          'data-status': status,
          'data-testid': `status-${status}`,
          'aria-pressed': 'false',
          'aria-keyshortcuts': String(i + 1),
          onclick: () => chooseStatus(status),
        },
        h('kbd', {}, String(i + 1)),
        ' ',
        status,
      ),
    );
    const assignee = h('input', {
      type: 'text',
      id: 'triage-assignee',
      'data-testid': 'assignee',
      autocomplete: 'off',
      placeholder: context.meta ? `who (you are ${context.meta.user})` : 'who',
    });
    const notes = h('textarea', { id: 'triage-notes', 'data-testid': 'notes', rows: 3 });
    const comment = h('textarea', {
      id: 'triage-comment',
      'data-testid': 'comment',
      rows: 3,
      placeholder: 'What you found, why this status (required to dismiss or confirm)',
      'aria-describedby': 'triage-message',
    });
    const message = h('div', { id: 'triage-message', class: 'triage-message', 'aria-live': 'assertive' });
    const saveButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'save' }, 'Save');
    const historyList = h('ol', { class: 'history', 'data-testid': 'history' });

    const form = h(
      'form',
      { class: 'triage', 'data-testid': 'triage', 'aria-label': 'Triage' },
      h('div', { class: 'status-group', role: 'group', 'aria-label': 'Status' }, statusButtons),
      h('div', { class: 'pending', 'data-testid': 'pending' }),
      h('label', { for: 'triage-assignee' }, 'Assignee'),
      assignee,
      h('label', { for: 'triage-notes' }, 'Notes'),
      notes,
      h('label', { for: 'triage-comment' }, 'Comment'),
      comment,
      message,
      h('div', { class: 'actions' }, saveButton, h('span', { class: 'hint' }, 'Ctrl+Enter saves')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void save();
    });
    // The texts as typed are the ctrl's: it sends them, and empties the comment once saved.
    for (const [field, control] of [
      ['assignee', assignee],
      ['notes', notes],
      ['comment', comment],
    ] as const) {
      control.addEventListener('input', () => ctrl.edit(field, control.value));
    }

    const alertTable = rowTable<AlertRow>({
      columns: alertColumns({ episode: false, symbol: false }),
      href: (row) => href.alert(row.id),
      label: alertLabel,
      id: (row) => row.id,
      testid: 'alert',
      empty: 'No alerts.',
      caption: 'Alerts of this episode',
    });
    alertTable.setRows(alerts);

    replace(
      root,
      h(
        'article',
        { class: 'episode-detail', 'data-testid': 'episode-detail', 'aria-labelledby': 'page-title' },
        h(
          'header',
          { class: 'page-head' },
          h(
            'nav',
            { class: 'crumbs', 'aria-label': 'Breadcrumb' },
            h('a', { href: '#/episodes' }, 'Episodes'),
          ),
          h(
            'h1',
            { id: 'page-title' },
            h('span', { class: 'symbol' }, initial.symbol),
            ' ',
            formatRange(initial.start, initial.end, tz),
            ' ',
            h('span', { class: 'zone' }, zoneLabel(tz, Date.parse(initial.start))),
          ),
          facts,
        ),
        h(
          'div',
          { class: 'detail-grid' },
          h(
            'section',
            { class: 'episode-alerts', 'aria-label': 'Alerts' },
            h('h2', {}, `Alerts (${formatCount(alerts.length)})`),
            alertTable.element,
          ),
          h(
            'aside',
            { class: 'triage-panel' },
            h('h2', {}, 'Triage'),
            form,
            h('h2', {}, 'History'),
            historyList,
          ),
        ),
      ),
    );

    /** What was drawn last: the form's texts are written only when the ctrl's episode changed (a save). */
    let drawnEpisode: unknown = null;
    let drawnHistory: unknown = null;

    function draw(): void {
      const { episode, pending } = ctrl;
      replace(
        facts,
        [
          ['status', statusBadge(episode.status)],
          ['alerts', formatCount(episode.count)],
          ['A1 / A2', `${formatCount(episode.a1)} / ${formatCount(episode.a2)}`],
          ['peak severity', severityCell(episode.peakSeverity)],
          ['assignee', episode.assignee ?? '—'],
          [
            'updated',
            episode.updatedAt
              ? `${formatDateTime(episode.updatedAt, tz)}${episode.updatedBy ? ` by ${episode.updatedBy}` : ''}`
              : '—',
          ],
        ].map(([label, value]) =>
          h('div', {}, h('dt', {}, label as string), h('dd', {}, value as Node | string)),
        ),
      );
      for (const button of statusButtons) {
        const status = button.dataset.status as Status;
        button.setAttribute('aria-pressed', String(status === episode.status));
        button.classList.toggle('pending', status === pending);
      }
      const pendingBox = form.querySelector<HTMLElement>('.pending');
      if (pendingBox) {
        replace(
          pendingBox,
          pending !== null && pending !== episode.status
            ? ['New status: ', statusBadge(pending), ' — press Save to apply']
            : null,
        );
      }
      if (ctrl.history !== drawnHistory) {
        drawnHistory = ctrl.history;
        showHistory(ctrl.history);
      }
      if (episode !== drawnEpisode) {
        drawnEpisode = episode;
        assignee.value = ctrl.fields.assignee;
        notes.value = ctrl.fields.notes;
        comment.value = ctrl.fields.comment;
      }
      const said = ctrl.message;
      replace(
        message,
        said === null ? null : h('p', { class: said.kind, 'data-testid': `triage-${said.kind}` }, said.text),
      );
      saveButton.disabled = ctrl.saving;
    }

    function showHistory(history: HistoryEntry[]): void {
      replace(
        historyList,
        history.length === 0
          ? h('li', { class: 'empty' }, 'No changes yet.')
          : history.map((entry) =>
              h(
                'li',
                { 'data-testid': 'history-entry' },
                h(
                  'div',
                  { class: 'history-head' },
                  h('time', { datetime: entry.at }, formatDateTime(entry.at, tz)),
                  ' ',
                  h('span', { class: 'by' }, entry.by),
                  ' ',
                  statusBadge(entry.from),
                  ' → ',
                  statusBadge(entry.to),
                ),
                entry.assignee ? h('div', { class: 'history-field' }, 'assignee: ', entry.assignee) : null,
                entry.notes ? h('div', { class: 'history-field' }, 'notes: ', entry.notes) : null,
                entry.comment ? h('blockquote', { class: 'comment' }, entry.comment) : null,
              ),
            ),
      );
    }

    function chooseStatus(status: Status): void {
      if (ctrl.chooseStatus(status) === 'comment') comment.focus();
    }

    async function save(): Promise<void> {
      if ((await ctrl.save()) === 'comment') comment.focus();
    }

    draw();
    setTitle(`${initial.symbol} episode`);

    setPageKeys([
      ...STATUSES.map((status, i) => ({
        keys: [String(i + 1)],
        label: `set ${status}${CLOSING_STATUSES.includes(status) ? ' (asks for a comment)' : ''}`,
        run: () => chooseStatus(status),
      })),
      {
        keys: ['Ctrl+Enter'],
        label: 'save',
        whileTyping: true,
        run: () => void save(),
      },
      { keys: ['j', 'ArrowDown'], label: 'next alert', run: () => alertTable.move(1) },
      { keys: ['k', 'ArrowUp'], label: 'previous alert', run: () => alertTable.move(-1) },
      { keys: ['Enter'], label: 'open the alert', run: () => alertTable.open() },
      { keys: ['c'], label: 'write a comment', run: () => comment.focus() },
      {
        keys: ['Escape'],
        label: 'leave the field, or go back',
        whileTyping: true,
        run: (event) => {
          const target = event.target;
          if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) target.blur();
          else goBack('#/episodes');
        },
      },
    ]);
  }
};
