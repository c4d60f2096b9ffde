/**
 * Each symbol's processed bars by UTC hour (`bars/{symbol@YYYY-MM-DDTHH}`, docs/records.md), for the console's
 * chart and a late bar's revision: one query draws a session, and no source object is read again. detect writes
 * them with the batch's state commit.
 *
 * The bars are one Bytes field, not a map of minutes: Firestore indexes every field of a map (six index entries
 * a bar), and on the emulator writing 2,000 day documents as maps took 24 s against 2 s as bytes. A write
 * therefore writes the document's stored bars back with the new ones, merged by minute, so that writing a bar
 * twice changes nothing. By the hour, not the day: at a live pace each commit adds a minute, and a day's
 * document, rewritten whole at each commit, grew to about 44 KB by a session's end (the Firestore emulator's CPU
 * a record went from 2.4 to 4.3 ms over a session); an hour's stays under 8 KB. The stored bars are read unless
 * this instance wrote them itself (BarHourWriter); that read is safe without a transaction: the state commit the
 * write goes with requires the state version the batch read, so a delivery that raced another writes none of it.
 */
import { FieldPath, Timestamp, type Firestore } from '@google-cloud/firestore';
import { BarTable, CLOSE, HIGH, LOW, OPEN, VOLUME } from '../core/barTable.js';
import { scanDecimal } from '../core/decimal.js';
import type { BarRef } from '../core/revision.js';
import {
  hourOf,
  decodeBars,
  decodeExactBars,
  EncodedBars,
  type BarSource,
  type ExactBar,
  type ExactBars,
  type StoredBar,
} from '../pipeline/barBytes.js';
import { barDaysRange, barHourId, symbolStateId } from '../pipeline/documentIds.js';
import { FinalError, serviceError } from '../errors.js';
import type { CompanionWrite } from './symbolStateStore.js';

/** A symbol's bars of one UTC hour: what one `bars/` document holds. */
export interface BarHour {
  symbol: string;
  /** `YYYY-MM-DD`, UTC: the hour's day. */
  day: string;
  /** `YYYY-MM-DDTHH`, UTC. */
  hour: string;
  /** In ascending minutes. */
  bars: StoredBar[];
  /** The same bars exactly, with where each came from. */
  exact: ExactBars;
}

/** The rows' bars grouped by UTC hour (rows in ascending minutes, as a batch holds them), all from one source. */
export function barHours(
  symbol: string,
  table: BarTable,
  rows: ArrayLike<number>,
  source: BarSource,
): BarHour[] {
  const hours: BarHour[] = [];
  let current: BarHour | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const minute = table.minute(row);
    const hour = hourOf(minute);
    if (current?.hour !== hour) {
      current = { symbol, day: hour.slice(0, 10), hour, bars: [], exact: { sources: [source], bars: [] } };
      hours.push(current);
    }
    current.exact.bars.push([
      minute,
      table.text(row, OPEN),
      table.text(row, HIGH),
      table.text(row, LOW),
      table.text(row, CLOSE),
      table.text(row, VOLUME),
      table.line(row),
      0,
    ]);
    current.bars.push([
      minute,
      table.value(row, OPEN),
      table.value(row, HIGH),
      table.value(row, LOW),
      table.value(row, CLOSE),
      table.value(row, VOLUME),
    ]);
  }
  return hours;
}

/** A `bars/` document as a commit leaves it: what the next commit merges its bars into. */
interface StoredHour {
  bars: EncodedBars;
  unsettledSeq: number;
  /** The first minutes of the changes not yet settled, as far as this writer knows (settle may have taken some). */
  unsettled: number[];
}

/** A batch's writes of its hours' bars, and what to call once the state commit they went with has landed. */
export interface PreparedBarHours {
  writes: CompanionWrite[];
  /** Remembers the hours as written, under the state `version` their commit made. */
  committed(version: Timestamp): void;
}

const NO_BARS = EncodedBars.of([], { sources: [], bars: [] });

/** How many symbols' last written hours a writer remembers: about 10 KB each at a live pace. */
const REMEMBERED_SYMBOLS = 2_000;

