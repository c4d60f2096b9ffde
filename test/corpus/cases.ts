/**
 * The bad-input corpus: objects that break the input contract (docs/contract.md §1) in every way it names, and
 * some it does not, each with its outcome written by hand from the contract (never copied from a run).
 *
 * Bytes are built here rather than committed as files: some are binary or invalid UTF-8, two are huge (a 10 MB
 * line, a million bad rows). Names are relative to the upload prefix (`place: 'upload'`), the quarantine prefix
 * or a folder outside the upload prefix, so that the unit test and the stack can put them wherever their
 * prefixes are. Line numbers count every physical line, the header being line 1.
 *
 * test/unit/corpus.test.ts runs every case through `detect` and through the ingest function with in-memory
 * fakes; test/e2e/badInput.test.ts drops the `e2e` cases into the local stack's bucket.
 */
import type { BadReason, QualityReport } from '../../shared/core/report.js';

export interface DoneExpectation {
  status: 'done';
  dataRows: number;
  accepted: number;
  bad: Partial<Record<BadReason, number>>;
  duplicates: number;
  conflicting: number;
  outOfOrder: number;
  gaps: { count: number; missingMinutes: number; largest: number };
  symbols: string[];
  firstMinute: string | null;
  lastMinute: string | null;
  /** Each set-aside row as [line, reason], in line order, when the case is small enough to list them. */
  setAside?: Array<[number, BadReason | 'duplicate']>;
  /** The accepted bars as produced to Kafka: [symbol, minute, open, high, low, close, volume, line]. */
  bars?: Array<[string, string, string, string, string, string, string, number]>;
  /**
   * Every alert of the object as [symbol, minute, rules], by symbol then minute, when the case states them: what
   * `detect` prints, and what the stack writes (its symbols are the case's own, so no other case adds to them).
   */
  alerts?: Array<[string, string, Array<'A1' | 'A2'>]>;
}

export interface RejectedExpectation {
  status: 'rejected';
  error: RegExp;
  missingColumns?: Array<string | RegExp>;
}

export interface SkippedExpectation {
  status: 'skipped';
  /** The reason ingest logs, given the prefixes it runs with. */
  reason: (prefixes: { uploadPrefix: string; quarantinePrefix: string }) => string;
}

export type Expectation = DoneExpectation | RejectedExpectation | SkippedExpectation;

export interface CorpusCase {
  id: string;
  /** Where the object is put: under the upload prefix, under the quarantine prefix, or outside the upload prefix. */
  place: 'upload' | 'quarantine' | 'outside';
  /** The object's name after its prefix; it may hold spaces, unicode and `../`. */
  path: string;
  bytes: () => Buffer;
  /** The exchange time zone (`--timezone`, EXCHANGE_TIMEZONE); Asia/Kolkata, the default, when absent. */
  timezone?: string;
  /** Dropped into the real stack by test/e2e/badInput.test.ts too (small, and the stack's default zone). */
  e2e: boolean;
  expect: Expectation;
  /** The quarantine CSV both paths must write, `{object}` standing for the object column. */
  quarantineCsv?: string;
}

const text = (s: string) => () => Buffer.from(s, 'utf8');
const bytes =
  (...parts: Array<string | number[]>) =>
  () =>
    Buffer.concat(
      parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))),
    );

const NSE = 'timestamp,open,high,low,close,volume\n';
/** The detail's end for a symbol with a character the grammar does not allow (contract §1 "Symbol"). */
const OTHER_CHARACTER = 'holds a character other than letters, digits and . - _ & ^ = + ! # $ : ~';
const WITH_SYMBOL = 'symbol,timestamp,open,high,low,close,volume\n';
const ALL_MISSING = [/^timestamp/, 'open', 'high', 'low', 'close', 'volume'];
const NO_GAPS = { count: 0, missingMinutes: 0, largest: 0 };
const clean = {
  bad: {},
  duplicates: 0,
  conflicting: 0,
  outOfOrder: 0,
  gaps: NO_GAPS,
} as const;

/** Deterministic pseudo-random bytes (a linear congruential generator), never starting with gzip's magic. */
function garbage(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0x00;
  return out;
}

