/**
 * `npm run bench:identity`: `detect`'s output, byte for byte, against a reference made by the CLI of an
 * earlier commit (default: {@link REFERENCE}), on the benchmark's data set, the sample data, messy generated data
 * (plain and gzipped) and hand-made edge cases (a missing column, no header, an empty file, a broken gzip, a
 * file that does not exist, a directory, quoting, CRLF and a byte-order mark), with every output: stdout in
 * each format, stderr, the exit code, --report, --quarantine and --episodes (JSON lines and CSV), and the
 * detection options. The current CLI runs each case with its default workers and with `--workers 1, 2, 3`.
 *
 * The reference commit is exported with `git archive` into the temporary folder (stock-anomalies-identity/
 * base-<commit>/, outside the tree, where the linters would read its sources) and built there (its
 * node_modules is this tree's), so no other checkout is touched. Its outputs are kept under
 * .bench/identity/reference-<commit>/ and reused; delete that folder to record them again.
 *
 *   npm run bench:identity [-- --base <commit>] [-- --quick]   (--quick: without the benchmark's data set)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../..', import.meta.url).pathname;
const work = join(root, '.bench', 'identity');
const args = process.argv.slice(2);
const baseArg = args.includes('--base') ? args[args.indexOf('--base') + 1] : undefined;
const quick = args.includes('--quick');

/** One run of `detect`: its arguments, the output files it names (`{out}/name`) and the inputs. */
interface Case {
  name: string;
  args: string[];
  /** Output files the arguments name, relative to the run's own folder. */
  outputs: string[];
}

/** What a run gave: every byte of it. */
interface RunResult {
  code: number | null;
  files: Record<string, Buffer>;
}

function git(...gitArgs: string[]): string {
  return execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' }).trim();
}

/** The reference commit's CLI, exported and built once. */
function baseCli(commit: string): string {
  const dir = join(tmpdir(), 'stock-anomalies-identity', `base-${commit.slice(0, 12)}`);
  const bin = join(dir, 'bin', 'stock-anomalies.js');
  if (existsSync(join(dir, 'dist', 'cli', 'main.js'))) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  process.stderr.write(`building ${commit.slice(0, 12)} in ${dir} ...\n`);
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  return bin;
}

