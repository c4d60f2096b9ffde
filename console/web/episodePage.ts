/**
 * #/episodes/:id: triage. The episode's facts, its alerts (rows open the alert), the status buttons (keys 1–5),
 * assignee, notes and a comment, and the history of every change, newest first. A closing status (dismissed,
 * confirmed) needs a comment: the page says so before sending, and shows the server's own 400 if it refuses.
 * An episode a late bar's revision withdrew says so, links the episode it merged into, and takes no triage; an
 * episode others merged into lists them ("Took the place of") with their status, assignee and history, so that
 * what analysts recorded on them stays in view. The state is episodeCtrl.ts's (the detail, loading, failures,
 * the withdrawal and the merged episodes, the score) and triageCtrl.ts's (the form); this draws them, "Why it
 * ranks here" (the suspicion score's factors) first.
 */
import type { AlertRow, EpisodeDetail, HistoryEntry, MergedEpisode, Status } from '../api/contract.js';
import { api, CLOSING_STATUSES, STATUSES } from './api.js';
import { alertColumns, alertLabel } from './alertsPage.js';
import { context } from './context.js';
import { errorBox, h, replace, statusBadge } from './dom.js';
import { episodeWithdrawalText, formatCount, formatDateTime, formatRange, zoneLabel } from './format.js';
import { setPageKeys } from './keyboard.js';
import { goBack } from './nav.js';
import { setTitle, type PageFactory } from './page.js';
import { href } from './hashRoutes.js';
import { severityCell } from './severity.js';
import { alertPoints, formatPoints } from './score.js';
import { scoreCell, whyItRanks } from './scoreView.js';
import { rowTable } from './table.js';
import { EpisodeCtrl } from './episodeCtrl.js';
import { TriageCtrl } from './triageCtrl.js';

export const episodePage: PageFactory = (root, route, signal) => {
  if (route.page !== 'episode') throw new Error('episodePage needs an episode route');
  const id = route.id;
  setTitle(id);
  const stopKeys = [{ keys: ['Escape'], label: 'back', run: () => goBack('#/episodes') }];
  setPageKeys(stopKeys);

  const page = new EpisodeCtrl(id, { episode: api.episode }, signal, () => drawPage());
  /** The detail drawn: it comes once, and the triage form then keeps its own state. */
  let rendered: EpisodeDetail | null = null;

  function drawPage(): void {
    const { detail, error } = page;
    if (detail !== null) {
      if (detail !== rendered) {
        rendered = detail;
        render(detail);
      }
    } else if (error !== null) {
      replace(root, h('p', {}, h('a', { href: '#/episodes' }, '← Episodes')), errorBox(error.message));
    } else if (page.loading) {
      replace(root, h('p', { class: 'loading' }, 'Loading ', id, '…'));
    }
  }

  void page.load();

  function render({ episode: initial, alerts, history: initialHistory }: EpisodeDetail): void {
    const tz = context.timeZone;
    const ctrl = new TriageCtrl(initial, initialHistory, api.triage, signal, () => draw());
    const closed = ctrl.closed;

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
      closed === null ? null : h('p', { class: 'triage-closed', 'data-testid': 'triage-closed' }, closed),
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
    // A withdrawn episode takes no triage: the form shows what it held, and nothing in it can be changed.
    if (closed !== null) {
      for (const control of [...statusButtons, assignee, notes, comment, saveButton]) control.disabled = true;
    }
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

    const score = page.score;
    const alertTable = rowTable<AlertRow>({
      columns: [
        ...alertColumns({ episode: false, symbol: false }),
        {
          header: 'Points',
          cell: (row) => {
            const points = alertPoints(score, row.timestamp);
            return h(
              'span',
              { class: 'num', 'data-testid': 'alert-points' },
              points === undefined ? '' : formatPoints(points),
            );
          },
          class: 'num',
        },
      ],
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
          h(
            'a',
            {
              href: api.reportUrl(id),
              target: '_blank',
              rel: 'noopener',
              class: 'case-report-link',
              'data-testid': 'case-report',
              title: 'The episode as one printable document: print it or save it as PDF',
            },
            'Case report',
          ),
          withdrawalNote(),
          facts,
        ),
        h(
          'div',
          { class: 'detail-grid' },
          h(
            'div',
            { class: 'episode-main' },
            whyItRanks(score),
            h(
              'section',
              { class: 'episode-alerts', 'aria-label': 'Alerts' },
              h('h2', {}, `Alerts (${formatCount(alerts.length)})`),
              alertTable.element,
              mergedSection(page.merged, tz),
            ),
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
          ['score', scoreCell(episode.score?.score, episode.score !== undefined && !episode.score.settled)],
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
      saveButton.disabled = ctrl.saving || closed !== null;
    }

    function showHistory(history: HistoryEntry[]): void {
      replace(historyList, historyItems(history, tz));
    }

    /** A withdrawn episode: when, why, and where its alerts went (the episode it merged into, or none). */
    function withdrawalNote(): HTMLElement | null {
      const withdrawn = page.withdrawn;
      if (withdrawn === undefined) return null;
      const intoHref = page.intoHref;
      return h(
        'p',
        {
          class: 'mark-note mark-withdrawn',
          role: 'note',
          'data-testid': 'episode-withdrawn',
          title: `${withdrawn.object}, generation ${withdrawn.generation}`,
        },
        episodeWithdrawalText(withdrawn, tz),
        intoHref === undefined || withdrawn.into === null
          ? '; it is no longer an episode.'
          : [', merged into ', h('a', { href: intoHref, 'data-testid': 'merged-into' }, withdrawn.into), '.'],
        ' Its triage and history are kept below.',
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

/** History entries, newest first, as the history list shows them. */
function historyItems(history: HistoryEntry[], tz: string): HTMLElement | HTMLElement[] {
  if (history.length === 0) return h('li', { class: 'empty' }, 'No changes yet.');
  return history.map((entry) =>
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
  );
}

/**
 * The withdrawn episodes a late bar merged into this one: each links its own page, with its status, assignee
 * and history, so that the triage recorded on them is seen where their alerts now are. Nothing when none.
 */
function mergedSection(merged: MergedEpisode[], tz: string): HTMLElement | null {
  if (merged.length === 0) return null;
  return h(
    'section',
    { class: 'merged', 'data-testid': 'merged', 'aria-label': 'Took the place of' },
    h('h2', {}, `Took the place of (${formatCount(merged.length)})`),
    h('p', { class: 'hint' }, 'Episodes a late bar merged into this one; their triage is kept on them.'),
    h(
      'ul',
      { class: 'merged-list' },
      merged.map(({ episode, history }) =>
        h(
          'li',
          { 'data-testid': 'merged-episode' },
          h(
            'div',
            { class: 'merged-head' },
            h('a', { href: href.episode(episode.id) }, formatRange(episode.start, episode.end, tz)),
            ' ',
            statusBadge(episode.status),
            ' ',
            h(
              'span',
              { class: 'assignee' },
              episode.assignee ? `assigned to ${episode.assignee}` : 'unassigned',
            ),
          ),
          h('ol', { class: 'history' }, historyItems(history, tz)),
        ),
      ),
    ),
  );
}
