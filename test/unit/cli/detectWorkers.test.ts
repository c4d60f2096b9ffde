/**
 * `detect` with read workers against `detect` on one thread: the same bytes on stdout and stderr, the same exit
 * code and the same report, quarantine and episode files, on messy inputs in every format. Workers need compiled
 * JavaScript, so the project is built afresh into a temporary folder and both modes run there as separate
 * processes; the pool itself is also driven from here against that build, to check that what a worker throws
 * comes back as its own class.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureLine } from '../../../cli/commands/detect.js';
import { FindingRecorder } from '../../../cli/detect/findingRecords.js';
import { OutputTurn } from '../../../cli/detect/outputTurn.js';
import { ReadPool, type FormatOutcome } from '../../../cli/detect/readPool.js';
import { compileParameters, DEFAULT_PARAMETERS } from '../../../shared/core/detectionParameters.js';
import { ObjectSeriesDetection } from '../../../shared/core/objectSeriesDetection.js';
import { ingestLimitsFromEnv } from '../../../shared/config/ingestSettings.js';
import { CLOSE, VOLUME } from '../../../shared/core/barTable.js';
import { readObject } from '../../../shared/objects/readObject.js';
import { ObjectRejectedError } from '../../../shared/core/report.js';
import { ZoneOffsets } from '../../../shared/core/timestamp.js';
import { isProgrammingError } from '../../../shared/errors.js';
import { fileChunks } from '../../../cli/fileChunks.js';
import { freshBuild } from '../../helpers/freshBuild.js';
import { clockFor } from '../../helpers/read.js';

let build: string;
let bin: string;
let inputs: string[];
const limits = ingestLimitsFromEnv({});

beforeAll(() => {
  ({ dir: build, bin } = freshBuild('detect-workers-'));

  // Messy data (bad rows, duplicates, disorder, gaps), one file gzipped, one without its volume column, one that
  // does not exist, and one given twice (repeats the second time).
  const data = path.join(build, 'data');
  execFileSync(
    process.execPath,
    [bin, 'generate', '--out', data, '--symbols', '4', '--days', '2', '--seed', '5', '--fault-rate', '4'],
    {
      stdio: 'ignore',
    },
  );
  const generated = readdirSync(data)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => path.join(data, name));
  const gzipped = path.join(data, 'GZ__EQ__NSE__NSE__MINUTE.csv.gz');
  writeFileSync(gzipped, gzipSync(readFileSync(generated[0]!)));
  const noVolume = path.join(data, 'NOVOLUME__EQ__NSE__NSE__MINUTE.csv');
  writeFileSync(noVolume, 'timestamp,open,high,low,close\n2017-01-02 09:15:00+05:30,1,1,1,1\n');
  // One symbol in two files, its second day first: detected again at the end, from both files read again.
  const [header, ...rows] = readFileSync(generated[2]!, 'utf8').trimEnd().split('\n');
  const day = (date: string) => `${header}\n${rows.filter((row) => row.startsWith(date)).join('\n')}\n`;
  const dayTwo = path.join(data, 'LATE__day2.csv');
  const dayOne = path.join(data, 'LATE__day1.csv');
  writeFileSync(dayTwo, day('2017-01-03'));
  writeFileSync(dayOne, day('2017-01-02'));
  inputs = [
    generated[0]!,
    noVolume,
    gzipped,
    path.join(data, 'MISSING.csv'),
    dayTwo,
    ...generated.slice(1),
    generated[1]!,
    dayOne,
  ];
}, 180_000);

afterAll(() => rmSync(build, { recursive: true, force: true }));

interface Run {
  code: number | null;
  files: Record<string, Buffer>;
}

function detect(workers: number, args: string[], outputs: string[], given: string[] = inputs): Run {
  const dir = mkdtempSync(path.join(build, `run-${workers}-`));
  const result = spawnSync(
    process.execPath,
    [bin, 'detect', '--workers', String(workers), ...args, ...given],
    {
      cwd: dir,
      timeout: 60_000,
      // The alerts of the larger data sets are tens of MB.
      maxBuffer: 1 << 30,
    },
  );
  const files: Record<string, Buffer> = { stdout: result.stdout, stderr: result.stderr };
  for (const name of outputs) files[name] = readFileSync(path.join(dir, name));
  return { code: result.status, files };
}

/** `detect` with its standard output a file, as `detect ... > alerts.jsonl` runs: the file's bytes. */
function detectToFile(
  workers: number,
  args: string[],
  given: string[],
): { code: number | null; stdout: Buffer } {
  const dir = mkdtempSync(path.join(build, `file-${workers}-`));
  const out = path.join(dir, 'stdout');
  const fd = openSync(out, 'w');
  try {
    const result = spawnSync(
      process.execPath,
      [bin, 'detect', '--workers', String(workers), ...args, ...given],
      { cwd: dir, timeout: 60_000, stdio: ['ignore', fd, 'ignore'] },
    );
    return { code: result.status, stdout: readFileSync(out) };
  } finally {
    closeSync(fd);
  }
}

