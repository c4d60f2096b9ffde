/**
 * `stock-anomalies calibrate`: per setting, the alerts and episodes a day and, against a truth file, the recall and
 * average precision, on a file small enough to work out by hand; each file read once whatever the settings; and
 * the usage errors an analyst may meet.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../helpers/runCli.js';

/** Every file the command opens to read, in order (the CLI reads local files through fileChunks). */
const opened = vi.hoisted(() => [] as string[]);
vi.mock('../../../cli/fileChunks.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../cli/fileChunks.js')>();
  return {
    fileChunks: (path: string) => {
      opened.push(path);
      return real.fileChunks(path);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'calibrate-cli-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const csv = (rows: Array<[string, string, number?]>) =>
  [
    'timestamp,open,high,low,close,volume',
    ...rows.map(([at, close, volume = 100]) => `${at},${close},${close},${close},${close},${volume}`),
  ]
    .join('\n')
    .concat('\n');

// ACME, volume always 100 (A2 never fires). The moves against the bar before:
//   01-04 04:01 +0.6%, 04:03 +0.606%: fire at 0.5% (one episode, 2 minutes apart; peak severity 1.213 at 0.5%)
//   01-04 04:20 +1.176%: fires at 0.5% and 1% (its own episode, 17 minutes on; severity 2.35 at 0.5%, 1.18 at 1%)
//   01-05 04:01 +2.539%: fires at 0.5% and 1% (severity 5.08 at 0.5%, 2.54 at 1%)
// Two UTC days with bars. At 0.5%: 4 alerts, 3 episodes; at 1%: 2 alerts, 2 episodes.
const ACME_ROWS: Array<[string, string]> = [
  ['2021-01-04T04:00Z', '100'],
  ['2021-01-04T04:01Z', '100.6'],
  ['2021-01-04T04:02Z', '100.6'],
  ['2021-01-04T04:03Z', '101.21'],
  ['2021-01-04T04:20Z', '102.4'],
  ['2021-01-05T04:00Z', '102.4'],
  ['2021-01-05T04:01Z', '105'],
];
const acme = file('ACME.csv', csv(ACME_ROWS));
// Planted: the 04:20 move (a pump), the 04:01-04:03 spike, and one in BETA that no episode finds. Legitimate: the
// move of 01-05 (news). Seven bars are too little history for a suspicion score (contract §6: every episode
// scores 0), so the ranking is by peak severity: at 0.5% the news episode (5.08) comes first, then the pump's
// (2.35, hit 1 at rank 2), then the spike's (1.21, hit 2 at rank 3): AP = (1/2 + 2/3 + 0) / 3 = 7/18, recall 2/3.
// At 1%: the news (2.54), then the pump's (1.18, hit at rank 2): AP = (1/2) / 3 = 1/6, recall 1/3.
const truth = file(
  'truth.csv',
  'kind,symbol,start,end,planted\n' +
    'pump,ACME,2021-01-04T04:20Z,2021-01-04T04:25Z,true\n' +
    'spike,ACME,2021-01-04T04:02Z,2021-01-04T04:02Z,true\n' +
    'burst,BETA,2021-01-04T05:00Z,2021-01-04T05:05Z,true\n' +
    'news,ACME,2021-01-05T04:01Z,2021-01-05T04:01Z,false\n',
);

// Contract §6's worked example, on 01-06 from 04:00: 40 bars closing at 100.1 and 100 in turn on 1,000, then 102
// on 5,000 and 100.1 on 3,000. One episode (A1 and A2 on both bars, at every setting below), score 63.3; its peak
// severity 5,000 / 1,020 = 4.90 is below ACME's news episode (5.08).
const worked = file(
  'WORKED.csv',
  csv([
    ...Array.from({ length: 40 }, (_, i): [string, string, number] => [
      `2021-01-06T04:${String(i).padStart(2, '0')}Z`,
      i % 2 === 0 ? '100.1' : '100',
      1000,
    ]),
    ['2021-01-06T04:40Z', '102', 5000],
    ['2021-01-06T04:41Z', '100.1', 3000],
  ]),
);

const json = async (args: string[]) => {
  const run = await runCli(['calibrate', '--format', 'json', '--timezone', 'UTC', ...args]);
  expect(run.stderr).not.toContain('stock-anomalies:');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as {
    days: number;
    planted: number | null;
    settings: Array<Record<string, unknown>>;
  };
};

beforeEach(() => {
  opened.length = 0;
});

describe('calibrate', () => {
  it('counts the alerts and episodes a day of each setting, every combination of the lists', async () => {
    const result = await json(['--a1', '0.5,1', '--a2', '2,5', acme]);
    expect(result.days).toBe(2);
    expect(result.planted).toBeNull();
    expect(
      result.settings.map((s) => [
        s.a1Pct,
        s.a2Pct,
        s.minScore,
        s.alerts,
        s.episodes,
        s.alertsPerDay,
        s.episodesPerDay,
      ]),
    ).toEqual([
      [0.5, 2, 0, 4, 3, 2, 1.5],
      [0.5, 5, 0, 4, 3, 2, 1.5],
      [1, 2, 0, 2, 2, 1, 1],
      [1, 5, 0, 2, 2, 1, 1],
    ]);
    expect(result.settings[0]).toMatchObject({ recall: null, averagePrecision: null });
  });

  it('measures recall and average precision against a truth file, skipping it among the data files', async () => {
    const run = await runCli([
      'calibrate',
      '--format',
      'csv',
      '--timezone',
      'UTC',
      '--a1',
      '0.5,1',
      '--truth',
      truth,
      truth,
      acme,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'a1Pct,a2Pct,minScore,alerts,episodes,alertsPerDay,episodesPerDay,recall,averagePrecision\n' +
        '0.5,2,0,4,3,2,1.5,0.666667,0.388889\n' +
        '1,2,0,2,2,1,1,0.333333,0.166667\n',
    );
    expect(run.stderr).toContain(`${truth}: the truth file, not read as data\n`);
    expect(opened).toEqual([acme]);
  });

  it('keeps the episodes of at least the minimum score, and ranks by score: the worked example first', async () => {
    // Planted: the worked example's two bars, and ACME's pump. At 0.5%, by score: WORKED (63.3, hit 1 at rank 1),
    // then ACME's by peak severity: the news (miss), the pump (hit 2 at rank 3): AP = (1 + 2/3) / 2 = 5/6.
    // Of at least 50, WORKED alone: recall 1/2, AP 1/2. Of at least 70, none. Three days with bars.
    const both = file(
      'truth-worked.csv',
      'kind,symbol,start,end,planted\n' +
        'spike,WORKED,2021-01-06T04:40Z,2021-01-06T04:41Z,true\n' +
        'pump,ACME,2021-01-04T04:20Z,2021-01-04T04:25Z,true\n',
    );
    const result = await json(['--min-score', '0,50,70', '--truth', both, acme, worked]);
    expect(result.days).toBe(3);
    expect(result.settings).toEqual([
      // 6 alerts in 4 episodes over 3 days.
      {
        a1Pct: 0.5,
        a2Pct: 2,
        minScore: 0,
        alerts: 6,
        episodes: 4,
        alertsPerDay: 2,
        episodesPerDay: 1.333333,
        recall: 1,
        averagePrecision: 0.833333,
      },
      {
        a1Pct: 0.5,
        a2Pct: 2,
        minScore: 50,
        alerts: 2,
        episodes: 1,
        alertsPerDay: 0.666667,
        episodesPerDay: 0.333333,
        recall: 0.5,
        averagePrecision: 0.5,
      },
      {
        a1Pct: 0.5,
        a2Pct: 2,
        minScore: 70,
        alerts: 0,
        episodes: 0,
        alertsPerDay: 0,
        episodesPerDay: 0,
        recall: 0,
        averagePrecision: 0,
      },
    ]);
  });

  it('prints a table with the days it divides by', async () => {
    const run = await runCli(['calibrate', '--format', 'table', '--timezone', 'UTC', '--truth', truth, acme]);
    expect(run.stdout).toMatch(/│ +0\.5 │ +2 │ +0 │ +2\.00 │ +1\.50 │ +0\.667 │ +0\.389 │/);
    expect(run.stdout).toContain(
      '2 days with bars (UTC); recall and average precision against 3 planted events\n',
    );
  });

  it('reads each file once for every setting', async () => {
    const beta = file('BETA.csv', csv([['2021-01-06T04:00Z', '50']]));
    const result = await json(['--a1', '0.5,1,2', '--a2', '2,5', acme, beta]);
    expect(result.settings).toHaveLength(6);
    expect(result.days).toBe(3);
    expect(opened).toEqual([acme, beta]);
  });

  it('gives the same figures for files out of time order, reading those files a second time, once for all settings', async () => {
    // ACME's two days as two files (the symbol from the name, up to its first __).
    const day1 = file('ACME__DAY1.csv', csv(ACME_ROWS.slice(0, 5)));
    const day2 = file('ACME__DAY2.csv', csv(ACME_ROWS.slice(5)));
    const whole = await json(['--a1', '0.5,1', '--a2', '2,5', acme]);
    opened.length = 0;
    const reversed = await json(['--a1', '0.5,1', '--a2', '2,5', day2, day1]);
    expect(reversed).toEqual(whole);
    expect(opened).toEqual([day2, day1, day2, day1]);
  });

  it('counts a day for each UTC date with a bar, whatever the time zone of the file', async () => {
    // 05:29 IST on 01-04 is 23:59 UTC on 01-03; 05:30 IST is 00:00 UTC on 01-04.
    const late = file(
      'LATE.csv',
      csv([
        ['2021-01-04 05:29', '10'],
        ['2021-01-04 05:30', '10'],
      ]),
    );
    const run = await runCli(['calibrate', '--format', 'json', '--timezone', 'Asia/Kolkata', late]);
    expect(JSON.parse(run.stdout).days).toBe(2);
  });

  it('names a rejected file and still calibrates on the others, with exit 1', async () => {
    const broken = file('BROKEN.csv', 'timestamp,open,close\n2021-01-04T04:00Z,1,1\n');
    const run = await runCli(['calibrate', '--format', 'json', '--timezone', 'UTC', broken, acme]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BROKEN.csv: REJECTED: ');
    expect(JSON.parse(run.stdout).settings[0].alerts).toBe(4);
  });
});

describe('calibrate: usage errors (exit 2)', () => {
  it.each([
    [
      ['--a1', 'x'],
      "--a1 takes a comma-separated list of non-negative decimal numbers (percent), got 'x' in 'x'",
    ],
    [
      ['--a1', '-1'],
      "--a1 takes a comma-separated list of non-negative decimal numbers (percent), got '-1' in '-1'",
    ],
    [
      ['--a2', '1,,2'],
      "--a2 takes a comma-separated list of non-negative decimal numbers (percent), got an empty item in '1,,2'",
    ],
    [['--a1', '0.5,0.50'], "--a1 lists 0.50 twice in '0.5,0.50'"],
    [['--min-score', '101'], '--min-score: a score goes from 0 to 100, got 101'],
    [['--window', '0'], "window must be a whole number of minutes ≥ 1, got '0'"],
  ])('%j: %s', async (args, message) => {
    const run = await runCli(['calibrate', ...args, acme]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`stock-anomalies: ${message}\n`);
    expect(opened).toEqual([]);
  });

  it('refuses a truth file that does not keep to the format, naming the line and what is wrong', async () => {
    const bad = file(
      'bad-truth.csv',
      'kind,symbol,start,end,planted\npump,ACME,2021-01-04T04:20Z,2021-01-04T04:25Z,yes\n',
    );
    const run = await runCli(['calibrate', '--truth', bad, acme]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `stock-anomalies: --truth ${bad}: line 2: planted must be true or false, got 'yes'\n`,
    );
    const missing = await runCli(['calibrate', '--truth', join(dir, 'none.csv'), acme]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`stock-anomalies: --truth ${join(dir, 'none.csv')}: no such file\n`);
  });
});
