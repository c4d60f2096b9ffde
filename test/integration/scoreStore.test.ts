/**
 * The days settle reads and marks (shared/state/scoreStore.ts), against the Firestore emulator: a day changed by
 * a commit waits to be settled from its earliest changed minute; settling what was read leaves a commit made in
 * between waiting, from its own minute; the days of every symbol read again see what was written and deleted
 * since. Each test uses collections of its own.
 */
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../shared/core/barTable.js';
import { scanDecimal } from '../../shared/core/decimal.js';
import { BarHourWriter, barHours } from '../../shared/state/barStore.js';
import { ScoreStore } from '../../shared/state/scoreStore.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const runId = `${Date.now().toString(36)}-${process.pid}`;
let db: Firestore;
let suite = 0;

beforeAll(() => {
  db = new Firestore({ projectId: endpoints.project });
});
afterAll(async () => {
  await db.terminate();
});

/** 2021-01-04 03:45 UTC plus `offset` minutes. */
const minute = (offset: number) => Date.UTC(2021, 0, 4, 3, 45 + offset) / 60_000;

/** Commits the symbol's bars at the given minutes (close 100, volume 10) as detect's commit writes them. */
async function commitBars(collection: string, symbol: string, minutes: number[]): Promise<void> {
  const table = new BarTable();
  const id = table.symbolId(symbol);
  const rows = minutes.map((at, i) => {
    const row = table.addRow(id, at, i + 2);
    for (const column of [OPEN, HIGH, LOW, CLOSE, VOLUME]) {
      const text = column === VOLUME ? '10' : '100';
      scanDecimal(text);
      table.setScannedValue(row, column, text);
    }
    return row;
  });
  const { writes } = await new BarHourWriter(db, collection).prepare(
    barHours(symbol, table, rows, { object: `${symbol}.csv` }),
    undefined,
  );
  const batch = db.batch();
  for (const write of writes) write(batch);
  await batch.commit();
}

function fresh() {
  const n = suite++;
  const bars = `bars-score-test-${runId}-${n}`;
  return { bars, store: new ScoreStore(db, bars, `episodes-score-test-${runId}-${n}`) };
}

describe('the days settle reads and marks', () => {
  it('waits from the earliest minute changed, and a commit during a settle keeps its own change', async () => {
    const { bars, store } = fresh();
    await commitBars(bars, 'AAA', [minute(10), minute(11)]);
    // A late bar before them, in another commit: the day waits from it.
    await commitBars(bars, 'AAA', [minute(5)]);
    const [read] = await store.changedDays(10);
    expect(read).toMatchObject({ symbol: 'AAA', day: '2021-01-04', from: minute(5) });

    // A commit lands between settle's read and its mark.
    await commitBars(bars, 'AAA', [minute(12)]);
    expect(await store.markSettled([read!])).toBe(0);
    const [left] = await store.changedDays(10);
    expect(left).toMatchObject({ from: minute(12) });

    expect(await store.markSettled([left!])).toBe(1);
    expect(await store.changedDays(10)).toEqual([]);
    expect(await store.unsettledDays(10)).toBe(0);
  });

  it("reads every symbol's days, and again what was written or deleted since", async () => {
    const { bars, store } = fresh();
    await commitBars(bars, 'AAA', [minute(0), minute(1)]);
    await commitBars(bars, 'BBB', [minute(0)]);
    const count = (histories: Map<string, unknown[]>) =>
      Object.fromEntries([...histories].map(([symbol, refs]) => [symbol, refs.length]));
    expect(count(await store.daysOfEverySymbol('2021-01-01', '2021-01-05'))).toEqual({ AAA: 2, BBB: 1 });

    await commitBars(bars, 'BBB', [minute(1), minute(2)]);
    expect(count(await store.daysOfEverySymbol('2021-01-02', '2021-01-04'))).toEqual({ AAA: 2, BBB: 3 });

    await db.collection(bars).doc('AAA@2021-01-04T03').delete();
    expect(count(await store.daysOfEverySymbol('2021-01-01', '2021-01-05'))).toEqual({ BBB: 3 });
  });

  it("gives a symbol's bars in time order across its hours, whichever hour was written first", async () => {
    const { bars, store } = fresh();
    // 04:05 and 04:06 (the 04 hour) before 03:45 and 03:59 (the 03 hour).
    await commitBars(bars, 'AAA', [minute(20), minute(21)]);
    await commitBars(bars, 'AAA', [minute(0), minute(14)]);
    const minutes = async () =>
      (await store.daysOfEverySymbol('2021-01-04', '2021-01-04'))
        .get('AAA')!
        .map((ref) => ref.table.minute(ref.row) - minute(0));
    expect(await minutes()).toEqual([0, 14, 20, 21]);
    // Read again from what was kept, with the 04 hour written since.
    await commitBars(bars, 'AAA', [minute(22)]);
    expect(await minutes()).toEqual([0, 14, 20, 21, 22]);
  });
});