/**
 * Writes the hours' bars, each merged into what its document holds. The documents are read, in one request,
 * unless this writer made them in the commit that left the symbol's state at the version the batch read: nothing
 * else writes a symbol's bars, and every write of them goes with a state commit under a precondition on the
 * state's version, so the hours are then exactly as remembered (settle only takes changes away from `unsettled`,
 * see below). At a live pace each delivery of a symbol follows its previous one, and the read it saves was a third
 * of detect's requests to Firestore. Only the hours of the last commit are remembered: a new hour is read once.
 */
export class BarHourWriter {
  /** By symbol: the state version its last commit made here, and the hours it wrote, by document id. */
  readonly #written = new Map<string, { version: Timestamp; hours: Map<string, StoredHour> }>();

  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  /** The writes of `hours` (one symbol's), for a commit that requires the state to be at `read` (the version read). */
  async prepare(hours: readonly BarHour[], read: Timestamp | undefined): Promise<PreparedBarHours> {
    if (hours.length === 0) return { writes: [], committed: () => {} };
    const symbol = hours[0]!.symbol;
    const remembered = this.#written.get(symbol);
    // Taken out until this commit lands: a commit that fails leaves the documents unknown.
    this.#written.delete(symbol);
    const known = remembered !== undefined && read !== undefined && remembered.version.isEqual(read);
    const ids = hours.map((hour) => barHourId(hour.symbol, hour.hour));
    const stored = await this.#stored(ids, known ? remembered.hours : undefined);
    const next = new Map<string, StoredHour>();
    const writes = hours.map((hour, i): CompanionWrite => {
      const id = ids[i]!;
      const before = stored.get(id);
      const bars = (before?.bars ?? NO_BARS).with(hour.bars, hour.exact);
      // What changed since the scores were last settled (contract §6): each commit adds its first minute under a
      // key of its own, by its field path (never writing back the keys it read, which settle may have taken away
      // meanwhile: scoreStore.ts). `unsettledFrom` only finds the document for settle, which reads the map
      // itself, so one taken from remembered changes settle has since taken away only makes it look sooner.
      // `updatedAt` is this instance's clock, not a server transform: a transform costs the commit a read of the
      // document, and settle reads what changed with a margin for clocks.
      const seq = (before?.unsettledSeq ?? 0) + 1;
      const changedFrom = hour.bars[0]![0];
      const unsettled = [...(before?.unsettled ?? []), changedFrom];
      next.set(id, { bars, unsettledSeq: seq, unsettled });
      const ref = this.db.collection(this.collection).doc(id);
      const fields = {
        symbol: hour.symbol,
        day: hour.day,
        hour: hour.hour,
        count: bars.bars.length,
        ...bars.fields,
        unsettledSeq: seq,
        unsettledFrom: Math.min(...unsettled),
        updatedAt: Timestamp.now(),
      };
      return (batch) => {
        if (before !== undefined) batch.update(ref, { ...fields, [`unsettled.c${seq}`]: changedFrom });
        else batch.set(ref, { ...fields, unsettled: { [`c${seq}`]: changedFrom } });
      };
    });
    return {
      writes,
      committed: (version) => {
        // Refreshed to the newest place: the symbols least recently committed are forgotten first.
        if (this.#written.size >= REMEMBERED_SYMBOLS) {
          this.#written.delete(this.#written.keys().next().value!);
        }
        this.#written.set(symbol, { version, hours: next });
      },
    };
  }

  /** The hours' documents as stored (absent when there is none): remembered ones as they are, the rest read. */
  async #stored(
    ids: readonly string[],
    remembered: Map<string, StoredHour> | undefined,
  ): Promise<Map<string, StoredHour>> {
    const stored = new Map<string, StoredHour>();
    const unread: string[] = [];
    for (const id of ids) {
      const hour = remembered?.get(id);
      if (hour !== undefined) stored.set(id, hour);
      else unread.push(id);
    }
    if (unread.length === 0) return stored;
    const refs = unread.map((id) => this.db.collection(this.collection).doc(id));
    const snapshots = await this.db.getAll(...refs).catch((error: unknown) => {
      throw serviceError('Firestore', error);
    });
    for (const snapshot of snapshots) {
      if (!snapshot.exists) continue;
      const data = snapshot.data()!;
      stored.set(snapshot.id, {
        bars: EncodedBars.of(decodeBars(data), decodeExactBars(data)),
        unsettledSeq: Number(data.unsettledSeq ?? 0),
        unsettled: Object.values((data.unsettled as Record<string, number> | undefined) ?? {}),
      });
    }
    return stored;
  }
}