describe('detect with read workers', () => {
  const cases: Array<[string, string[], string[]]> = [
    [
      'jsonl with every file',
      ['--format', 'jsonl', '--report', 'r.json', '--quarantine', 'q.csv', '--episodes', 'e.jsonl'],
      ['r.json', 'q.csv', 'e.jsonl'],
    ],
    [
      'csv with episodes as CSV',
      ['--format', 'csv', '--episodes', 'e.csv', '--a1', '0.002', '--window', '5'],
      ['e.csv'],
    ],
    ['table', ['--format', 'table', '--timezone', 'UTC'], []],
  ];
  for (const [name, args, outputs] of cases) {
    it(`writes the same bytes as one thread: ${name}`, () => {
      const one = detect(1, args, outputs);
      const three = detect(3, args, outputs);
      // The inputs hold a rejected object and a missing file.
      expect(one.code).toBe(1);
      expect(three.code).toBe(one.code);
      expect(one.files.stdout!.length).toBeGreaterThan(1000);
      expect(one.files.stderr!.toString()).toContain(
        'NOVOLUME__EQ__NSE__NSE__MINUTE.csv: REJECTED: missing required columns: volume',
      );
      expect(one.files.stderr!.toString()).toMatch(/\nLATE__day1\.csv: .*, \d+ late, alerts [1-9]/);
      for (const file of Object.keys(one.files)) {
        expect(three.files[file]!.equals(one.files[file]!), `${file} differs`).toBe(true);
      }
    });
  }
});

describe('detect with read workers on objects larger than a table chunk', () => {
  // A worker builds each table on the memory of the tables whose lines it wrote (ChunkPool, a chunk being 65,536
  // rows): six files of 200 days of a symbol, about 75,000 bars each, so that the later reads of each of two
  // workers take the earlier tables' chunks, stale values and all.
  it('writes the same alerts, reports and episodes as one thread', () => {
    const data = path.join(build, 'large');
    execFileSync(
      process.execPath,
      [bin, 'generate', '--out', data, '--symbols', '6', '--days', '200', '--seed', '11'],
      { stdio: 'ignore' },
    );
    const files = readdirSync(data)
      .filter((name) => name.endsWith('.csv'))
      .sort()
      .map((name) => path.join(data, name));
    const args = [
      '--format',
      'csv',
      '--a1',
      '0.01',
      '--a2',
      '1',
      '--report',
      'r.json',
      '--episodes',
      'e.jsonl',
    ];
    const one = detect(1, args, ['r.json', 'e.jsonl'], files);
    const two = detect(2, args, ['r.json', 'e.jsonl'], files);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const outcomes = JSON.parse(one.files['r.json']!.toString()) as Array<{ report: { accepted: number } }>;
    expect(outcomes.map(({ report }) => report.accepted > 65_536)).toEqual(files.map(() => true));
    expect(one.files.stdout!.toString().split('\n').length).toBeGreaterThan(1000);
    for (const file of Object.keys(one.files)) {
      expect(two.files[file]!.equals(one.files[file]!), `${file} differs`).toBe(true);
    }
  }, 120_000);
});

