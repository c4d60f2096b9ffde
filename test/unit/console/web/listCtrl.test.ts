/**
 * A list page's state (console/web/listCtrl.ts) without a browser: loading, the filters in the URL and the
 * query they make, paging by cursors, the selection, rows arriving, failures and retries, the page's end.
 * The server is a fake that records each query and answers what the test says.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Page } from '../../../../console/api/contract.js';
import { ApiError, type ListQuery } from '../../../../console/web/api.js';
import { ListCtrl } from '../../../../console/web/listCtrl.js';

interface Row {
  id: string;
}

const rows = (...ids: string[]): Row[] => ids.map((id) => ({ id }));
const page = (items: Row[], total: number, next?: string): Page<Row> => ({
  items,
  total,
  ...(next !== undefined && { next }),
});

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

/** A ctrl over a fake server whose answers are `answer`'s, with every query, URL and draw recorded. */
function listOf(params: string, answer: (query: ListQuery, signal: AbortSignal) => Promise<Page<Row>>) {
  const queries: ListQuery[] = [];
  const signals: AbortSignal[] = [];
  const urls: string[] = [];
  const waits: number[] = [];
  const draws: Array<{ loading: boolean; error: string | null; rows: string[] }> = [];
  const page = new AbortController();
  const ctrl: ListCtrl<Row> = new ListCtrl<Row>(
    new URLSearchParams(params),
    {
      fetch: (query, signal) => {
        queries.push(query);
        signals.push(signal);
        return answer(query, signal);
      },
      id: (row) => row.id,
      timeZone: () => 'Asia/Kolkata',
      replaceUrl: (next) => urls.push(next.toString()),
      wait: async (ms) => void waits.push(ms),
    },
    page.signal,
    () =>
      draws.push({
        loading: ctrl.loading,
        error: ctrl.error && `${ctrl.error.message}${ctrl.error.retrying ? ' (retrying)' : ''}`,
        rows: ctrl.rows.map((row) => row.id),
      }),
  );
  return { ctrl, queries, signals, urls, waits, draws, page };
}

describe('ListCtrl: loading', () => {
  it('asks for the first page with the URL filters, loading until the rows come', async () => {
    const answer = deferred<Page<Row>>();
    const { ctrl, queries, draws } = listOf('symbol=ACME&sort=severity&limit=2', () => answer.promise);

    const loaded = ctrl.load();
    expect(ctrl.loading).toBe(true);
    expect(queries).toEqual([{ sort: 'severity', symbol: 'ACME', limit: 2, after: undefined }]);
    answer.resolve(page(rows('a', 'b'), 5, 'c2'));
    await loaded;

    expect(ctrl.loading).toBe(false);
    expect(ctrl.rows).toEqual(rows('a', 'b'));
    expect(ctrl.page?.total).toBe(5);
    expect([ctrl.pageIndex, ctrl.start, ctrl.canPrevious, ctrl.canNext]).toEqual([0, 0, false, true]);
    expect(ctrl.selected).toBe(-1);
    expect(draws).toEqual([
      { loading: true, error: null, rows: [] },
      { loading: false, error: null, rows: ['a', 'b'] },
    ]);
  });

  it('takes the URL days as exchange days (Asia/Kolkata: the 3rd begins at 18:30 UTC on the 2nd)', async () => {
    const { ctrl, queries } = listOf('from=2017-01-03&to=2017-01-03', async () => page([], 0));
    await ctrl.load();
    expect(queries[0]).toEqual({
      from: '2017-01-02T18:30:00.000Z',
      to: '2017-01-03T18:29:59.999Z',
      after: undefined,
    });
  });
});