/** The inputs, made once (the generator gives the same bytes for the same seed). */
function inputs(): Record<string, string[]> {
  const dir = join(work, 'inputs');
  const cli = join(root, 'bin', 'stock-anomalies.js');
  const generate = (name: string, extra: string[]): string => {
    const out = join(dir, name);
    if (!existsSync(join(out, 'manifest.json'))) {
      execFileSync(process.execPath, [cli, 'generate', '--out', out, ...extra], { stdio: 'ignore' });
    }
    return out;
  };
  const csvs = (folder: string): string[] =>
    readdirSync(folder)
      .filter((name) => /\.csv(\.gz)?$/.test(name))
      .sort()
      .map((name) => join(folder, name));
  const messy = generate('messy', ['--symbols', '6', '--days', '3', '--seed', '11', '--fault-rate', '4']);
  const gzipped = generate('gzipped', [
    '--symbols',
    '3',
    '--days',
    '2',
    '--seed',
    '12',
    '--fault-rate',
    '3',
    '--gzip',
  ]);

  const edge = join(dir, 'edge');
  mkdirSync(join(edge, 'a-directory.csv'), { recursive: true });
  const write = (name: string, bytes: string | Buffer): string => {
    writeFileSync(join(edge, name), bytes);
    return join(edge, name);
  };
  const nse = (time: string, values: string): string => `2017-01-02 ${time}:00+05:30,${values}`;
  const missingColumn = write(
    'MISSING__EQ__NSE__NSE__MINUTE.csv',
    'timestamp,open,high,low,close\n' + nse('09:15', '1,1,1,1') + '\n',
  );
  const empty = write('EMPTY.csv', '');
  const headerOnly = write('HEADERONLY.csv', 'timestamp,open,high,low,close,volume\n\n');
  const brokenGzip = write('BROKEN.csv.gz', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]));
  // Several symbols in one object, out of order, duplicates, quoting, CRLF and a byte-order mark.
  const mixedRows = [
    '\uFEFFDate_Time, Ticker ,Open,High,Low,Close,Volume,Oi',
    '2017-01-02 09:16,ACME,101,101,101,101,20,1',
    '2017-01-02 09:15,ACME,100,100,100,100,10,1',
    '2017-01-02 09:15,"BE""TA",50,50,50,50,100,1',
    '2017-01-02 09:16,"BE""TA",50,50,50,50.3,300,1',
    '2017-01-02 09:16,ACME,101,101,101,101,25,1',
    '2017-01-02 09:17,AC"ME,101,101,101,101,20,1',
    '2017-01-02T09:18:30+05:30,ACME,"101","101","101","100.4","30","multi',
    'line"',
    '2017-01-02 09:19,ACME,78.00,78,78,78.00,30,1',
    '2017-01-02 09:20,ACME,78.39,78.39,78.39,78.39,30.6,1',
    '2017-01-02 09:21,,1,1,1,1,1,1',
    '2017-01-02 09:22,ACME,1e2,1E2,100,100,0,1',
  ];
  const mixed = write('mixed.csv', mixedRows.join('\r\n') + '\r\n');
  const disguised = write('DISGUISED__EQ__NSE__NSE__MINUTE.csv', gzipSync(readFileSync(csvs(messy)[0]!)));
  const missingFile = join(edge, 'NOT_THERE__EQ__NSE__NSE__MINUTE.csv');
  const sample = csvs(join(root, 'data', 'sample'));
  return {
    bench: csvs(join(root, '.bench', 'detect-40x50')),
    sample,
    messy: [
      ...csvs(messy).slice(0, 3),
      missingColumn,
      empty,
      ...csvs(gzipped),
      headerOnly,
      brokenGzip,
      missingFile,
      join(edge, 'a-directory.csv'),
      mixed,
      disguised,
      ...csvs(messy).slice(3),
      // Again: every bar is late now.
      csvs(messy)[1]!,
      sample[0]!,
    ],
    missingColumn: [missingColumn],
    missingFile: [missingFile],
    brokenGzip: [brokenGzip],
    mixed: [mixed],
    gzipped: csvs(gzipped).slice(0, 1),
    lateTwice: [sample[0]!, sample[0]!],
  };
}

function cases(sets: Record<string, string[]>): Array<Case & { inputs: string[] }> {
  const all: Array<Case & { inputs: string[] }> = [];
  const add = (set: string, name: string, caseArgs: string[], outputs: string[] = []): void => {
    all.push({ name: `${set}/${name}`, args: caseArgs, outputs, inputs: sets[set]! });
  };
  const everything = ['--report', 'report.json', '--quarantine', 'quarantine.csv'];
  for (const set of ['sample', 'messy']) {
    add(
      set,
      'jsonl+files',
      ['--format', 'jsonl', ...everything, '--episodes', 'episodes.jsonl'],
      ['report.json', 'quarantine.csv', 'episodes.jsonl'],
    );
    add(set, 'csv+episodes.csv', ['--format', 'csv', '--episodes', 'episodes.csv'], ['episodes.csv']);
    add(set, 'table', ['--format', 'table']);
    add(set, 'options', [
      '--format',
      'jsonl',
      '--a1',
      '0.001',
      '--a2',
      '0.5',
      '--window',
      '3',
      '--episode-gap',
      '1',
    ]);
    add(
      set,
      'utc+episodes',
      ['--format', 'csv', '--timezone', 'UTC', '--episode-gap', '30', '--episodes', 'e.jsonl'],
      ['e.jsonl'],
    );
    add(set, 'default-format', []);
  }
  add('sample', 'a1-zero', ['--format', 'jsonl', '--a1', '0', '--a2', '0']);
  add(
    'messy',
    'newyork',
    ['--format', 'jsonl', '--timezone', 'America/New_York', ...everything],
    ['report.json', 'quarantine.csv'],
  );
  for (const set of ['missingColumn', 'missingFile', 'brokenGzip', 'mixed', 'gzipped', 'lateTwice']) {
    add(
      set,
      'jsonl+files',
      ['--format', 'jsonl', ...everything, '--episodes', 'episodes.csv'],
      ['report.json', 'quarantine.csv', 'episodes.csv'],
    );
  }
  if (!quick) {
    add('bench', 'jsonl', ['--format', 'jsonl']);
    add(
      'bench',
      'csv+files',
      ['--format', 'csv', ...everything, '--episodes', 'episodes.jsonl'],
      ['report.json', 'quarantine.csv', 'episodes.jsonl'],
    );
  }
  return all;
}