describe('detect --episodes with scoring workers', () => {
  // With more than one thread the episodes are scored and their lines written by workers, a piece of a symbol's
  // records each (cli/detect/scorePool.ts): enough data here for many pieces, some symbols' over several, scored
  // against peer groups and the market.
  let files: string[];
  let peers: string;
  beforeAll(() => {
    const data = path.join(build, 'scoring');
    execFileSync(
      process.execPath,
      [bin, 'generate', '--out', data, '--symbols', '12', '--days', '40', '--seed', '8'],
      { stdio: 'ignore' },
    );
    files = readdirSync(data)
      .filter((name) => name.endsWith('.csv'))
      .sort()
      .map((name) => path.join(data, name));
    const symbols = files.map((file) => path.basename(file).split('__')[0]!);
    peers = path.join(build, 'peers.txt');
    writeFileSync(peers, `one=${symbols.slice(0, 5).join(',')}\ntwo=${symbols.slice(5, 9).join(',')}\n`);
  }, 120_000);

  for (const name of ['e.jsonl', 'e.csv']) {
    it(`writes the same episodes as one thread: ${name}`, () => {
      const args = ['--format', 'jsonl', '--episodes', name, '--peer-groups', peers];
      const one = detect(1, args, [name], files);
      const three = detect(3, args, [name], files);
      expect(one.code).toBe(0);
      expect(three.code).toBe(0);
      // Thousands of episodes: over 2 MiB of records, several pieces for the workers.
      expect(one.files[name]!.toString().split('\n').length).toBeGreaterThan(5000);
      expect(three.files[name]!.equals(one.files[name]!)).toBe(true);
    });
  }

  // Files named for their one symbol: the worker writing a symbol's lines writes them straight to the output
  // when it is a file and the symbol's turn has come (cli/detect/outputTurn.ts), else into its own file.
  for (const format of ['jsonl', 'csv']) {
    it(`writes the same alerts straight to a file as one thread through a pipe: ${format}`, () => {
      const args = ['--format', format, '--episodes', 'e.jsonl'];
      const one = detect(1, args, [], files);
      const three = detectToFile(3, args, files);
      expect(one.code).toBe(0);
      expect(three.code).toBe(0);
      expect(one.files.stdout!.toString().split('\n').length).toBeGreaterThan(20_000);
      expect(three.stdout.equals(one.files.stdout!)).toBe(true);
    });
  }
});

