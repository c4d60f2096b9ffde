/**
 * The triage form's state (console/web/triageCtrl.ts) without a browser: choosing a status only marks it, a
 * closing status needs a comment before anything is sent, what a save sends and what it leaves, the server's
 * refusals in its own words, trying again, and a page that goes.
 */
import { describe, expect, it } from 'vitest';
import type {
  EpisodeRow,
  HistoryEntry,
  TriageAnswer,
  TriageRequest,
} from '../../../../console/api/contract.js';
import { ApiError } from '../../../../console/web/api.js';
import { TriageCtrl, triageProblem } from '../../../../console/web/triageCtrl.js';

const EPISODE: EpisodeRow = {
  id: 'ACME@2017-01-02T05:06:00Z',
  symbol: 'ACME',
  start: '2017-01-02T05:06:00Z',
  end: '2017-01-02T05:09:00Z',
  count: 3,
  a1: 2,
  a2: 1,
  peakSeverity: 1.5,
  status: 'investigating',
  assignee: 'ana',
  notes: 'big print',
  updatedAt: '2024-03-01T10:00:00.000Z',
  updatedBy: 'ana',
};

const entry = (from: HistoryEntry['from'], to: HistoryEntry['to']): HistoryEntry => ({
  at: '2024-03-01T11:00:00.000Z',
  by: 'bo',
  from,
  to,
});

/** A ctrl whose server is `send`, with every request and draw recorded. */
function formOf(send: (request: TriageRequest, signal: AbortSignal) => Promise<TriageAnswer>) {
  const sent: Array<{ id: string; request: TriageRequest }> = [];
  let draws = 0;
  const page = new AbortController();
  const ctrl = new TriageCtrl(
    EPISODE,
    [entry('new', 'investigating')],
    (id, request, signal) => {
      sent.push({ id, request });
      return send(request, signal);
    },
    page.signal,
    () => void draws++,
  );
  return { ctrl, sent, page, draws: () => draws };
}

const saved = (request: TriageRequest): TriageAnswer => ({
  episode: {
    ...EPISODE,
    status: request.status,
    ...(request.assignee ? { assignee: request.assignee } : {}),
    updatedAt: '2024-03-01T11:00:00.000Z',
    updatedBy: 'bo',
  },
  history: [entry(EPISODE.status, request.status), entry('new', 'investigating')],
});

describe('triageProblem', () => {
  it('asks a comment to close (dismissed, confirmed), blank meaning none, and nothing else', () => {
    expect(triageProblem('dismissed', '   ')).toBe('A comment is required to set dismissed: say why.');
    expect(triageProblem('confirmed', '')).toBe('A comment is required to set confirmed: say why.');
    expect(triageProblem('confirmed', 'matched a scheme')).toBeNull();
    expect(triageProblem('escalated', '')).toBeNull();
  });
});

