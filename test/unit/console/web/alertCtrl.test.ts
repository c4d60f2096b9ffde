/**
 * The alert page's state (console/web/alertCtrl.ts) without a browser: the chart and the detail asked together,
 * a detail not written yet as no episode, retriable failures tried again RETRY_MS later and shown meanwhile,
 * other failures in the server's own words, a page that goes, and the selected alert of the day. The server is
 * a fake that records each request and answers what the test says.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertDetail, AlertRow, ChartResponse, EpisodeRow } from '../../../../console/api/contract.js';
import { ApiError } from '../../../../console/web/api.js';
import { AlertCtrl, type AlertDeps } from '../../../../console/web/alertCtrl.js';

const ID = 'IDFCFIRSTB@2017-01-02T05:06:00Z';
const EPISODE_ID = 'IDFCFIRSTB@2017-01-02T05:02:00Z';

const ALERT: AlertRow = {
  id: ID,
  symbol: 'IDFCFIRSTB',
  timestamp: '2017-01-02T05:06:00Z',
  rules: ['A1', 'A2'],
  severity: 1.05,
  open: 124,
  high: 124,
  low: 123.15,
  close: 123.15,
  volume: 16,
  source: { object: 'IDFCFIRSTB.csv', line: 7 },
  episode: EPISODE_ID,
  status: 'new',
};

const EPISODE: EpisodeRow = {
  id: EPISODE_ID,
  symbol: 'IDFCFIRSTB',
  start: '2017-01-02T05:02:00Z',
  end: '2017-01-02T05:09:00Z',
  count: 3,
  a1: 2,
  a2: 2,
  peakSeverity: 1.05,
  status: 'investigating',
  assignee: 'ana',
};

/** The chart answer of the alert at 05:06, its day's alerts at `times` (UTC, HH:MM). */
function chartOf(times = ['05:02', '05:06', '05:09']): ChartResponse {
  return {
    alert: ALERT,
    timeZone: 'Asia/Kolkata',
    thresholds: { a1: 0.005, a2: 0.02, windowMinutes: 10 },
    bars: [],
    sessionAlerts: times.map((time) => ({
      id: `IDFCFIRSTB@2017-01-02T${time}:00Z`,
      timestamp: `2017-01-02T${time}:00Z`,
      rules: ['A1'],
      severity: 1,
    })),
    prevClose: 123.8,
    prevTime: null,
    window: { from: 0, to: 0, mean: 8, limit: 8.16 },
    scoreContext: [],
  };
}

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

type Answer<T> = (signal: AbortSignal) => Promise<T>;

/**
 * A ctrl over a fake server: `chart` and `alert` answer each request; every request, wait and draw recorded.
 * `wait: 'timers'` keeps retry.ts's own timer (for fake timers).
 */
function alertOf(
  chart: Answer<ChartResponse>,
  alert: Answer<AlertDetail>,
  options: { wait?: 'timers' } = {},
) {
  const requests: string[] = [];
  const signals: AbortSignal[] = [];
  const waits: number[] = [];
  const draws: Array<{
    loading: boolean;
    error: string | null;
    alert: string | null;
    episode: string | null;
  }> = [];
  const page = new AbortController();
  const deps: AlertDeps = {
    chart: (id, signal) => {
      requests.push(`chart ${id}`);
      signals.push(signal);
      return chart(signal);
    },
    alert: (id, signal) => {
      requests.push(`alert ${id}`);
      signals.push(signal);
      return alert(signal);
    },
  };
  if (options.wait === undefined) deps.wait = async (ms) => void waits.push(ms);
  const ctrl: AlertCtrl = new AlertCtrl(ID, deps, page.signal, () =>
    draws.push({
      loading: ctrl.loading,
      error: ctrl.error && `${ctrl.error.message}${ctrl.error.retrying ? ' (retrying)' : ''}`,
      alert: ctrl.data?.alert.id ?? null,
      episode: ctrl.episode?.id ?? null,
    }),
  );
  return { ctrl, requests, signals, waits, draws, page };
}

