/** `stock-anomalies detect`: what an analyst at a terminal or a script relies on. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nseCsv } from '../../helpers/read.js';
import { runCli } from '../../helpers/runCli.js';

const run = (args: string[]) => runCli(args);
const CSV_HEADER =
  'symbol,timestamp,rules,open,high,low,close,volume,prevClose,prevTimestamp,changePct,a1Severity,avgVolume,windowBars,volumeRatio,a2Severity,severity,episodeStart,object,line';

const dir = mkdtempSync(join(tmpdir(), 'detect-cli-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

// ACME: 09:16 jumps +1% with volume 20 over 10 (A1+A2); BETA: 09:16 volume 300 over 100 (A2).
const acme = file(
  'ACME__EQ__NSE__NSE__MINUTE.csv',
  nseCsv([
    ['09:15', '100', '100', '100', '100', '10'],
    ['09:16', '101', '101', '101', '101', '20'],
    ['09:17', 'oops', '101', '101', '101', '20'],
  ]),
);
const beta = file(
  'BETA__EQ__NSE__NSE__MINUTE.csv',
  nseCsv([
    ['09:16', '50', '50', '50', '50', '300'],
    ['09:15', '50', '50', '50', '50', '100'],
    ['09:15', '50', '50', '50', '50', '100'],
  ]),
);
const broken = file('BROKEN.csv', 'timestamp,open,close\n2017-01-02 09:15:00+05:30,1,1\n');

describe('detect', () => {
  it('writes alerts as JSON lines sorted by symbol then time, whatever the file order', async () => {
    const { code, stdout } = await run(['detect', '--format', 'jsonl', beta, acme]);
    expect(code).toBe(0);
    const alerts = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(alerts.map((alert) => `${alert.symbol} ${alert.timestamp} ${alert.rules}`)).toEqual([
      'ACME 2017-01-02T03:46:00Z A1,A2',
      'BETA 2017-01-02T03:46:00Z A2',
    ]);
    expect(alerts[1].source).toEqual({ object: 'BETA__EQ__NSE__NSE__MINUTE.csv', line: 2 });
  });

  it('summarises each object on stderr', async () => {
    const { stderr } = await run(['detect', '--format', 'jsonl', acme, beta]);
    expect(stderr).toContain(
      'ACME__EQ__NSE__NSE__MINUTE.csv: 2 accepted, 1 bad (number 1), alerts 1 (A1 1, A2 1)',
    );
    expect(stderr).toContain(
      'BETA__EQ__NSE__NSE__MINUTE.csv: 2 accepted, 1 duplicates (0 conflicting), 1 out of order, alerts 1 (A1 0, A2 1)',
    );
    expect(stderr).toContain('total: 2 objects, 4 bars accepted, 2 rows set aside, alerts 2 (A1 1, A2 2)');
  });

  it('carries state across files: the same file again is repeats, not re-alerted', async () => {
    const { stdout, stderr } = await run(['detect', '--format', 'jsonl', acme, acme]);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(
      'ACME__EQ__NSE__NSE__MINUTE.csv: 2 accepted, 1 bad (number 1), 2 repeats, alerts 0 (A1 0, A2 0)\n',
    );
  });

  it('writes CSV with a header', async () => {
    const { stdout } = await run(['detect', '--format', 'csv', beta]);
    expect(stdout).toBe(
      'symbol,timestamp,rules,open,high,low,close,volume,prevClose,prevTimestamp,changePct,a1Severity,avgVolume,windowBars,volumeRatio,a2Severity,severity,episodeStart,object,line\n' +
        // Severity 300 / (100 × 1.02).
        'BETA,2017-01-02T03:46:00Z,A2,50,50,50,50,300,,,,,100,1,3,2.941176,2.941176,2017-01-02T03:46:00Z,BETA__EQ__NSE__NSE__MINUTE.csv,2\n',
    );
  });

  it('exits 1 when an object is rejected, still processing the others, and names the problem', async () => {
    const { code, stdout, stderr } = await run(['detect', '--format', 'jsonl', broken, acme]);
    expect(code).toBe(1);
    expect(stderr).toContain('BROKEN.csv: REJECTED: missing required columns: high, low, volume');
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 1 for a missing file', async () => {
    const { code, stderr } = await run(['detect', join(dir, 'nope.csv')]);
    expect(code).toBe(1);
    expect(stderr).toContain('nope.csv: REJECTED: no such file');
  });

  it('writes the episodes as JSON lines, or as CSV for a .csv name, by symbol', async () => {
    const jsonl = join(dir, 'episodes.jsonl');
    const csv = join(dir, 'episodes.csv');
    await run(['detect', '--format', 'jsonl', '--episodes', jsonl, beta, acme]);
    await run(['detect', '--format', 'jsonl', '--episodes', csv, beta, acme]);
    // One alert each: ACME's of severity 2 (1% / 0.5%), BETA's 300 / (100 × 1.02). A symbol's second bar has
    // too little history for a baseline: its score is 0, and says so (contract §6).
    const at = '2017-01-02T03:46:00Z';
    const unscored = (alert: string) =>
      `"score":0,"scoreBaseline":"none","scoreFactors":[` +
      `{"factor":"move","points":0,"detail":"too little history to know its usual: not scored against one"},` +
      `{"factor":"volume","points":0,"detail":"too little history to know its usual: not scored against one"},` +
      ['market', 'shape', 'close', 'liquidity']
        .map((factor) => `{"factor":"${factor}","points":0,"detail":"not measured"}`)
        .join(',') +
      `],"scoreAlerts":[{"minute":"${alert}","points":0}]`;
    expect(readFileSync(jsonl, 'utf8')).toBe(
      `{"symbol":"ACME","start":"${at}","end":"${at}","count":1,"a1":1,"a2":1,"peakSeverity":2,${unscored(at)}}\n` +
        `{"symbol":"BETA","start":"${at}","end":"${at}","count":1,"a1":0,"a2":1,"peakSeverity":2.941176,${unscored(at)}}\n`,
    );
    expect(readFileSync(csv, 'utf8')).toBe(
      'symbol,start,end,count,a1,a2,peakSeverity,score,scoreBaseline,move,volume,market,shape,close,liquidity\n' +
        `ACME,${at},${at},1,1,1,2,0,none,0,0,0,0,0,0\nBETA,${at},${at},1,0,1,2.941176,0,none,0,0,0,0,0,0\n`,
    );
  });

  it('exits 2 for an episode gap that is not a whole number of minutes', async () => {
    const { code, stderr } = await run(['detect', '--episode-gap', '2.5', acme]);
    expect(code).toBe(2);
    expect(stderr).toContain("episode gap must be a whole number of minutes ≥ 1, got '2.5'");
  });

  it('writes the quality reports and the set-aside rows', async () => {
    const report = join(dir, 'report.json');
    const quarantine = join(dir, 'quarantine.csv');
    await run([
      'detect',
      '--format',
      'jsonl',
      '--report',
      report,
      '--quarantine',
      quarantine,
      acme,
      beta,
      broken,
    ]);
    const reports = JSON.parse(readFileSync(report, 'utf8'));
    expect(
      reports.map((entry: { report: { object: string; status: string } }) => entry.report.status),
    ).toEqual(['accepted', 'accepted', 'rejected']);
    expect(reports[0].report).toMatchObject({ dataRows: 3, accepted: 2, bad: { count: 1 } });
    expect(reports[0].detection).toMatchObject({ processed: 2, late: 0, alerts: 1 });
    expect(reports[2].report).toMatchObject({
      error: expect.stringContaining('missing'),
      missingColumns: ['high', 'low', 'volume'],
    });
    expect(readFileSync(quarantine, 'utf8')).toBe(
      'object,line,reason,detail,raw\n' +
        'ACME__EQ__NSE__NSE__MINUTE.csv,4,number,open is not a number: \'oops\',"2017-01-02 09:17:00+05:30,oops,101,101,101,20"\n' +
        'BETA__EQ__NSE__NSE__MINUTE.csv,4,duplicate,BETA 2017-01-02T03:45:00Z already seen,"2017-01-02 09:15:00+05:30,50,50,50,50,100"\n',
    );
  });

  it.each([
    [['detect', '--a1', 'half', acme], /a1 must be a non-negative decimal number, got 'half'/],
    [['detect', '--window', '0', acme], /window must be a whole number of minutes/],
    [['detect', '--timezone', 'Mars/Base', acme], /unknown time zone 'Mars\/Base'/],
    [['detect', '--format', 'xml', acme], /argument 'xml' is invalid/],
    [['detect'], /missing required argument 'files'/],
    [['detect', '--bogus', acme], /unknown option '--bogus'/],
  ])('exits 2 for a usage error: %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('detect --quarantine', () => {
  it('writes a set-aside row that would be a formula so that a spreadsheet shows it as text', async () => {
    const formula = file(
      'FORMULA.csv',
      `${nseCsv([['09:15', '1', '1', '1', '1', '1']])}=cmd|' /C calc'!A0,1,1,1,1,1\n-2,1,1,1,1,1\n`,
    );
    const quarantine = join(dir, 'formula-quarantine.csv');
    const { code } = await run(['detect', '--format', 'jsonl', '--quarantine', quarantine, formula]);
    expect(code).toBe(0);
    expect(readFileSync(quarantine, 'utf8')).toBe(
      'object,line,reason,detail,raw\n' +
        `FORMULA.csv,3,timestamp,unreadable timestamp '=cmd|' /C calc'!A0',"'=cmd|' /C calc'!A0,1,1,1,1,1"\n` +
        `FORMULA.csv,4,timestamp,unreadable timestamp '-2',"'-2,1,1,1,1,1"\n`,
    );
  });
});

describe('detect with the ingest limits', () => {
  it('rejects an object past a limit set in the environment, as ingest would, and goes on', async () => {
    const report = join(dir, 'limits-report.json');
    const { code, stdout, stderr } = await runCli(
      ['detect', '--format', 'jsonl', '--report', report, acme, beta],
      { MAX_ROWS_PER_OBJECT: '2' },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'ACME__EQ__NSE__NSE__MINUTE.csv: REJECTED: object has more than 2 rows (MAX_ROWS_PER_OBJECT)',
    );
    expect(stdout).toBe('');
    const reports = JSON.parse(readFileSync(report, 'utf8'));
    expect(reports[0].report).toMatchObject({
      status: 'rejected',
      error: 'object has more than 2 rows (MAX_ROWS_PER_OBJECT)',
      accepted: 0,
    });
    expect(reports[1].report.status).toBe('rejected');
  });

  it('rejects a line past MAX_LINE_BYTES, naming the line', async () => {
    const long = file('LONG.csv', `${nseCsv([['09:15', '1', '1', '1', '1', '1']])}${'x'.repeat(70_000)}\n`);
    const { code, stderr } = await run(['detect', '--format', 'jsonl', long]);
    expect(code).toBe(1);
    expect(stderr).toContain('LONG.csv: REJECTED: line 3 is longer than 65536 bytes (MAX_LINE_BYTES)');
  });

  it('exits 2 for a malformed limit, naming the variable', async () => {
    const { code, stderr } = await runCli(['detect', acme], { MAX_LINE_BYTES: 'lots' });
    expect(code).toBe(2);
    expect(stderr).toBe("stock-anomalies: MAX_LINE_BYTES must be a positive integer, got 'lots'\n");
  });
});

describe('detect on empty objects and symbols without accepted rows', () => {
  const headerOnly = file('EMPTY__EQ__NSE__NSE__MINUTE.csv', 'timestamp,open,high,low,close,volume\n\n\n');
  const withFooter = file(
    'FOOTER.csv',
    [
      'symbol,timestamp,open,high,low,close,volume',
      'ACME,2017-01-02 09:15:00+05:30,100,100,100,100,10',
      'ACME,2017-01-02 09:16:00+05:30,101,101,101,101,20',
      'Total,,,,,,',
    ].join('\n') + '\n',
  );

  it('accepts a header without rows: exit 0, no alerts, a summary of 0 accepted', async () => {
    const { code, stdout, stderr } = await run(['detect', '--format', 'jsonl', headerOnly]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe('EMPTY__EQ__NSE__NSE__MINUTE.csv: 0 accepted, alerts 0 (A1 0, A2 0)\n');
  });

  it.each([
    ['csv', `${CSV_HEADER}\n`],
    ['table', 'No alerts.\n'],
  ])('writes no alerts as %s for a header without rows', async (format, expected) => {
    const { code, stdout } = await run(['detect', '--format', format, headerOnly]);
    expect(code).toBe(0);
    expect(stdout).toBe(expected);
  });

  it("writes an empty object's report and an empty quarantine", async () => {
    const report = join(dir, 'empty-report.json');
    const quarantine = join(dir, 'empty-quarantine.csv');
    const { code } = await run([
      'detect',
      '--format',
      'jsonl',
      '--report',
      report,
      '--quarantine',
      quarantine,
      headerOnly,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual([
      {
        report: {
          object: 'EMPTY__EQ__NSE__NSE__MINUTE.csv',
          status: 'accepted',
          dataRows: 0,
          accepted: 0,
          bad: { count: 0, byReason: {} },
          duplicates: { count: 0, conflicting: 0 },
          outOfOrder: 0,
          gaps: { count: 0, missingMinutes: 0, largest: 0 },
          symbols: [],
          firstMinute: null,
          lastMinute: null,
        },
        detection: { processed: 0, late: 0, repeats: 0, tooLate: 0, a1: 0, a2: 0, alerts: 0 },
      },
    ]);
    expect(readFileSync(quarantine, 'utf8')).toBe('object,line,reason,detail,raw\n');
  });

  it('sets a footer line aside as one bad row and detects the rows before it', async () => {
    const quarantine = join(dir, 'footer-quarantine.csv');
    const { code, stdout, stderr } = await run([
      'detect',
      '--format',
      'jsonl',
      '--quarantine',
      quarantine,
      withFooter,
    ]);
    expect(code).toBe(0);
    const alerts = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(alerts.map((alert) => [alert.symbol, alert.timestamp, alert.rules, alert.source.line])).toEqual([
      ['ACME', '2017-01-02T03:46:00Z', ['A1', 'A2'], 3],
    ]);
    expect(stderr).toBe('FOOTER.csv: 2 accepted, 1 bad (timestamp 1), alerts 1 (A1 1, A2 1)\n');
    expect(readFileSync(quarantine, 'utf8')).toBe(
      'object,line,reason,detail,raw\nFOOTER.csv,4,timestamp,unreadable timestamp \'\',"Total,,,,,,"\n',
    );
  });

  it('counts an empty object in the totals without rejecting it', async () => {
    const { code, stderr } = await run(['detect', '--format', 'jsonl', headerOnly, withFooter, acme]);
    expect(code).toBe(0);
    // ACME's own file comes after FOOTER.csv's ACME rows of the same minutes: both are repeats.
    expect(stderr).toBe(
      'EMPTY__EQ__NSE__NSE__MINUTE.csv: 0 accepted, alerts 0 (A1 0, A2 0)\n' +
        'FOOTER.csv: 2 accepted, 1 bad (timestamp 1), alerts 1 (A1 1, A2 1)\n' +
        'ACME__EQ__NSE__NSE__MINUTE.csv: 2 accepted, 1 bad (number 1), 2 repeats, alerts 0 (A1 0, A2 0)\n' +
        'total: 3 objects, 4 bars accepted, 2 rows set aside, 2 repeats, alerts 1 (A1 1, A2 1)\n',
    );
  });
});

describe('the installed command', () => {
  const bin = new URL('../../../bin/stock-anomalies.js', import.meta.url).pathname;

  it('runs from the bin shim and prints no stack trace for bad input', async () => {
    const error = await promisify(execFile)('node', [bin, 'detect', '--window', 'x', acme]).catch((e) => e);
    expect(error.code).toBe(2);
    expect(error.stderr).toBe("stock-anomalies: window must be a whole number of minutes ≥ 1, got 'x'\n");
  });
});

describe('failureLine', () => {
  it('calls a bug a bug, never a rejection of the file', async () => {
    const { failureLine } = await import('../../../cli/commands/detect.js');
    const { ObjectRejectedError } = await import('../../../shared/core/report.js');
    expect(failureLine('A.csv', new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      "A.csv: FAILED: programming error: TypeError: Cannot read properties of undefined (reading 'x')" +
        ' (a bug in stock-anomalies, not a problem with the file)',
    );
    expect(
      failureLine('B.csv', new ObjectRejectedError('missing required columns: volume', ['volume'])),
    ).toBe('B.csv: REJECTED: missing required columns: volume');
    expect(failureLine('C.csv', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toBe(
      'C.csv: REJECTED: no such file',
    );
  });
});