describe('ListCtrl: filters and sorting', () => {
  it('writes a changed filter into the URL in the filter bar order, and lists from the first page again', async () => {
    const { ctrl, queries, urls } = listOf('limit=2&symbol=ACME', async (query) =>
      query.after === undefined ? page(rows('a', 'b'), 4, 'c2') : page(rows('c', 'd'), 4),
    );
    await ctrl.load();
    await ctrl.nextPage();

    await ctrl.setFilter('sort', 'severity');
    expect(urls).toEqual(['sort=severity&symbol=ACME&limit=2']);
    expect(queries.at(-1)).toEqual({ sort: 'severity', symbol: 'ACME', limit: 2, after: undefined });
    expect(ctrl.pageIndex).toBe(0);

    await ctrl.setFilter('rule', 'A1');
    await ctrl.setFilter('symbol', '');
    expect(urls.at(-1)).toBe('sort=severity&rule=A1&limit=2');
    expect(queries.at(-1)).toEqual({ sort: 'severity', rule: 'A1', limit: 2, after: undefined });
  });

  it('clears every filter but the page size', async () => {
    const { ctrl, urls, queries } = listOf('symbol=ACME&status=new&limit=7', async () => page([], 0));
    await ctrl.clearFilters();
    expect(urls).toEqual(['limit=7']);
    expect(queries).toEqual([{ limit: 7, after: undefined }]);
  });
});

describe('ListCtrl: paging', () => {
  it("follows the server's cursors forward and pops them back, selecting the first row of each page", async () => {
    const pages: Record<string, Page<Row>> = {
      first: page(rows('a', 'b'), 5, 'c2'),
      c2: page(rows('c', 'd'), 5, 'c4'),
      c4: page(rows('e'), 5),
    };
    const { ctrl, queries } = listOf('limit=2', async (query) => pages[query.after ?? 'first']!);
    await ctrl.load();

    await ctrl.nextPage();
    expect([ctrl.pageIndex, ctrl.start, ctrl.selected, ctrl.focusSelected]).toEqual([1, 2, 0, true]);
    await ctrl.nextPage();
    expect(ctrl.rows).toEqual(rows('e'));
    // Rows 5 to 5 of 5: the last page has no next.
    expect([ctrl.pageIndex, ctrl.start, ctrl.canNext, ctrl.canPrevious]).toEqual([2, 4, false, true]);
    await ctrl.nextPage();
    expect(queries.map((query) => query.after)).toEqual([undefined, 'c2', 'c4']);

    await ctrl.previousPage();
    await ctrl.previousPage();
    await ctrl.previousPage();
    expect(queries.map((query) => query.after)).toEqual([undefined, 'c2', 'c4', 'c2', undefined]);
    expect([ctrl.pageIndex, ctrl.rows]).toEqual([0, rows('a', 'b')]);
  });
});

describe('ListCtrl: selection', () => {
  it('moves the selection within the page: from none, down is the first row and up the last', async () => {
    const { ctrl } = listOf('', async () => page(rows('a', 'b', 'c'), 3));
    await ctrl.load();

    ctrl.move(1);
    expect(ctrl.selected).toBe(0);
    ctrl.move(1);
    ctrl.move(1);
    ctrl.move(1);
    expect(ctrl.selected).toBe(2);
    expect(ctrl.selectedRow()).toEqual({ id: 'c' });
    ctrl.move(-5);
    expect(ctrl.selected).toBe(0);
    ctrl.selected = -1;
    ctrl.move(-1);
    expect([ctrl.selected, ctrl.focusSelected]).toEqual([2, true]);
    ctrl.select(9);
    expect(ctrl.selected).toBe(2);
  });

  it('selects nothing on an empty page', async () => {
    const { ctrl } = listOf('', async () => page([], 0));
    await ctrl.load();
    ctrl.move(1);
    expect([ctrl.selected, ctrl.selectedRow()]).toEqual([-1, undefined]);
  });
});