const detail = async (): Promise<AlertDetail> => ({ alert: ALERT, episode: EPISODE });
const loaded = async () => chartOf();
/** A request that only ends when its signal aborts, as fetch does. */
const hanging = <T>(signal: AbortSignal) =>
  new Promise<T>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new DOMException('the page was left', 'AbortError'))),
  );

afterEach(() => {
  vi.useRealTimers();
});

describe('AlertCtrl: loading', () => {
  it('asks for the chart and the detail together, loading until both answer, then holds them', async () => {
    const chart = deferred<ChartResponse>();
    const { ctrl, requests, signals, draws, page } = alertOf(() => chart.promise, detail);

    const loading = ctrl.load();
    expect(requests).toEqual([`chart ${ID}`, `alert ${ID}`]);
    // Both on the page's signal: leaving the page cancels them.
    expect(signals).toEqual([page.signal, page.signal]);
    expect([ctrl.loading, ctrl.data, ctrl.error]).toEqual([true, null, null]);
    chart.resolve(chartOf());
    await loading;

    expect(ctrl.loading).toBe(false);
    expect(ctrl.error).toBeNull();
    expect(ctrl.data?.alert).toEqual(ALERT);
    expect(ctrl.episode).toEqual(EPISODE);
    // The alert itself is the second of its day's three, selected.
    expect(ctrl.selected).toBe(1);
    expect(ctrl.selectedAlert()?.id).toBe(ID);
    expect(draws).toEqual([
      { loading: true, error: null, alert: null, episode: null },
      { loading: false, error: null, alert: ID, episode: EPISODE_ID },
    ]);
  });

  it('leads `e` to the episode and Enter to the selected alert, as hash routes with @ and : kept', async () => {
    const { ctrl } = alertOf(loaded, detail);
    expect([ctrl.episodeHref, ctrl.selectedHref]).toEqual([undefined, undefined]);
    await ctrl.load();
    expect(ctrl.episodeHref).toBe('#/episodes/IDFCFIRSTB@2017-01-02T05:02:00Z');
    expect(ctrl.selectedHref).toBe('#/alerts/IDFCFIRSTB@2017-01-02T05:06:00Z');
  });

  it('takes a detail not written yet (404) as no episode, the chart shown all the same', async () => {
    const { ctrl, waits } = alertOf(loaded, async () => {
      throw new ApiError(404, `no alert '${ID}'`);
    });
    await ctrl.load();
    expect([ctrl.loading, ctrl.error, ctrl.episode]).toEqual([false, null, null]);
    expect(ctrl.data?.alert.id).toBe(ID);
    expect(waits).toEqual([]);
  });
});

