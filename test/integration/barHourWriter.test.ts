/**
 * BarHourWriter against the Firestore emulator, with the state store's real commits: an hour's bars are read only
 * when this writer did not make the state version the batch read, and whatever order two instances commit one
 * symbol in, or however a commit fails, the hour's document ends with every committed bar and a change settle
 * finds; each UTC hour is a document of its own.
 * Each test uses collections of its own.
 */
import { Firestore } from '@google-cloud/firestore';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../shared/core/barTable.js';
import { scanDecimal } from '../../shared/core/decimal.js';
import { EMPTY_STATE } from '../../shared/core/symbolState.js';
import { decodeBars, decodeExactBars } from '../../shared/pipeline/barBytes.js';
import { BarHourWriter, barHours } from '../../shared/state/barStore.js';
import { ScoreStore } from '../../shared/state/scoreStore.js';
import { FirestoreSymbolStateStore, StateConflictError } from '../../shared/state/symbolStateStore.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const runId = `${Date.now().toString(36)}-${process.pid}`;
/** Two clients, as two detect instances have. */
let first: Firestore;
let second: Firestore;
let suite = 0;

beforeAll(() => {
  first = new Firestore({ projectId: endpoints.project });
  second = new Firestore({ projectId: endpoints.project });
});
afterAll(async () => {
  await Promise.all([first.terminate(), second.terminate()]);
});

/** 2021-01-04 03:45 UTC plus `offset` minutes. */
const minute = (offset: number) => Date.UTC(2021, 0, 4, 3, 45 + offset) / 60_000;
/** The hour minute(0) lies in: 03:00 to 03:59 UTC. */
const HOUR = 'AAA@2021-01-04T03';

function fresh() {
  const n = suite++;
  const collections = { state: `state-days-test-${runId}-${n}`, bars: `bars-days-test-${runId}-${n}` };
  /** One detect instance: its state store and bar-hour writer on its own client. */
  const instance = (db: Firestore) => ({
    db,
    store: new FirestoreSymbolStateStore(db, collections.state),
    writer: new BarHourWriter(db, collections.bars),
  });
  return { collections, a: instance(first), b: instance(second) };
}

type Instance = ReturnType<typeof fresh>['a'];

/** The hours of the symbol's bars at `minutes` (close 100 + the minute's offset, volume 10), from `object`. */
function daysOf(minutes: number[], object: string) {
  const table = new BarTable();
  const id = table.symbolId('AAA');
  const rows = minutes.map((at, i) => {
    const row = table.addRow(id, at, i + 2);
    for (const column of [OPEN, HIGH, LOW, CLOSE, VOLUME]) {
      const text = column === VOLUME ? '10' : String(100 + at - minute(0));
      scanDecimal(text);
      table.setScannedValue(row, column, text);
    }
    return row;
  });
  return barHours('AAA', table, rows, { object });
}

/** A delivery of AAA's bars at `minutes` as detect commits one: load, prepare the hours, commit, tell the writer. */
async function deliver({ store, writer }: Instance, minutes: number[], object = 'AAA.csv') {
  const read = await store.load('AAA');
  const prepared = await writer.prepare(daysOf(minutes, object), read.version);
  const next = {
    state: { ...EMPTY_STATE, lastMinute: minutes.at(-1)!, lastClose: '100' },
    alertCount: 0,
    commits: read.commits + 1,
    lastBatch: `${object}#${read.commits + 1}`,
    recent: [],
  };
  prepared.committed(await store.commit('AAA', read, next, undefined, undefined, prepared.writes));
}

/** An hour's document as stored: its bars' minutes and closes, the exact texts' sources, what settle reads. */
async function storedHour(collection: string, id = HOUR) {
  const data = (await first.collection(collection).doc(id).get()).data()!;
  const exact = decodeExactBars(data);
  return {
    bars: decodeBars(data).map(([at, , , , close]) => [at - minute(0), close]),
    exact: exact.bars.map((bar) => [bar[0] - minute(0), bar[4], exact.sources[bar[7]]!.object]),
    count: data.count as number,
    unsettled: Object.values(data.unsettled as Record<string, number>).map((at) => at - minute(0)),
    unsettledFrom: (data.unsettledFrom as number) - minute(0),
  };
}

/**
 * The ids of the `collection` documents each getAll of `db` from now on asked for, one list per call: the state
 * store's loads are getAlls too (a document's get() is a getAll of one), and only the hours count here.
 */
function hourReads(db: Firestore, collection: string): () => string[][] {
  const reads = vi.spyOn(db, 'getAll');
  return () =>
    reads.mock.calls
      .filter((refs) => refs.some((ref) => 'path' in ref && ref.path.startsWith(`${collection}/`)))
      .map((refs) => refs.map((ref) => ('path' in ref ? ref.path.split('/')[1]! : '')));
}