/** A session of good NSE bars from 09:15 IST, one a minute, closes alternating so that A1 fires on each. */
function goodSession(count: number): string {
  let out = '';
  for (let m = 0; m < count; m++) {
    const minute = 15 + m;
    const time = `${String(9 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    const close = m % 2 === 0 ? '100' : '101';
    out += `2017-01-02 ${time}:00+05:30,100,101,99,${close},${10 + m}\n`;
  }
  return out;
}

/** Five kinds of bad row, one after another, a million times: 200,000 of each reason. */
const MILLION_BAD = [
  '2017-13-02 09:15:00+05:30,100,101,99,100,10', // timestamp
  '2017-01-02 09:15:00+05:30,abc,101,99,100,10', // number
  '2017-01-02 09:15:00+05:30,0,101,99,100,10', // price-not-positive
  '2017-01-02 09:15:00+05:30,100,101,99,100,-10', // volume-negative
  '2017-01-02 09:15:00+05:30,100,101,99,100', // field-count
];

/**
 * Three good bars of `good` (closes 100, 101, 100; volumes 10, 10, 30) at 09:15-09:17 IST, lines 2, 4 and 6,
 * each followed by a row of `bad` (lines 3, 5, 7). A1 fires at 09:16 (+1%) and at 09:17 (101 to 100, -0.990%);
 * A2 at 09:17 only (30 > 1.02 x the mean 10 of 09:15-09:16; at 09:16, 10 is not above 10.2).
 */
function besideGood(good: string, bad: string): string {
  return (
    WITH_SYMBOL +
    `${good},2017-01-02 09:15:00+05:30,100,100,100,100,10\n` +
    `${bad},2017-01-02 09:15:00+05:30,100,100,100,100,10\n` +
    `${good},2017-01-02 09:16:00+05:30,101,101,101,101,10\n` +
    `${bad},2017-01-02 09:16:00+05:30,101,101,101,101,10\n` +
    `${good},2017-01-02 09:17:00+05:30,100,100,100,100,30\n` +
    `${bad},2017-01-02 09:17:00+05:30,100,100,100,100,30\n`
  );
}

/** What a case built by {@link besideGood} must give, its three bad rows set aside as `symbol`. */
function besideGoodExpectation(good: string): DoneExpectation {
  return {
    status: 'done',
    dataRows: 6,
    accepted: 3,
    bad: { symbol: 3 },
    duplicates: 0,
    conflicting: 0,
    outOfOrder: 0,
    gaps: NO_GAPS,
    symbols: [good],
    firstMinute: '2017-01-02T03:45:00Z',
    lastMinute: '2017-01-02T03:47:00Z',
    setAside: [
      [3, 'symbol'],
      [5, 'symbol'],
      [7, 'symbol'],
    ],
    bars: [
      [good, '2017-01-02T03:45:00Z', '100', '100', '100', '100', '10', 2],
      [good, '2017-01-02T03:46:00Z', '101', '101', '101', '101', '10', 4],
      [good, '2017-01-02T03:47:00Z', '100', '100', '100', '100', '30', 6],
    ],
    alerts: [
      [good, '2017-01-02T03:46:00Z', ['A1']],
      [good, '2017-01-02T03:47:00Z', ['A1', 'A2']],
    ],
  };
}

function millionBadRows(): Buffer {
  const block = `${MILLION_BAD.join('\n')}\n`;
  return Buffer.concat([Buffer.from(NSE), Buffer.from(block.repeat(200_000)), Buffer.from(goodSession(375))]);
}

export const CORPUS: CorpusCase[] = [
  {
    id: 'empty object (0 bytes)',
    place: 'upload',
    path: 'EMPTY__EQ__NSE__NSE__MINUTE.csv',
    bytes: () => Buffer.alloc(0),
    e2e: true,
    // §1 Header: an object without a header is rejected whole.
    expect: { status: 'rejected', error: /no header/ },
  },
  {
    id: 'header only',
    place: 'upload',
    path: 'HEADERONLY__EQ__NSE__NSE__MINUTE.csv',
    bytes: text('timestamp,open,high,low,close,volume\r\n\r\n'),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 0,
      accepted: 0,
      ...clean,
      symbols: [],
      firstMinute: null,
      lastMinute: null,
      setAside: [],
      bars: [],
    },
  },
  {
    id: 'binary garbage',
    place: 'upload',
    path: 'BINARY.csv',
    bytes: () => garbage(4096, 7),
    e2e: true,
    // Its first non-empty line is no header with the required columns.
    expect: { status: 'rejected', error: /missing required columns/, missingColumns: ALL_MISSING },
  },
  {
    id: 'gzip magic number, then garbage',
    place: 'upload',
    path: 'FAKEGZIP.csv',
    bytes: () => Buffer.concat([Buffer.from([0x1f, 0x8b]), garbage(512, 11)]),
    e2e: true,
    // §1: gunzipped because it starts with 1f 8b; an unreadable gzip stream rejects the object.
    expect: { status: 'rejected', error: /gzip/ },
  },
  {
    id: 'invalid UTF-8 in fields',
    place: 'upload',
    path: 'BADUTF8.csv',
    // Decoded with U+FFFD for each invalid sequence: a row whose symbol, timestamp or value holds one is set
    // aside as `encoding` (contract §1); an ignored column does not matter. L6 has a valid 2-byte character.
    bytes: bytes(
      'symbol,timestamp,open,high,low,close,volume,note\n',
      'ACME,2017-01-02 09:15:00+05:30,100',
      [0xff],
      ',100,100,100,10,x\n',
      'ACME,2017-01-02 09:1',
      [0xfe],
      ':00+05:30,100,100,100,100,10,x\n',
      'ACME,2017-01-02 09:17:00+05:30,100,100,100,100,10,caf',
      [0xe9],
      '\n',
      'AC',
      [0xc3],
      'ME,2017-01-02 09:18:00+05:30,100,100,100,100,10,x\n',
      'ACME,2017-01-02 09:19:00+05:30,100,100,100,100,10,na\u00efve\n',
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 5,
      accepted: 2,
      bad: { encoding: 3 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: { count: 1, missingMinutes: 1, largest: 1 },
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:47:00Z',
      lastMinute: '2017-01-02T03:49:00Z',
      setAside: [
        [2, 'encoding'],
        [3, 'encoding'],
        [5, 'encoding'],
      ],
      bars: [
        ['ACME', '2017-01-02T03:47:00Z', '100', '100', '100', '100', '10', 4],
        ['ACME', '2017-01-02T03:49:00Z', '100', '100', '100', '100', '10', 6],
      ],
    },
  },
  {
    id: 'invalid UTF-8 in the header',
    place: 'upload',
    path: 'BADUTF8HEADER__EQ__NSE__NSE__MINUTE.csv',
    bytes: bytes('timestamp,open,high,low,close,vol', [0xff], 'ume\n2017-01-02 09:15:00+05:30,1,1,1,1,1\n'),
    e2e: true,
    expect: { status: 'rejected', error: /missing required columns: volume/, missingColumns: ['volume'] },
  },
  {
    id: 'a 10 MB single line',
    place: 'upload',
    path: 'LONGLINE__EQ__NSE__NSE__MINUTE.csv',
    bytes: () =>
      Buffer.from(
        `${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,${'9'.repeat(10 * 1024 * 1024)}\n${goodSession(1)}`,
      ),
    e2e: false,
    // The line limit rejects the object whole: none of its rows is forwarded.
    expect: { status: 'rejected', error: /line 2 is longer than 65536 bytes \(MAX_LINE_BYTES\)/ },
  },
  {
    id: 'a million bad rows, then good ones',
    place: 'upload',
    path: 'MILLION__EQ__NSE__NSE__MINUTE.csv',
    bytes: millionBadRows,
    e2e: false,
    expect: {
      status: 'done',
      dataRows: 1_000_375,
      accepted: 375,
      bad: {
        timestamp: 200_000,
        number: 200_000,
        'price-not-positive': 200_000,
        'volume-negative': 200_000,
        'field-count': 200_000,
      },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['MILLION'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T09:59:00Z',
    },
  },
  {
    id: 'semicolons for commas',
    place: 'upload',
    path: 'SEMICOLON__EQ__NSE__NSE__MINUTE.csv',
    bytes: text('timestamp;open;high;low;close;volume\n2017-01-02 09:15:00+05:30;100;101;99;100;10\n'),
    e2e: true,
    // One column named 'timestamp;open;high;low;close;volume': none of the required ones.
    expect: { status: 'rejected', error: /missing required columns/, missingColumns: ALL_MISSING },
  },
  {
    id: 'columns in another order, names in other cases and padded',
    place: 'upload',
    path: 'REORDERED.csv',
    bytes: text(
      ' Volume , CLOSE,Ticker,low,Date_Time,high,open\n' +
        '7,10.5,ACME,9.5,2017-01-02 09:15:00+05:30,11,10\n' +
        '8,10.75,ACME,10.25,2017-01-02 09:16:00+05:30,11.5,10.5\n',
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 2,
      accepted: 2,
      ...clean,
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:46:00Z',
      setAside: [],
      bars: [
        ['ACME', '2017-01-02T03:45:00Z', '10', '11', '9.5', '10.5', '7', 2],
        ['ACME', '2017-01-02T03:46:00Z', '10.5', '11.5', '10.25', '10.75', '8', 3],
      ],
    },
  },
  {
    id: 'extra columns',
    place: 'upload',
    path: 'EXTRA__EQ__NSE__NSE__MINUTE.csv',
    bytes: text(
      'timestamp,open,high,low,close,volume,oi,exchange\n' +
        '2017-01-02 09:15:00+05:30,100,101,99,100,10,5,NSE\n' +
        '2017-01-02 09:16:00+05:30,100,101,99,100,10\n' + // 6 fields where the header has 8
        '2017-01-02 09:17:00+05:30,100,101,99,100,10,5,NSE,extra\n' + // 9
        '2017-01-02 09:18:00+05:30,100,101,99,100.5,12,,\n',
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 4,
      accepted: 2,
      bad: { 'field-count': 2 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: { count: 1, missingMinutes: 2, largest: 2 },
      symbols: ['EXTRA'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:48:00Z',
      setAside: [
        [3, 'field-count'],
        [4, 'field-count'],
      ],
      bars: [
        ['EXTRA', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2],
        ['EXTRA', '2017-01-02T03:48:00Z', '100', '101', '99', '100.5', '12', 5],
      ],
    },
  },
  {
    id: 'missing column: volume',
    place: 'upload',
    path: 'NOVOLUME__EQ__NSE__NSE__MINUTE.csv',
    bytes: text('timestamp,open,high,low,close\n2017-01-02 09:15:00+05:30,100,101,99,100\n'),
    e2e: true,
    expect: { status: 'rejected', error: /missing required columns: volume$/, missingColumns: ['volume'] },
  },
  {
    id: 'missing column: timestamp',
    place: 'upload',
    path: 'NOTIME__EQ__NSE__NSE__MINUTE.csv',
    bytes: text('when,open,high,low,close,volume\n2017-01-02 09:15:00+05:30,100,101,99,100,10\n'),
    e2e: true,
    expect: {
      status: 'rejected',
      error: /missing required columns: timestamp/,
      missingColumns: [/^timestamp/],
    },
  },
  {
    id: 'duplicate header names',
    place: 'upload',
    path: 'DUPHEADER__EQ__NSE__NSE__MINUTE.csv',
    // The first `close` and the first `timestamp` are used; the later ones are ignored like any other column.
    bytes: text(
      'timestamp,open,high,low,close,volume,close,timestamp\n' +
        '2017-01-02 09:15:00+05:30,100,101,99,100.5,10,999,garbage\n' +
        'garbage,100,101,99,100.5,10,999,2017-01-02 09:16:00+05:30\n',
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 2,
      accepted: 1,
      bad: { timestamp: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['DUPHEADER'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:45:00Z',
      setAside: [[3, 'timestamp']],
      bars: [['DUPHEADER', '2017-01-02T03:45:00Z', '100', '101', '99', '100.5', '10', 2]],
    },
  },
  {
    id: 'separate date and time columns',
    place: 'upload',
    path: 'DATETIME__EQ__NSE__NSE__MINUTE.csv',
    // `date` comes before `time` among the accepted names: the timestamp is the date alone, which does not
    // parse (HH:MM is required).
    bytes: text('Date,Time,open,high,low,close,volume\n2017-01-02,09:15,100,101,99,100,10\n'),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 1,
      accepted: 0,
      bad: { timestamp: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: [],
      firstMinute: null,
      lastMinute: null,
      setAside: [[2, 'timestamp']],
      bars: [],
    },
  },
  {
    id: 'every bad value of the contract, duplicates, order and gaps',
    place: 'upload',
    path: 'BADVALUES.csv',
    bytes: text(
      WITH_SYMBOL +
        'ACME,2017-01-02 09:15:00+05:30,100,101,99,100,10\n' + //  2 accepted
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100\n' + //  3 field-count
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,10,extra\n' + //  4 field-count
        '  ,2017-01-02 09:16:00+05:30,100,101,99,100,10\n' + //  5 symbol-empty
        'ACME,2017-13-02 09:16:00+05:30,100,101,99,100,10\n' + //  6 timestamp
        'ACME,,100,101,99,100,10\n' + //  7 timestamp
        'ACME,2017-01-02 09:16:00+05:30,,101,99,100,10\n' + //  8 number (empty)
        'ACME,2017-01-02 09:16:00+05:30,NaN,101,99,100,10\n' + //  9 number
        'ACME,2017-01-02 09:16:00+05:30,100,Infinity,99,100,10\n' + // 10 number
        'ACME,2017-01-02 09:16:00+05:30,100,101,12abc,100,10\n' + // 11 number
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,"1,5",10\n' + // 12 number
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,1e\n' + // 13 number
        'ACME,2017-01-02 09:16:00+05:30,0,101,99,100,10\n' + // 14 price-not-positive
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,-100,10\n' + // 15 price-not-positive
        'ACME,2017-01-02 09:16:00+05:30,100,101,-0,100,10\n' + // 16 price-not-positive (-0 ≤ 0)
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,-1\n' + // 17 volume-negative
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,-0.5\n' + // 18 volume-negative
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,0\n' + // 19 accepted: bad rows claim no minute
        'ACME,2017-01-02 09:17:00+05:30,+100.50,101,99,100.5,-0\n' + // 20 accepted (-0 is not < 0)
        'ACME,2017-01-02 09:17:00+05:30,100,101,99,100,10\n' + // 21 duplicate, conflicting with 20
        'ACME,2017-01-02T03:45:00Z,100,101,99,100,10\n' + // 22 duplicate of 2, same values
        'ACME,2017-01-02 09:15:59.999+05:30,100,101,99,100,10\n' + // 23 duplicate of 2, same values
        'ACME,2017-01-02 09:14:00+05:30,100,101,99,100.25,10\n' + // 24 accepted, out of order
        'ACME,2017-01-02 09:20:00+05:30,100,101,99,100,10\n' + // 25 accepted, after a 2-minute gap
        '"ACME","2017-01-02 09:21:00+05:30","100","101","99","100","10"\n', // 26 accepted, quoted
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 25,
      accepted: 6,
      bad: {
        'field-count': 2,
        'symbol-empty': 1,
        timestamp: 2,
        number: 6,
        'price-not-positive': 3,
        'volume-negative': 2,
      },
      duplicates: 3,
      conflicting: 1,
      outOfOrder: 1,
      gaps: { count: 1, missingMinutes: 2, largest: 2 },
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:44:00Z',
      lastMinute: '2017-01-02T03:51:00Z',
      setAside: [
        [3, 'field-count'],
        [4, 'field-count'],
        [5, 'symbol-empty'],
        [6, 'timestamp'],
        [7, 'timestamp'],
        [8, 'number'],
        [9, 'number'],
        [10, 'number'],
        [11, 'number'],
        [12, 'number'],
        [13, 'number'],
        [14, 'price-not-positive'],
        [15, 'price-not-positive'],
        [16, 'price-not-positive'],
        [17, 'volume-negative'],
        [18, 'volume-negative'],
        [21, 'duplicate'],
        [22, 'duplicate'],
        [23, 'duplicate'],
      ],
      bars: [
        ['ACME', '2017-01-02T03:44:00Z', '100', '101', '99', '100.25', '10', 24],
        ['ACME', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2],
        ['ACME', '2017-01-02T03:46:00Z', '100', '101', '99', '100', '0', 19],
        ['ACME', '2017-01-02T03:47:00Z', '100.50', '101', '99', '100.5', '-0', 20],
        ['ACME', '2017-01-02T03:50:00Z', '100', '101', '99', '100', '10', 25],
        ['ACME', '2017-01-02T03:51:00Z', '100', '101', '99', '100', '10', 26],
      ],
    },
  },
  {
    id: 'no symbol column, and an object name that gives none',
    place: 'upload',
    path: '__EQ__NSE__NSE__MINUTE.csv',
    bytes: text(`${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n`),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 1,
      accepted: 0,
      bad: { 'symbol-empty': 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: [],
      firstMinute: null,
      lastMinute: null,
      setAside: [[2, 'symbol-empty']],
      bars: [],
    },
  },
  {
    id: 'quotes: escaped, spanning lines, misplaced',
    place: 'upload',
    path: 'QUOTES.csv',
    bytes: text(
      'symbol,timestamp,open,high,low,close,volume,note\n' +
        'ACME,2017-01-02 09:15:00+05:30,100,101,99,100,10,"a ""quoted"", note"\n' + // 2 accepted
        'ACME,2017-01-02 09:16:00+05:30,100,101,99,100,10,"two\nlines"\n' + // 3-4 accepted
        'AC"ME,2017-01-02 09:17:00+05:30,100,101,99,100,10,x\n' + // 5 quotes: a quote inside an unquoted field
        'ACME,2017-01-02 09:18:00+05:30,100,101,99,100,10,x\n', // 6 accepted
    ),
    // §1 Quoting: the quoted note of line 3 closes on line 4, a quote followed by the line end: one record of
    // two lines, at line 3. The quote in AC"ME is in a field that did not begin with one: line 5 alone is set
    // aside, as written, and reading goes on at line 6.
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 4,
      accepted: 3,
      bad: { quotes: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: { count: 1, missingMinutes: 1, largest: 1 },
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:48:00Z',
      setAside: [[5, 'quotes']],
      bars: [
        ['ACME', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2],
        ['ACME', '2017-01-02T03:46:00Z', '100', '101', '99', '100', '10', 3],
        ['ACME', '2017-01-02T03:48:00Z', '100', '101', '99', '100', '10', 6],
      ],
    },
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      '{object},5,quotes,unbalanced or misplaced double quote,"AC""ME,2017-01-02 09:17:00+05:30,100,101,99,100,10,x"\n',
  },
  {
    id: 'an unterminated quote',
    place: 'upload',
    path: 'UNTERMINATED.csv',
    bytes: text(
      WITH_SYMBOL +
        'ACME,2017-01-02 09:15:00+05:30,100,101,99,100,10\n' + // 2 accepted
        'ACME,"2017-01-02 09:16:00+05:30,100,101,99,100,10\n' + // 3 quotes: the quote never closes
        'ACME,2017-01-02 09:17:00+05:30,100,101,99,100,10\n' + // 4 accepted
        'ACME,2017-01-02 09:18:00+05:30,100,101,99,100,10\n', // 5 accepted
    ),
    // §1 Quoting: the quoted field opened on line 3 runs on through lines 4 and 5 (no quote in them) and is
    // still open when the object ends, three short lines on (far below MAX_LINE_BYTES and MAX_RECORD_LINES):
    // malformed, so line 3 alone is set aside, as written, and reading resumes at line 4.
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 4,
      accepted: 3,
      bad: { quotes: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: { count: 1, missingMinutes: 1, largest: 1 },
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:48:00Z',
      setAside: [[3, 'quotes']],
      bars: [
        ['ACME', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2],
        ['ACME', '2017-01-02T03:47:00Z', '100', '101', '99', '100', '10', 4],
        ['ACME', '2017-01-02T03:48:00Z', '100', '101', '99', '100', '10', 5],
      ],
    },
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      '{object},3,quotes,unbalanced or misplaced double quote,"ACME,""2017-01-02 09:16:00+05:30,100,101,99,100,10"\n',
  },
  {
    id: 'text after a closing quote',
    place: 'upload',
    path: 'AFTERQUOTE.csv',
    bytes: text(
      'symbol,timestamp,open,high,low,close,volume,note\n' +
        'ACME,2017-01-02 09:15:00+05:30,100,101,99,100,10,x\n' + // 2 accepted
        '"ACME"x,2017-01-02 09:16:00+05:30,100,101,99,100,10,x\n' + // 3 quotes: x after the closing quote
        '"ACME","2017-01-02 09:17:00+05:30",100,101,99,100,10,"x"\n' + // 4 accepted: quoted properly
        'ACME,2017-01-02 09:18:00+05:30,100,101,99,100,10,"runs on\n' + // 5 quotes: closes on 6, then ' and'
        'to here" and more\n' + // 6 quotes: read anew, a quote in an unquoted field
        'ACME,2017-01-02 09:19:00+05:30,100,101,99,100,10,x\n', // 7 accepted
    ),
    // §1 Quoting: a closing quote must be followed by a comma or the line end. The record of line 5 is
    // malformed where its quote closes on line 6, so line 5 alone is set aside and reading resumes at line 6, a
    // new row, whose quote in an unquoted field is misplaced.
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 6,
      accepted: 3,
      bad: { quotes: 3 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: { count: 2, missingMinutes: 2, largest: 1 },
      symbols: ['ACME'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:49:00Z',
      setAside: [
        [3, 'quotes'],
        [5, 'quotes'],
        [6, 'quotes'],
      ],
      bars: [
        ['ACME', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2],
        ['ACME', '2017-01-02T03:47:00Z', '100', '101', '99', '100', '10', 4],
        ['ACME', '2017-01-02T03:49:00Z', '100', '101', '99', '100', '10', 7],
      ],
    },
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      '{object},3,quotes,unbalanced or misplaced double quote,"""ACME""x,2017-01-02 09:16:00+05:30,100,101,99,100,10,x"\n' +
      '{object},5,quotes,unbalanced or misplaced double quote,"ACME,2017-01-02 09:18:00+05:30,100,101,99,100,10,""runs on"\n' +
      '{object},6,quotes,unbalanced or misplaced double quote,"to here"" and more"\n',
  },
  {
    id: 'timestamps with and without offsets and fractions of seconds',
    place: 'upload',
    path: 'TIMES.csv',
    bytes: text(
      WITH_SYMBOL +
        'TIMES,2017-01-02 09:15,100,101,99,100,10\n' + //  2 exchange zone (IST): 03:45Z
        'TIMES,2017-01-02T09:16:30,100,101,99,100,10\n' + //  3 03:46Z
        'TIMES,2017-01-02 09:17:59.999999999,100,101,99,100,10\n' + //  4 03:47Z, rounded down
        'TIMES,2017-01-02T03:48:00Z,100,101,99,100,10\n' + //  5 03:48Z
        'TIMES,2017-01-02 09:19:00+05:30,100,101,99,100,10\n' + //  6 03:49Z
        'TIMES,2017-01-02 09:20:00+0530,100,101,99,100,10\n' + //  7 03:50Z
        'TIMES,2017-01-01 22:51:00-05:00,100,101,99,100,10\n' + //  8 03:51Z
        'TIMES,2017-01-02T03:52:07.5+00:00,100,101,99,100,10\n' + //  9 03:52Z
        'TIMES,2017-01-02 03:53:00.000Z,100,101,99,100,10\n' + // 10 03:53Z
        'TIMES,2017-01-02 09:24:00 IST,100,101,99,100,10\n' + // 11 timestamp
        'TIMES,2017-01-02 09:25:00+05,100,101,99,100,10\n' + // 12 timestamp
        'TIMES,2017-01-02 24:00,100,101,99,100,10\n' + // 13 timestamp
        'TIMES,2017-02-29 09:15,100,101,99,100,10\n' + // 14 timestamp (2017 is no leap year)
        'TIMES,2017-01-02 09:26:60,100,101,99,100,10\n' + // 15 timestamp
        'TIMES,2017-01-02 09:27:00.,100,101,99,100,10\n' + // 16 timestamp
        'TIMES,2017/01/02 09:28,100,101,99,100,10\n' + // 17 timestamp
        'TIMES,1483328940,100,101,99,100,10\n' + // 18 timestamp (epoch seconds)
        'TIMES,2017-01-02 9:29,100,101,99,100,10\n', // 19 timestamp (one-digit hour)
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 18,
      accepted: 9,
      bad: { timestamp: 9 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['TIMES'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:53:00Z',
      setAside: [11, 12, 13, 14, 15, 16, 17, 18, 19].map((line) => [line, 'timestamp']),
    },
  },
  {
    id: 'DST spring forward (America/New_York): minutes the clocks skip',
    place: 'upload',
    path: 'DSTSPRING.csv',
    timezone: 'America/New_York',
    // 2024-03-10 02:00 EST becomes 03:00 EDT (07:00Z). 02:00-02:59 is no wall-clock time in the zone, so it
    // denotes no instant: a bad timestamp (contract §1 Timestamp, as clarified by this corpus).
    bytes: text(
      WITH_SYMBOL +
        'NYX,2024-03-10 01:58,100,101,99,100,10\n' + // 2 06:58Z
        'NYX,2024-03-10 01:59,100,101,99,100,10\n' + // 3 06:59Z
        'NYX,2024-03-10 02:00,100,101,99,100,10\n' + // 4 timestamp
        'NYX,2024-03-10 02:30,100,101,99,100,10\n' + // 5 timestamp
        'NYX,2024-03-10 02:59,100,101,99,100,10\n' + // 6 timestamp
        'NYX,2024-03-10 03:00,100,101,99,100,10\n' + // 7 07:00Z
        'NYX,2024-03-10 03:01,100,101,99,100,10\n' + // 8 07:01Z
        'NYX,2024-03-10T02:02:00-05:00,100,101,99,100,10\n', // 9 an offset makes it an instant: 07:02Z
    ),
    e2e: false,
    expect: {
      status: 'done',
      dataRows: 8,
      accepted: 5,
      bad: { timestamp: 3 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      // 06:59Z and 07:00Z are consecutive minutes: the hour the clocks skip is no gap.
      gaps: NO_GAPS,
      symbols: ['NYX'],
      firstMinute: '2024-03-10T06:58:00Z',
      lastMinute: '2024-03-10T07:02:00Z',
      setAside: [
        [4, 'timestamp'],
        [5, 'timestamp'],
        [6, 'timestamp'],
      ],
    },
  },
  {
    id: 'DST fall back (America/New_York): minutes the clocks repeat',
    place: 'upload',
    path: 'DSTFALL.csv',
    timezone: 'America/New_York',
    // 2024-11-03 02:00 EDT becomes 01:00 EST (06:00Z): 01:00-01:59 happens twice. Without an offset it is read
    // as its first occurrence (EDT), so a second row with the same wall time is a duplicate; with an offset it
    // is the instant the offset says.
    bytes: text(
      WITH_SYMBOL +
        'NYX,2024-11-03 00:59,100,101,99,100,10\n' + // 2 04:59Z
        'NYX,2024-11-03 01:00,100,101,99,100,10\n' + // 3 05:00Z
        'NYX,2024-11-03 01:30,100,101,99,100,10\n' + // 4 05:30Z
        'NYX,2024-11-03 01:30-05:00,100,101,99,100,10\n' + // 5 06:30Z (EST)
        'NYX,2024-11-03 01:30-04:00,100,101,99,100,10\n' + // 6 05:30Z: duplicate of 4, same values
        'NYX,2024-11-03 01:30,100,101,99,100.5,11\n' + // 7 05:30Z again: duplicate, conflicting
        'NYX,2024-11-03 02:00,100,101,99,100,10\n', // 8 07:00Z
    ),
    e2e: false,
    expect: {
      status: 'done',
      dataRows: 7,
      accepted: 5,
      bad: {},
      duplicates: 2,
      conflicting: 1,
      outOfOrder: 0,
      gaps: { count: 3, missingMinutes: 29 + 59 + 29, largest: 59 },
      symbols: ['NYX'],
      firstMinute: '2024-11-03T04:59:00Z',
      lastMinute: '2024-11-03T07:00:00Z',
      setAside: [
        [6, 'duplicate'],
        [7, 'duplicate'],
      ],
    },
  },
  {
    id: 'formula-like cells in rows set aside',
    place: 'upload',
    path: 'FORMULAS.csv',
    bytes: text(
      WITH_SYMBOL +
        "=cmd|' /C calc'!A0,2017-01-02 09:15:00+05:30,1,1,1,1,x\n" + // 2 symbol (|, space, ')
        '=SUM,2017-01-02 09:15:00+05:30,1,1,1,1,1\n' + // 3 accepted: = is allowed in a symbol (EURUSD=X)
        '=SUM,2017-01-02 09:15:00+05:30,1,1,1,1,2\n' + // 4 duplicate, conflicting
        '+1,2017-01-02 09:16:00+05:30,0,1,1,1,1\n' + // 5 price-not-positive
        '-1,2017-01-02 09:16:00+05:30,1,1,1,1,-1\n' + // 6 volume-negative
        '\tTAB,2017-01-02 09:17:00+05:30,1,1,1,1,NaN\n' + // 7 number (the symbol is trimmed: TAB)
        '\rCR,2017-01-02 09:17:00+05:30,1,1,1,1,Infinity\n' + // 8 number (CR)
        'ACME,2017-01-02 09:18:00+05:30,=1+2,1,1,1,1\n' + // 9 number
        '@SUM(A1),2017-01-02 09:19:00+05:30,1,1,1,1,1\n', // 10 symbol (@, parentheses)
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 9,
      accepted: 1,
      bad: { symbol: 2, number: 3, 'price-not-positive': 1, 'volume-negative': 1 },
      duplicates: 1,
      conflicting: 1,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['=SUM'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:45:00Z',
      setAside: [
        [2, 'symbol'],
        [4, 'duplicate'],
        [5, 'price-not-positive'],
        [6, 'volume-negative'],
        [7, 'number'],
        [8, 'number'],
        [9, 'number'],
        [10, 'symbol'],
      ],
      bars: [['=SUM', '2017-01-02T03:45:00Z', '1', '1', '1', '1', '1', 3]],
    },
    // OWASP CSV injection: a cell starting with = + - @ tab or CR gets a leading ' and is quoted (the detail of
    // line 4 too). The raw of line 8 starts with the quote csvLine puts around '\rCR', so it needs no prefix.
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      `{object},2,symbol,"symbol '=cmd|' /C calc'!A0' ${OTHER_CHARACTER}","'=cmd|' /C calc'!A0,2017-01-02 09:15:00+05:30,1,1,1,1,x"\n` +
      `{object},4,duplicate,"'=SUM 2017-01-02T03:45:00Z already seen","'=SUM,2017-01-02 09:15:00+05:30,1,1,1,1,2"\n` +
      `{object},5,price-not-positive,open is 0,"'+1,2017-01-02 09:16:00+05:30,0,1,1,1,1"\n` +
      `{object},6,volume-negative,volume is -1,"'-1,2017-01-02 09:16:00+05:30,1,1,1,1,-1"\n` +
      `{object},7,number,volume is not a number: 'NaN',"'\tTAB,2017-01-02 09:17:00+05:30,1,1,1,1,NaN"\n` +
      `{object},8,number,volume is not a number: 'Infinity',"""\rCR"",2017-01-02 09:17:00+05:30,1,1,1,1,Infinity"\n` +
      `{object},9,number,open is not a number: '=1+2',"ACME,2017-01-02 09:18:00+05:30,=1+2,1,1,1,1"\n` +
      `{object},10,symbol,"symbol '@SUM(A1)' ${OTHER_CHARACTER}","'@SUM(A1),2017-01-02 09:19:00+05:30,1,1,1,1,1"\n`,
  },
  {
    id: 'object name with spaces',
    place: 'upload',
    path: 'daily files/ACME 2017 Q1.csv',
    bytes: text(
      `${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n2017-01-02 09:16:00+05:30,x,101,99,100,10\n`,
    ),
    e2e: true,
    // §1 Symbol: the name gives 'ACME 2017 Q1', which holds spaces: no symbol, so every row is set aside for it
    // (before its values are looked at), and the object is still read and reported under its spaced name.
    expect: {
      status: 'done',
      dataRows: 2,
      accepted: 0,
      bad: { symbol: 2 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: [],
      firstMinute: null,
      lastMinute: null,
      setAside: [
        [2, 'symbol'],
        [3, 'symbol'],
      ],
      bars: [],
    },
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      `{object},2,symbol,"symbol 'ACME 2017 Q1' ${OTHER_CHARACTER} (from the object name)","2017-01-02 09:15:00+05:30,100,101,99,100,10"\n` +
      `{object},3,symbol,"symbol 'ACME 2017 Q1' ${OTHER_CHARACTER} (from the object name)","2017-01-02 09:16:00+05:30,x,101,99,100,10"\n`,
  },
  {
    id: 'object name with unicode',
    place: 'upload',
    // Spaces and unicode in the name; the symbol it gives, 'Ünï-株', letters of two scripts and a hyphen.
    path: 'données du jour/Ünï-株__EQ__NSE__NSE__MINUTE.csv',
    bytes: text(
      `${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n2017-01-02 09:16:00+05:30,x,101,99,100,10\n`,
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 2,
      accepted: 1,
      bad: { number: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['Ünï-株'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:45:00Z',
      setAside: [[3, 'number']],
      bars: [['Ünï-株', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2]],
    },
  },
  {
    id: 'object name with ../',
    place: 'upload',
    path: '../../../../etc/PASSWD.csv',
    bytes: text(
      `${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n2017-01-02 09:16:00+05:30,x,101,99,100,10\n`,
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 2,
      accepted: 1,
      bad: { number: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['PASSWD'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:45:00Z',
      setAside: [[3, 'number']],
      bars: [['PASSWD', '2017-01-02T03:45:00Z', '100', '101', '99', '100', '10', 2]],
    },
  },
  {
    id: 'a bar dated 2099 between good bars of its symbol',
    place: 'upload',
    path: 'FUTURE__EQ__NSE__NSE__MINUTE.csv',
    // §1 `future`: 2099 is after any reader's clock plus FUTURE_SKEW_MINUTES. Set aside, it does not move the
    // symbol's last minute to 2099, so the bar after it is detected, not late (the alerts of besideGood).
    bytes: text(
      NSE +
        '2017-01-02 09:15:00+05:30,100,100,100,100,10\n' + // 2
        '2017-01-02 09:16:00+05:30,101,101,101,101,10\n' + // 3
        '2099-01-01 09:15:00+05:30,500,500,500,500,10\n' + // 4 future
        '2017-01-02 09:17:00+05:30,100,100,100,100,30\n', // 5
    ),
    e2e: true,
    expect: {
      status: 'done',
      dataRows: 4,
      accepted: 3,
      bad: { future: 1 },
      duplicates: 0,
      conflicting: 0,
      outOfOrder: 0,
      gaps: NO_GAPS,
      symbols: ['FUTURE'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:47:00Z',
      setAside: [[4, 'future']],
      bars: [
        ['FUTURE', '2017-01-02T03:45:00Z', '100', '100', '100', '100', '10', 2],
        ['FUTURE', '2017-01-02T03:46:00Z', '101', '101', '101', '101', '10', 3],
        ['FUTURE', '2017-01-02T03:47:00Z', '100', '100', '100', '100', '30', 5],
      ],
      alerts: [
        ['FUTURE', '2017-01-02T03:46:00Z', ['A1']],
        ['FUTURE', '2017-01-02T03:47:00Z', ['A1', 'A2']],
      ],
    },
  },
  {
    id: 'a symbol Firestore reserves (__X__) beside a good one',
    place: 'upload',
    path: 'RESERVED.csv',
    // §1 Symbol: a whole id of the form __name__ is Firestore's; as a symbol it could never hold a state.
    bytes: text(besideGood('GOODRES', '__X__')),
    e2e: true,
    expect: besideGoodExpectation('GOODRES'),
  },
  {
    id: 'a symbol of 1,501 bytes beside a good one',
    place: 'upload',
    path: 'OVERLONG.csv',
    // Longer than 32 characters, and than a Firestore document id may be (1,500 bytes).
    bytes: text(besideGood('GOODLONG', 'L'.repeat(1501))),
    e2e: true,
    expect: besideGoodExpectation('GOODLONG'),
  },
  {
    id: 'symbols with / and @ beside a good one',
    place: 'upload',
    path: 'SLASHAT.csv',
    // `@` ends the symbol in every document id (SYMBOL@MINUTE); `/` separates a path's segments.
    bytes: text(
      WITH_SYMBOL +
        'GOODSEP,2017-01-02 09:15:00+05:30,100,100,100,100,10\n' + // 2
        'A/B,2017-01-02 09:15:00+05:30,100,100,100,100,10\n' + // 3 symbol
        'GOODSEP,2017-01-02 09:16:00+05:30,101,101,101,101,10\n' + // 4
        'A@B,2017-01-02 09:16:00+05:30,101,101,101,101,10\n' + // 5 symbol
        'GOODSEP,2017-01-02 09:17:00+05:30,100,100,100,100,30\n' + // 6
        'GOODSEP@2017-01-02T03:48:00Z,2017-01-02 09:17:00+05:30,100,100,100,100,30\n', // 7 symbol
    ),
    e2e: true,
    expect: besideGoodExpectation('GOODSEP'),
    quarantineCsv:
      'object,line,reason,detail,raw\n' +
      `{object},3,symbol,"symbol 'A/B' ${OTHER_CHARACTER}","A/B,2017-01-02 09:15:00+05:30,100,100,100,100,10"\n` +
      `{object},5,symbol,"symbol 'A@B' ${OTHER_CHARACTER}","A@B,2017-01-02 09:16:00+05:30,101,101,101,101,10"\n` +
      `{object},7,symbol,"symbol 'GOODSEP@2017-01-02T03:48:00Z' ${OTHER_CHARACTER}","GOODSEP@2017-01-02T03:48:00Z,2017-01-02 09:17:00+05:30,100,100,100,100,30"\n`,
  },
  {
    id: 'object outside the upload prefix',
    place: 'outside',
    path: 'OUTSIDE__EQ__NSE__NSE__MINUTE.csv',
    bytes: text(`${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n`),
    e2e: true,
    expect: {
      status: 'skipped',
      reason: ({ uploadPrefix }) => `outside the upload prefix '${uploadPrefix}'`,
    },
  },
  {
    id: 'object in the quarantine prefix',
    place: 'quarantine',
    path: 'SNEAKY__EQ__NSE__NSE__MINUTE.csv@1700000000000001.csv',
    bytes: text(`${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n`),
    e2e: true,
    expect: { status: 'skipped', reason: () => 'in the quarantine prefix' },
  },
  {
    id: 'not a .csv object',
    place: 'upload',
    path: 'notes.txt',
    bytes: text(`${NSE}2017-01-02 09:15:00+05:30,100,101,99,100,10\n`),
    e2e: true,
    expect: { status: 'skipped', reason: () => 'not a .csv or .csv.gz object' },
  },
];

/** Where a case's object goes in a bucket whose ingest runs with these prefixes. */
export function objectName(
  corpusCase: CorpusCase,
  { uploadPrefix, quarantinePrefix }: { uploadPrefix: string; quarantinePrefix: string },
): string {
  if (corpusCase.place === 'quarantine') return `${quarantinePrefix}${corpusCase.path}`;
  if (corpusCase.place === 'outside') return `elsewhere/${corpusCase.path}`;
  return `${uploadPrefix}${corpusCase.path}`;
}

/** What the report must hold for a case the contract accepts. */
export function expectedReport(expectation: DoneExpectation, object: string): QualityReport {
  const badCount = Object.values(expectation.bad).reduce((sum, n) => sum + n, 0);
  return {
    object,
    status: 'accepted',
    dataRows: expectation.dataRows,
    accepted: expectation.accepted,
    bad: { count: badCount, byReason: expectation.bad },
    duplicates: { count: expectation.duplicates, conflicting: expectation.conflicting },
    outOfOrder: expectation.outOfOrder,
    gaps: expectation.gaps,
    symbols: expectation.symbols,
    firstMinute: expectation.firstMinute,
    lastMinute: expectation.lastMinute,
  };
}