describe('AlertCtrl: failures', () => {
  it('tries a retriable failure again after 1500 ms, showing it meanwhile, then shows the answer', async () => {
    const failures = [
      new ApiError(503, 'the read model is loading (10 of 40 symbols)'),
      new ApiError(0, 'the console server did not answer (Failed to fetch)'),
    ];
    const { ctrl, requests, waits, draws } = alertOf(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return chartOf();
    }, detail);

    await ctrl.load();

    // Three tries of both requests, two waits between them.
    expect(requests).toHaveLength(6);
    expect(waits).toEqual([1500, 1500]);
    expect(draws).toEqual([
      { loading: true, error: null, alert: null, episode: null },
      {
        loading: true,
        error: 'the read model is loading (10 of 40 symbols) (retrying)',
        alert: null,
        episode: null,
      },
      {
        loading: true,
        error: 'the console server did not answer (Failed to fetch) (retrying)',
        alert: null,
        episode: null,
      },
      { loading: false, error: null, alert: ID, episode: EPISODE_ID },
    ]);
  });

  it('asks again exactly RETRY_MS after a retriable failure of the detail, on its own timer', async () => {
    vi.useFakeTimers();
    let detailTries = 0;
    const { ctrl, requests } = alertOf(
      loaded,
      async () => {
        detailTries += 1;
        if (detailTries === 1) throw new ApiError(503, 'firestore is unavailable');
        return { alert: ALERT, episode: EPISODE };
      },
      { wait: 'timers' },
    );

    const loading = ctrl.load();
    await vi.advanceTimersByTimeAsync(1499);
    expect(requests).toHaveLength(2);
    expect(ctrl.error).toEqual({ message: 'firestore is unavailable', retrying: true });
    await vi.advanceTimersByTimeAsync(1);
    await loading;
    expect(requests).toHaveLength(4);
    expect([ctrl.error, ctrl.episode?.id]).toEqual([null, EPISODE_ID]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("shows any other failure at once, in the server's own words, and asks no more", async () => {
    const { ctrl, requests, waits, draws } = alertOf(async () => {
      throw new ApiError(404, `no alert '${ID}'`);
    }, detail);
    await ctrl.load();

    // A chart not found is the page failing (only the detail's 404 means no episode).
    expect(ctrl.error).toEqual({ message: `no alert '${ID}'`, retrying: false });
    expect([ctrl.loading, ctrl.data, ctrl.episode]).toEqual([false, null, null]);
    expect(requests).toHaveLength(2);
    expect(waits).toEqual([]);
    expect(draws.at(-1)).toEqual({ loading: false, error: `no alert '${ID}'`, alert: null, episode: null });
  });

  it('shows a failure of the detail other than 404, and one that is no ApiError as its text', async () => {
    const refused = alertOf(loaded, async () => {
      throw new ApiError(400, 'id: not an alert id');
    });
    await refused.ctrl.load();
    expect(refused.ctrl.error).toEqual({ message: 'id: not an alert id', retrying: false });
    expect(refused.ctrl.data).toBeNull();

    const broken = alertOf(async () => {
      throw new TypeError('bars is not iterable');
    }, detail);
    await broken.ctrl.load();
    expect(broken.ctrl.error).toEqual({ message: 'TypeError: bars is not iterable', retrying: false });
  });
});

describe('AlertCtrl: the page goes', () => {
  it('cancels the requests in flight and changes nothing after', async () => {
    const { ctrl, signals, draws, page } = alertOf(hanging, hanging);
    const loading = ctrl.load();
    page.abort();
    await loading;

    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect([ctrl.loading, ctrl.data, ctrl.error]).toEqual([true, null, null]);
    expect(draws).toHaveLength(1);
  });

  it('keeps no answer that comes after it went', async () => {
    const chart = deferred<ChartResponse>();
    const { ctrl, draws, page } = alertOf(() => chart.promise, detail);
    const loading = ctrl.load();
    page.abort();
    chart.resolve(chartOf());
    await loading;

    expect([ctrl.data, ctrl.episode, ctrl.selected]).toEqual([null, null, -1]);
    expect(draws).toHaveLength(1);
  });

  it('stops waiting to retry: no request, no timer, no change', async () => {
    vi.useFakeTimers();
    const { ctrl, requests, draws, page } = alertOf(
      async () => {
        throw new ApiError(503, 'the read model is loading');
      },
      detail,
      { wait: 'timers' },
    );
    const loading = ctrl.load();
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toHaveLength(2);
    const drawn = draws.length;
    page.abort();
    await loading;
    await vi.advanceTimersByTimeAsync(5000);

    expect(requests).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(ctrl.error).toEqual({ message: 'the read model is loading', retrying: true });
    expect(draws).toHaveLength(drawn);
  });
});

describe('AlertCtrl: the alerts of the day', () => {
  it('moves the selection with j/k, held at the ends, Enter following it', async () => {
    const { ctrl, draws } = alertOf(loaded, detail);
    await ctrl.load();
    const drawn = draws.length;

    ctrl.move(1);
    expect(ctrl.selected).toBe(2);
    expect(ctrl.selectedHref).toBe('#/alerts/IDFCFIRSTB@2017-01-02T05:09:00Z');
    ctrl.move(1);
    expect(ctrl.selected).toBe(2);
    ctrl.move(-1);
    ctrl.move(-1);
    ctrl.move(-1);
    expect(ctrl.selected).toBe(0);
    expect(ctrl.selectedHref).toBe('#/alerts/IDFCFIRSTB@2017-01-02T05:02:00Z');
    ctrl.select(7);
    expect(ctrl.selected).toBe(2);
    // Each move is drawn.
    expect(draws).toHaveLength(drawn + 6);
  });

  it('selects nothing when the alert is not among them; j then starts at the first, k at the last', async () => {
    const { ctrl } = alertOf(async () => chartOf(['05:02', '05:09', '05:30']), detail);
    await ctrl.load();
    expect([ctrl.selected, ctrl.selectedHref]).toEqual([-1, undefined]);
    ctrl.move(1);
    expect(ctrl.selected).toBe(0);

    const other = alertOf(async () => chartOf(['05:02', '05:09', '05:30']), detail);
    await other.ctrl.load();
    other.ctrl.move(-1);
    expect(other.ctrl.selected).toBe(2);
  });

  it('has nothing to select in a day without alerts, nor before the answer', async () => {
    const { ctrl } = alertOf(async () => chartOf([]), detail);
    ctrl.move(1);
    expect(ctrl.selected).toBe(-1);
    await ctrl.load();
    ctrl.move(1);
    ctrl.move(-1);
    expect([ctrl.selected, ctrl.selectedHref]).toEqual([-1, undefined]);
  });
});

describe('AlertCtrl: what a late bar did', () => {
  const REVISION = {
    kind: 'revised',
    at: '2024-03-01T09:00:00Z',
    object: 'a.csv',
    generation: '5',
  } as const;
  const WITHDRAWN = {
    kind: 'withdrawn',
    at: '2024-03-01T10:00:05.250Z',
    object: 'late.csv',
    generation: '7',
  } as const;
  const chartWith = (alert: Partial<AlertRow>) => async () => ({
    ...chartOf(),
    alert: { ...ALERT, ...alert },
  });

  it('has no marks for an alert no late bar touched, nor before the answer', async () => {
    const { ctrl } = alertOf(loaded, detail);
    expect([ctrl.marks, ctrl.withdrawn]).toEqual([[], false]);
    await ctrl.load();
    expect([ctrl.marks, ctrl.withdrawn]).toEqual([[], false]);
  });

  it('holds a late or revised alert as such, its figures standing', async () => {
    const { ctrl } = alertOf(chartWith({ revision: REVISION }), detail);
    await ctrl.load();
    expect([ctrl.marks, ctrl.withdrawn]).toEqual([[REVISION], false]);
  });

  it('holds a withdrawn alert as withdrawn, the withdrawal before the revision it had', async () => {
    const { ctrl } = alertOf(chartWith({ revision: REVISION, withdrawn: WITHDRAWN }), detail);
    await ctrl.load();
    expect([ctrl.marks, ctrl.withdrawn]).toEqual([[WITHDRAWN, REVISION], true]);
  });

  it("holds its episode's score and this alert's part in it; none without a scored episode", async () => {
    const score = {
      score: 70.2,
      settled: false,
      baseline: 'usual' as const,
      factors: [],
      alerts: [
        { minute: '2017-01-02T05:02:00Z', points: 30 },
        { minute: '2017-01-02T05:06:00Z', points: 40.2 },
      ],
    };
    const scored = alertOf(loaded, async () => ({ alert: ALERT, episode: { ...EPISODE, score } })).ctrl;
    await scored.load();
    expect([scored.score, scored.points]).toEqual([score, 40.2]);
    const unscored = alertOf(loaded, detail).ctrl;
    await unscored.load();
    expect([unscored.score, unscored.points]).toEqual([undefined, undefined]);
  });
});