describe('BarHourWriter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads an hour only when another instance committed the symbol since its own commit, and keeps every bar', async () => {
    const { collections, a, b } = fresh();
    const reads = hourReads(a.db, collections.bars);

    await deliver(a, [minute(0), minute(1)]);
    expect(reads()).toHaveLength(1);
    // The state is at the version a's commit made: the hour is as a wrote it, and is not read.
    await deliver(a, [minute(2)]);
    expect(reads()).toHaveLength(1);

    await deliver(b, [minute(3)], 'AAA-b.csv');
    // b's commit moved the state on: a reads the hour again and merges into what b wrote.
    await deliver(a, [minute(4)]);
    expect(reads()).toHaveLength(2);

    expect(await storedHour(collections.bars)).toEqual({
      bars: [
        [0, 100],
        [1, 101],
        [2, 102],
        [3, 103],
        [4, 104],
      ],
      exact: [
        [0, '100', 'AAA.csv'],
        [1, '101', 'AAA.csv'],
        [2, '102', 'AAA.csv'],
        [3, '103', 'AAA-b.csv'],
        [4, '104', 'AAA.csv'],
      ],
      count: 5,
      unsettled: [0, 2, 3, 4],
      unsettledFrom: 0,
    });
  });

  it('forgets the hours of a commit that lost its race, and merges into the winner’s', async () => {
    const { collections, a, b } = fresh();
    await deliver(a, [minute(0)]);
    // a and b read the same version; b commits first.
    const readByA = await a.store.load('AAA');
    const prepared = await a.writer.prepare(daysOf([minute(2)], 'AAA.csv'), readByA.version);
    await deliver(b, [minute(1)], 'AAA-b.csv');
    await expect(
      a.store.commit(
        'AAA',
        readByA,
        { state: EMPTY_STATE, alertCount: 0, commits: 2, lastBatch: 'x', recent: [] },
        undefined,
        undefined,
        prepared.writes,
      ),
    ).rejects.toBeInstanceOf(StateConflictError);

    // The delivery is run again from the state b left.
    await deliver(a, [minute(2)]);
    expect((await storedHour(collections.bars)).bars).toEqual([
      [0, 100],
      [1, 101],
      [2, 102],
    ]);
  });

  it('leaves a change settle finds after settle took the hour’s earlier changes away', async () => {
    const { collections, a } = fresh();
    const settle = new ScoreStore(first, collections.bars, `episodes-days-test-${runId}-${suite}`);
    await deliver(a, [minute(0), minute(1)]);
    expect(await settle.markSettled(await settle.changedDays(10))).toBe(1);
    expect(await settle.changedDays(10)).toEqual([]);

    // Written from what a remembers, which still lists the change settle took away.
    await deliver(a, [minute(5)]);
    const [changed] = await settle.changedDays(10);
    expect(changed).toMatchObject({ symbol: 'AAA', day: '2021-01-04', from: minute(5) });
    expect(await storedHour(collections.bars)).toMatchObject({ count: 3, unsettled: [5] });
    expect(await settle.markSettled([changed!])).toBe(1);
    expect(await settle.changedDays(10)).toEqual([]);
  });

  it('keeps each UTC hour in a document of its own, and reads a new hour once', async () => {
    const { collections, a } = fresh();
    const reads = hourReads(a.db, collections.bars);
    // 03:58 and 03:59, then 04:00 and 04:01 in one delivery, then 04:02.
    await deliver(a, [minute(13), minute(14)]);
    await deliver(a, [minute(15), minute(16)]);
    await deliver(a, [minute(17)]);
    expect(reads()).toEqual([[HOUR], ['AAA@2021-01-04T04']]);
    expect(await storedHour(collections.bars)).toMatchObject({
      bars: [
        [13, 113],
        [14, 114],
      ],
      count: 2,
    });
    expect(await storedHour(collections.bars, 'AAA@2021-01-04T04')).toMatchObject({
      bars: [
        [15, 115],
        [16, 116],
        [17, 117],
      ],
      exact: [
        [15, '115', 'AAA.csv'],
        [16, '116', 'AAA.csv'],
        [17, '117', 'AAA.csv'],
      ],
      count: 3,
      unsettled: [15, 17],
    });
    const hour = (await first.collection(collections.bars).doc('AAA@2021-01-04T04').get()).data()!;
    expect({ symbol: hour.symbol, day: hour.day, hour: hour.hour }).toEqual({
      symbol: 'AAA',
      day: '2021-01-04',
      hour: '2021-01-04T04',
    });
  });
});