describe('TriageCtrl', () => {
  it('starts from the episode: its texts in the form, no status chosen, Save keeping its status', () => {
    const { ctrl } = formOf(async (request) => saved(request));
    expect(ctrl.fields).toEqual({ assignee: 'ana', notes: 'big print', comment: '' });
    expect([ctrl.pending, ctrl.status, ctrl.saving, ctrl.message]).toEqual([
      null,
      'investigating',
      false,
      null,
    ]);
  });

  it('only marks a chosen status; a closing one without a comment says why and asks for the comment', () => {
    const { ctrl, sent } = formOf(async (request) => saved(request));

    expect(ctrl.chooseStatus('escalated')).toBeUndefined();
    expect([ctrl.pending, ctrl.status, ctrl.message]).toEqual(['escalated', 'escalated', null]);
    expect(ctrl.chooseStatus('dismissed')).toBe('comment');
    expect(ctrl.message).toEqual({ kind: 'error', text: 'A comment is required to set dismissed: say why.' });
    // With a comment typed, the same choice is fine, and the message goes.
    ctrl.edit('comment', 'a fat finger');
    expect(ctrl.chooseStatus('dismissed')).toBeUndefined();
    expect(ctrl.message).toBeNull();
    expect(sent).toEqual([]);
  });

  it('refuses to send a close without a comment', async () => {
    const { ctrl, sent } = formOf(async (request) => saved(request));
    ctrl.chooseStatus('confirmed');
    ctrl.edit('comment', '  ');

    expect(await ctrl.save()).toBe('comment');
    expect(sent).toEqual([]);
    expect(ctrl.message?.kind).toBe('error');
  });

  it('sends the status and the texts as typed (trimmed, an empty comment left out) with the triage it saw', async () => {
    const { ctrl, sent } = formOf(async (request) => saved(request));
    ctrl.chooseStatus('escalated');
    ctrl.edit('assignee', '  bo ');
    ctrl.edit('notes', 'bigger print ');

    await ctrl.save();

    expect(sent).toEqual([
      {
        id: 'ACME@2017-01-02T05:06:00Z',
        request: {
          status: 'escalated',
          assignee: 'bo',
          notes: 'bigger print ',
          comment: undefined,
          seen: '2024-03-01T10:00:00.000Z',
        },
      },
    ]);
  });

  it('is saving while the request is out (a second save sends nothing), then shows what the server answered', async () => {
    let answer!: (value: TriageAnswer) => void;
    const { ctrl, sent } = formOf(
      (request) =>
        new Promise((resolve) => {
          answer = () => resolve(saved(request));
        }),
    );
    ctrl.chooseStatus('confirmed');
    ctrl.edit('comment', ' matched a known scheme ');

    const saving = ctrl.save();
    expect(ctrl.saving).toBe(true);
    await ctrl.save();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request.comment).toBe('matched a known scheme');
    answer(saved(sent[0]!.request));
    await saving;

    expect(ctrl.saving).toBe(false);
    expect(ctrl.episode).toMatchObject({ status: 'confirmed', updatedBy: 'bo' });
    expect(ctrl.history.map((change) => change.to)).toEqual(['confirmed', 'investigating']);
    // Applied: nothing pending, the comment emptied for the next change, the texts the episode's.
    expect([ctrl.pending, ctrl.status]).toEqual([null, 'confirmed']);
    expect(ctrl.fields).toEqual({ assignee: 'ana', notes: 'big print', comment: '' });
    expect(ctrl.message).toEqual({ kind: 'ok', text: 'Saved: confirmed.' });
    // The next save says it saw this triage, not the first.
    ctrl.chooseStatus('escalated');
    const again = ctrl.save();
    answer(saved(sent[1]!.request));
    await again;
    expect(sent[1]!.request.seen).toBe('2024-03-01T11:00:00.000Z');
  });

  it("shows the server's refusal in its own words, keeps what was typed, and a second try goes through", async () => {
    let refusals = [
      new ApiError(409, "episode 'ACME@2017-01-02T05:06:00Z' was triaged by cy at 2024-03-01T10:30:00.000Z"),
      new ApiError(0, 'the console server did not answer (Failed to fetch)'),
    ];
    const { ctrl, sent } = formOf(async (request) => {
      const refusal = refusals.shift();
      if (refusal) throw refusal;
      return saved(request);
    });
    ctrl.chooseStatus('escalated');
    ctrl.edit('comment', 'urgent');

    await ctrl.save();
    expect(ctrl.message).toEqual({
      kind: 'error',
      text: "409: episode 'ACME@2017-01-02T05:06:00Z' was triaged by cy at 2024-03-01T10:30:00.000Z",
    });
    expect([ctrl.saving, ctrl.pending, ctrl.fields.comment]).toEqual([false, 'escalated', 'urgent']);

    await ctrl.save();
    // No answer at all: no status to name.
    expect(ctrl.message).toEqual({
      kind: 'error',
      text: 'the console server did not answer (Failed to fetch)',
    });

    refusals = [];
    await ctrl.save();
    expect(sent).toHaveLength(3);
    expect(ctrl.message).toEqual({ kind: 'ok', text: 'Saved: escalated.' });
  });

  it('leaves everything as it was when its page goes while saving', async () => {
    const { ctrl, page, draws } = formOf(
      (_request, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new DOMException('left', 'AbortError'))),
        ),
    );
    ctrl.chooseStatus('escalated');
    const saving = ctrl.save();
    const drawn = draws();
    page.abort();
    await saving;

    expect([ctrl.episode, ctrl.message, ctrl.pending]).toEqual([EPISODE, null, 'escalated']);
    expect(draws()).toBe(drawn);
  });
});

describe('TriageCtrl: an episode a late bar withdrew', () => {
  const withdrawnForm = (into: string | null) => {
    const sent: TriageRequest[] = [];
    let draws = 0;
    const ctrl = new TriageCtrl(
      {
        ...EPISODE,
        withdrawn: { at: '2024-03-01T10:00:05.250Z', into, object: 'late.csv', generation: '7' },
      },
      [entry('new', 'investigating')],
      async (_id, request) => {
        sent.push(request);
        return saved(request);
      },
      new AbortController().signal,
      () => void draws++,
    );
    return { ctrl, sent, draws: () => draws };
  };

  it('is open on a standing episode', () => {
    const { ctrl } = formOf(async (request) => saved(request));
    expect(ctrl.closed).toBeNull();
  });

  it('takes no status and sends nothing, saying to triage the episode it merged into', async () => {
    const { ctrl, sent, draws } = withdrawnForm('ACME@2017-01-02T05:00:00Z');
    const why = 'This episode was withdrawn: triage the episode it was merged into.';
    expect(ctrl.closed).toBe(why);

    expect(ctrl.chooseStatus('escalated')).toBeUndefined();
    expect([ctrl.pending, ctrl.status]).toEqual([null, 'investigating']);
    expect(ctrl.message).toEqual({ kind: 'error', text: why });
    ctrl.edit('comment', 'same trader');
    expect(await ctrl.save()).toBeUndefined();
    expect(sent).toEqual([]);
    expect(ctrl.saving).toBe(false);
    expect(draws()).toBe(2);
    // What was recorded on it is kept as it was.
    expect(ctrl.episode.status).toBe('investigating');
    expect(ctrl.history).toEqual([entry('new', 'investigating')]);
  });

  it('says an episode withdrawn into none is no longer an episode', async () => {
    const { ctrl, sent } = withdrawnForm(null);
    expect(ctrl.closed).toBe('This episode was withdrawn and is no longer an episode: it takes no triage.');
    await ctrl.save();
    expect(sent).toEqual([]);
  });
});