/** A symbol's detected bars as its `bars/` documents hold them, for a late bar's revision (contract §2). */
export interface BarHistory {
  /** The bars of the stored days from `fromDay` through `toDay`, ascending, as rows of one table. */
  read(symbol: string, fromDay: string, toDay: string): Promise<BarRef[]>;
  /** The symbol's first stored day, or undefined when it has none. */
  firstDay(symbol: string): Promise<string | undefined>;
}

/** A stored document that holds bars but not their exact values: detected before they were kept. Final. */
export class HistoryFormatError extends FinalError {
  override name = 'HistoryFormatError';
}

/** The exact bars of stored documents (in time order) as rows of a table, each with its source. */
export function historyRefs(stored: readonly ExactBars[]): BarRef[] {
  const table = new BarTable();
  // One symbol's bars: the table's symbol column is not read.
  const symbolId = table.symbolId('history');
  return stored.flatMap((bars) => bars.bars.map((bar) => refOf(table, symbolId, bar, bars.sources)));
}

function refOf(table: BarTable, symbolId: number, bar: ExactBar, sources: readonly BarSource[]): BarRef {
  const row = table.addRow(symbolId, bar[0], bar[6]);
  for (let column = OPEN; column <= VOLUME; column++) {
    // A table takes the value last scanned; the texts were checked when their batch was read.
    scanDecimal(bar[column + 1] as string);
    table.setScannedValue(row, column, bar[column + 1] as string);
  }
  const source = sources[bar[7]]!;
  return { table, row, source: source.generation === undefined ? { object: source.object } : source };
}

export class FirestoreBarHistory implements BarHistory {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  async read(symbol: string, fromDay: string, toDay: string): Promise<BarRef[]> {
    const range = barDaysRange(symbolStateId(symbol), fromDay, toDay);
    // By id, in order: a symbol's hours sort by time (`SYMBOL@YYYY-MM-DDTHH`).
    const snapshot = await this.db
      .collection(this.collection)
      .where(FieldPath.documentId(), '>=', range.from)
      .where(FieldPath.documentId(), '<=', range.to)
      .orderBy(FieldPath.documentId())
      .get()
      .catch((error: unknown) => {
        throw serviceError('Firestore', error);
      });
    const hours = snapshot.docs.map((doc) => {
      const data = doc.data();
      const exact = decodeExactBars(data);
      if (exact.bars.length === 0 && Number(data.count ?? 0) > 0) {
        throw new HistoryFormatError(
          `bars/${doc.id} holds no exact values: it was written by an older detect`,
        );
      }
      return exact;
    });
    return historyRefs(hours);
  }

  async firstDay(symbol: string): Promise<string | undefined> {
    // Ids are `SYMBOL@YYYY-MM-DDTHH` and a symbol holds no `@` (contract §1), so the symbol's hours sort together.
    // Ascending: the emulator refuses a descending scan of ids, and the first day is all a revision needs.
    const prefix = `${symbolStateId(symbol)}@`;
    const snapshot = await this.db
      .collection(this.collection)
      .where(FieldPath.documentId(), '>=', prefix)
      .where(FieldPath.documentId(), '<', `${prefix}\uffff`)
      .orderBy(FieldPath.documentId())
      .limit(1)
      .select()
      .get()
      .catch((error: unknown) => {
        throw serviceError('Firestore', error);
      });
    const id = snapshot.docs[0]?.id;
    return id === undefined ? undefined : id.slice(id.lastIndexOf('@') + 1).slice(0, 10);
  }
}