describe('ListCtrl: new rows arriving', () => {
  it('refreshes the first page in place, the selected row staying selected where it moved to', async () => {
    let answer = page(rows('a', 'b', 'c'), 3);
    const { ctrl } = listOf('', async () => answer);
    await ctrl.load();
    ctrl.select(1);

    answer = page(rows('n', 'a', 'b'), 4);
    await ctrl.changed();
    expect(ctrl.rows).toEqual(rows('n', 'a', 'b'));
    expect([ctrl.selected, ctrl.selectedRow(), ctrl.focusSelected]).toEqual([2, { id: 'b' }, false]);

    // Its row gone (deleted), the selection stays at its place, within the page.
    answer = page(rows('m', 'n'), 2);
    await ctrl.changed();
    expect([ctrl.selected, ctrl.selectedRow()]).toEqual([1, { id: 'n' }]);
    expect(ctrl.newRows).toBe(0);
  });

  it('on a later page, counts the new rows instead (one row asked for), and the banner leads to the first', async () => {
    let total = 5;
    const { ctrl, queries } = listOf('limit=2', async (query) =>
      query.limit === 1
        ? page(rows('x'), total, 'c1')
        : query.after === undefined
          ? page(rows('a', 'b'), total, 'c2')
          : page(rows('c', 'd'), total, 'c4'),
    );
    await ctrl.load();
    await ctrl.nextPage();

    total = 7;
    await ctrl.changed();
    expect(queries.at(-1)).toEqual({ limit: 1, after: undefined });
    expect(ctrl.newRows).toBe(2);
    // The page shown is left as it was.
    expect([ctrl.pageIndex, ctrl.rows]).toEqual([1, rows('c', 'd')]);

    await ctrl.firstPage();
    expect([ctrl.newRows, ctrl.pageIndex, ctrl.rows, ctrl.selected]).toEqual([0, 0, rows('a', 'b'), 0]);
  });

  it('reads once more for the changes heard while it was reading, not once per change', async () => {
    const answers = [deferred<Page<Row>>(), deferred<Page<Row>>()];
    let call = 0;
    const { ctrl, queries } = listOf('', () => answers[call++]!.promise);
    const first = ctrl.changed();
    void ctrl.changed();
    void ctrl.changed();
    answers[0]!.resolve(page(rows('a'), 1));
    await vi.waitFor(() => expect(queries).toHaveLength(2));
    answers[1]!.resolve(page(rows('b', 'a'), 2));
    await first;
    expect(queries).toHaveLength(2);
    expect(ctrl.rows).toEqual(rows('b', 'a'));
  });
});

describe('ListCtrl: failures', () => {
  it('says a retriable failure and that it tries again, then shows the rows when they come', async () => {
    let calls = 0;
    const { ctrl, draws, waits } = listOf('', async () => {
      if (++calls === 1) throw new ApiError(503, 'loading 10 of 40');
      return page(rows('a'), 1);
    });
    await ctrl.load();

    expect(waits).toEqual([1500]);
    expect(draws).toEqual([
      { loading: true, error: null, rows: [] },
      { loading: false, error: 'loading 10 of 40 (retrying)', rows: [] },
      // Asking again, the failure still shown until the answer replaces it.
      { loading: true, error: 'loading 10 of 40 (retrying)', rows: [] },
      { loading: false, error: null, rows: ['a'] },
    ]);
  });

  it('says a refusal and does not ask again; the rows shown before stay', async () => {
    let fail = false;
    const { ctrl, queries, waits } = listOf('', async () => {
      if (fail) throw new ApiError(400, 'minSeverity: not a number');
      return page(rows('a'), 1);
    });
    await ctrl.load();
    fail = true;
    await ctrl.setFilter('minSeverity', 'x');

    expect(ctrl.error).toEqual({ message: 'minSeverity: not a number', retrying: false });
    expect([ctrl.loading, ctrl.rows]).toEqual([false, rows('a')]);
    expect(queries).toHaveLength(2);
    expect(waits).toEqual([]);
  });
});

describe('ListCtrl: its lifetime', () => {
  it('cancels a load that a newer one replaces: the older answer is never shown', async () => {
    const older = deferred<Page<Row>>();
    const { ctrl, signals } = listOf('', (query) =>
      query.symbol === undefined ? older.promise : Promise.resolve(page(rows('acme'), 1)),
    );
    const first = ctrl.load();
    await ctrl.setFilter('symbol', 'ACME');
    expect(signals[0]!.aborted).toBe(true);
    older.resolve(page(rows('old'), 1));
    await first;
    expect(ctrl.rows).toEqual(rows('acme'));
  });

  it('stops with its page: the request in flight is cancelled, and nothing more is asked or drawn', async () => {
    const {
      ctrl,
      signals,
      draws,
      page: pageLife,
      queries,
    } = listOf('', (_query, signal) => {
      return new Promise<Page<Row>>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new ApiError(0, 'the console server did not answer'))),
      );
    });
    const loading = ctrl.load();
    const drawn = draws.length;
    pageLife.abort();
    await loading;

    expect(signals[0]!.aborted).toBe(true);
    expect(draws).toHaveLength(drawn);
    expect(ctrl.error).toBeNull();
    await ctrl.changed();
    expect(queries).toHaveLength(1);
  });
});