describe('Class: ReadPool', () => {
  const workerUrl = () => pathToFileURL(path.join(build, 'dist', 'cli', 'detect', 'readWorker.js'));

  it('hands back the bars the main thread reads, and rejections and bugs as their own class', async () => {
    const pool = new ReadPool(2, { timezone: 'Asia/Kolkata', limits, clock: clockFor() }, workerUrl());
    try {
      // Prepare
      const [file, noVolume, , missing] = inputs;
      // Act
      const [read, rejected, notThere, bug] = await Promise.all([
        pool.read(file!, path.basename(file!)),
        pool.read(noVolume!, path.basename(noVolume!)),
        pool.read(missing!, 'MISSING.csv'),
        // A path that is not a string: fs throws a TypeError, which is a bug, not a problem with a file.
        pool.read(42 as unknown as string, 'BUG.csv'),
      ]);
      const here = await readObject(fileChunks(file!), {
        objectName: path.basename(file!),
        zone: new ZoneOffsets('Asia/Kolkata'),
        limits,
        clock: clockFor(),
      });
      // Assess
      if (!read.ok) throw read.error;
      expect(read.bars.report).toEqual(here.report);
      expect(read.bars.setAside).toEqual(here.setAside);
      expect(read.bars.runs.map((run) => [run.symbol, [...run.rows]])).toEqual(
        here.runs.map((run) => [run.symbol, [...run.rows]]),
      );
      const rows = here.runs[0]!.rows;
      for (const row of [rows[0]!, rows[rows.length - 1]!]) {
        expect(read.bars.table.minute(row)).toBe(here.table.minute(row));
        expect(read.bars.table.text(row, CLOSE)).toBe(here.table.text(row, CLOSE));
        expect(read.bars.table.text(row, VOLUME)).toBe(here.table.text(row, VOLUME));
        expect(read.bars.table.line(row)).toBe(here.table.line(row));
      }

      expect(rejected.ok).toBe(false);
      const rejection = !rejected.ok ? rejected.error : undefined;
      expect(rejection).toBeInstanceOf(ObjectRejectedError);
      expect((rejection as ObjectRejectedError).missingColumns).toEqual(['volume']);
      expect(failureLine('NOVOLUME.csv', rejection)).toBe(
        'NOVOLUME.csv: REJECTED: missing required columns: volume',
      );

      expect(!notThere.ok && (notThere.error as NodeJS.ErrnoException).code).toBe('ENOENT');
      expect(failureLine('MISSING.csv', !notThere.ok ? notThere.error : undefined)).toBe(
        'MISSING.csv: REJECTED: no such file',
      );

      const bugError = !bug.ok ? bug.error : undefined;
      expect(bugError).toBeInstanceOf(TypeError);
      expect(isProgrammingError(bugError)).toBe(true);
      expect(failureLine('BUG.csv', bugError)).toMatch(
        /^BUG\.csv: FAILED: programming error: TypeError: .*path.* \(a bug in stock-anomalies, not a problem with the file\)$/,
      );
    } finally {
      await pool.close();
    }
  });

  it("writes an object's lines straight to the output when it is their turn, else into its own file", async () => {
    // Prepare: the lines as one thread writes them, without workers (one file).
    const file = inputs[0]!;
    const object = path.basename(file);
    const expected = detect(1, ['--format', 'jsonl'], [], [file]).files.stdout!;
    expect(expected.length).toBeGreaterThan(1000);
    const dir = mkdtempSync(path.join(build, 'straight-'));
    const out = path.join(dir, 'out');
    const fd = openSync(out, 'w');
    const turn = new OutputTurn();
    const pool = new ReadPool(
      2,
      {
        timezone: 'Asia/Kolkata',
        limits,
        clock: clockFor(),
        lines: { format: 'jsonl', directory: dir, output: { fd, turn: turn.buffer } },
      },
      workerUrl(),
    );
    /** Has a worker read the object and the rules run over it here: each format takes the table away. */
    const detected = async () => {
      const read = await pool.read(file, object);
      if (!read.ok) throw read.error;
      const recorder = new FindingRecorder();
      new ObjectSeriesDetection(compileParameters(DEFAULT_PARAMETERS), recorder).addObject(read.bars);
      return { worker: read.worker, table: read.bars.table, records: recorder.take() };
    };
    const format = async (ticket: number) => {
      const { worker, table, records } = await detected();
      const sent = records.slice();
      const outcome = await pool.format(worker, object, table, records, ticket);
      // The records come back as they went, for the next object's.
      if (outcome.ok) expect(outcome.records).toEqual(sent);
      return outcome;
    };
    const written = (outcome: FormatOutcome) => {
      if (!outcome.ok) throw outcome.error;
      const whole = readFileSync(outcome.file);
      return Buffer.concat(
        outcome.lines.flatMap(([, spans]) =>
          spans.flatMap((offset, i) => (i % 2 === 0 ? [whole.subarray(offset, offset + spans[i + 1]!)] : [])),
        ),
      );
    };
    try {
      // Act, assess: the first symbol's lines go straight out.
      const first = await format(0);
      expect(first).toEqual({
        ok: true,
        file: expect.any(String),
        lines: [],
        records: expect.any(Float64Array),
      });
      expect(readFileSync(out).equals(expected)).toBe(true);

      // Symbol 2's, while symbol 1 is next: into the worker's file, the output untouched.
      const early = await format(2);
      expect(written(early).equals(expected)).toBe(true);
      expect(readFileSync(out).length).toBe(expected.length);

      // Symbol 1 being written out by another worker: symbol 2's wait for it, then go straight out.
      const other = new OutputTurn(turn.buffer);
      expect(other.take(1, 0)).toBe(true);
      const waiting = format(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(readFileSync(out).length).toBe(expected.length);
      other.passOn(1);
      expect(await waiting).toEqual({
        ok: true,
        file: expect.any(String),
        lines: [],
        records: expect.any(Float64Array),
      });
      expect(readFileSync(out).equals(Buffer.concat([expected, expected]))).toBe(true);

      // Stopped: symbol 3's, its turn though it is, go into the file.
      turn.stop();
      const stopped = await format(3);
      expect(written(stopped).equals(expected)).toBe(true);
      expect(readFileSync(out).length).toBe(2 * expected.length);
    } finally {
      await pool.close();
      closeSync(fd);
    }
  });

  it.runIf(process.platform === 'linux')(
    'reads on threads that give way to the main thread where the cores are short',
    async () => {
      /** The nice value of each of this process's threads (/proc: the 19th field of a thread's stat). */
      const niceValues = () =>
        readdirSync('/proc/self/task').map((task) => {
          const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        });
      const before = niceValues().filter((nice) => nice === 19).length;
      const pool = new ReadPool(2, { timezone: 'Asia/Kolkata', limits, clock: clockFor() }, workerUrl());
      try {
        // A read answered: both workers have started (the least busy one takes each read).
        await Promise.all([pool.read(inputs[0]!, 'a.csv'), pool.read(inputs[0]!, 'b.csv')]);
        const nice = niceValues();
        expect(nice.filter((value) => value === 19).length - before).toBe(2);
        const main = readFileSync('/proc/thread-self/stat', 'utf8');
        expect(main.slice(main.lastIndexOf(')') + 2).split(' ')[16]).toBe('0');
      } finally {
        await pool.close();
      }
    },
  );
});