function run(cli: string, testCase: Case & { inputs: string[] }, extra: string[], dir: string): RunResult {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stdout = openSync(join(dir, 'stdout'), 'w');
  const stderr = openSync(join(dir, 'stderr'), 'w');
  try {
    const result = spawnSync(
      process.execPath,
      [cli, 'detect', ...extra, ...testCase.args, ...testCase.inputs],
      {
        cwd: dir,
        stdio: ['ignore', stdout, stderr],
      },
    );
    if (result.error) throw result.error;
    const files: Record<string, Buffer> = {};
    for (const name of ['stdout', 'stderr', ...testCase.outputs]) {
      const path = join(dir, name);
      files[name] = existsSync(path) ? readFileSync(path) : Buffer.from('(missing)');
    }
    return { code: result.status, files };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Where two byte strings first differ, with a little of each around it. */
function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (x: Buffer) => JSON.stringify(x.subarray(Math.max(0, i - 60), i + 60).toString('utf8'));
  return `at byte ${i} (sizes ${a.length}, ${b.length}):\n      reference ${around(a)}\n      now       ${around(b)}`;
}

/**
 * The output detect must keep: that of the last commit that changed it on purpose, where contract §2 made
 * re-sent bars repeats rather than late and the counts gained `repeats` and `tooLate` (7d86075). Its outputs
 * were compared with those of 748888f, the last whose detect read every object on its main thread and the
 * reference until then: the same bytes in every case, but for the counts of the re-sent files (the sets
 * `messy` and `lateTwice`: `late` became `repeats`) and the two new fields of `--report`.
 */
const REFERENCE = '7d86075';
const commit = git('rev-parse', baseArg ?? REFERENCE);
const sets = inputs();
const reference = join(work, `reference-${commit.slice(0, 12)}`);
const referenceCli = baseCli(commit);
const currentCli = join(root, 'bin', 'stock-anomalies.js');
const modes: string[][] = [[], ['--workers', '1'], ['--workers', '2'], ['--workers', '3']];
let compared = 0;
let differences = 0;
for (const testCase of cases(sets)) {
  const refDir = join(reference, testCase.name);
  if (!existsSync(join(refDir, 'code'))) {
    const result = run(referenceCli, testCase, [], refDir);
    writeFileSync(join(refDir, 'code'), String(result.code));
  }
  const referenceCode = Number(readFileSync(join(refDir, 'code'), 'utf8'));
  for (const mode of modes) {
    const label = `${testCase.name} ${mode.join(' ') || '(default workers)'}`;
    const now = run(currentCli, testCase, mode, join(work, 'now', testCase.name));
    const problems: string[] = [];
    if (now.code !== referenceCode) problems.push(`exit code ${now.code}, reference ${referenceCode}`);
    for (const [name, bytes] of Object.entries(now.files)) {
      const expected = readFileSync(join(refDir, name));
      compared++;
      if (!expected.equals(bytes)) problems.push(`${name} differs ${firstDifference(expected, bytes)}`);
    }
    if (problems.length > 0) {
      differences++;
      process.stdout.write(`DIFFERS ${label}\n  ${problems.join('\n  ')}\n`);
    } else {
      const sizes = Object.entries(now.files).map(
        ([name, bytes]) => `${name} ${bytes.length} B ${sha(bytes)}`,
      );
      process.stdout.write(`same    ${label}: exit ${now.code}; ${sizes.join(', ')}\n`);
    }
  }
}
process.stdout.write(
  `${differences === 0 ? 'IDENTICAL' : `${differences} RUNS DIFFER`}: ${compared} outputs compared with ${commit.slice(0, 12)}'s\n`,
);
process.exitCode = differences === 0 ? 0 : 1;
