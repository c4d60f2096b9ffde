/**
 * `stock-anomalies replay` without a stack: the uploads it makes (into memory) and when, on a fake clock;
 * what it says on stderr; its exit codes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { replay, type ReplayOptions } from '../../../cli/commands/replay.js';
import type { CliContext } from '../../../cli/context.js';
import type { Clock } from '../../../cli/replay/schedule.js';
import { UsageError } from '../../../cli/usageError.js';
import { runCli } from '../../helpers/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const HEADER = 'timestamp,open,high,low,close,volume\n';

// Friday 2017-01-06 15:28 and 15:29 IST, then Monday 09:15 and, after a quiet minute, 09:17.
const acme = file(
  'ACME__EQ__NSE__NSE__MINUTE.csv',
  HEADER +
    '2017-01-06 15:28:00+05:30,100,100,100,100,10\n' +
    '2017-01-06 15:29:00+05:30,101,101,101,101,20\n' +
    '2017-01-09 09:15:00+05:30,102,102,102,102,30\n' +
    '2017-01-09 09:17:00+05:30,103,103,103,103,40\n',
);
const beta = file(
  'BETA__EQ__NSE__NSE__MINUTE.csv',
  HEADER +
    '2017-01-06 15:29:00+05:30,50,50,50,50,5\n' +
    'Total,,,,,\n' +
    '2017-01-09 09:15:00+05:30,51,51,51,51,6\n',
);

interface Run {
  uploads: Array<{ name: string; content: string; at: number }>;
  stderr: string;
  exitCode: number;
}

/** Runs the command's body with uploads into memory, each taking `uploadMs` of a fake clock. */
async function replayed(files: string[], options: Partial<ReplayOptions> = {}, uploadMs = 5): Promise<Run> {
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const context: CliContext = { stdout: new PassThrough(), stderr, env: {}, exitCode: 0 };
  const uploads: Run['uploads'] = [];
  await replay(
    files,
    { speed: '60', timezone: 'Asia/Kolkata', ...options },
    context,
    async (name, content) => {
      uploads.push({ name, content, at: now });
      now += uploadMs;
    },
    clock,
  );
  return { uploads, stderr: Buffer.concat(err).toString(), exitCode: context.exitCode };
}

describe('stock-anomalies replay', () => {
  it('uploads one object per minute, one interval apart, over the weekend and the quiet minute alike', async () => {
    const run = await replayed([acme, beta]);
    expect(run.uploads.map(({ name, at }) => [name, at])).toEqual([
      ['replay/2017-01-06T0958Z.csv', 0],
      ['replay/2017-01-06T0959Z.csv', 1000],
      ['replay/2017-01-09T0345Z.csv', 2000],
      ['replay/2017-01-09T0347Z.csv', 3000],
    ]);
    expect(run.uploads[1]!.content).toBe(
      'timestamp,symbol,open,high,low,close,volume\n' +
        '2017-01-06T09:59:00Z,ACME,101,101,101,101,20\n' +
        '2017-01-06T09:59:00Z,BETA,50,50,50,50,5\n',
    );
    expect(run.stderr).toContain(
      `${beta}:3: skipped: unreadable timestamp 'Total'\n` +
        'replaying 4 minutes (2017-01-06T09:58Z to 2017-01-09T03:47Z), 6 rows of 2 files, an object every 1.00 s (speed 60)\n' +
        '[1/4] 2017-01-06T09:58Z replay/2017-01-06T0958Z.csv 1 row\n' +
        '[2/4] 2017-01-06T09:59Z replay/2017-01-06T0959Z.csv 2 rows\n',
    );
    expect(run.stderr).toMatch(
      /replayed 4 minutes, 6 rows of 2 symbols, in 3\.\d+ s; 0 uploads behind schedule; 1 row skipped \(timestamp or symbol unreadable\)\n$/,
    );
    // The skipped row makes the exit code 1, once everything else is uploaded.
    expect(run.exitCode).toBe(1);
  });

  it('replays a slice: --from and --to (both included, exchange time without an offset), --limit', async () => {
    const slice = await replayed([acme], { from: '2017-01-06 15:29', to: '2017-01-09T03:47Z' });
    expect(slice.uploads.map((u) => u.name)).toEqual([
      'replay/2017-01-06T0959Z.csv',
      'replay/2017-01-09T0345Z.csv',
      'replay/2017-01-09T0347Z.csv',
    ]);
    expect(slice.exitCode).toBe(0);
    expect(slice.stderr).toContain('; 1 row outside --from/--to/--limit');
    const limited = await replayed([acme], { from: '2017-01-06T09:59Z', limit: '2' });
    expect(limited.uploads.map((u) => u.name)).toEqual([
      'replay/2017-01-06T0959Z.csv',
      'replay/2017-01-09T0345Z.csv',
    ]);
  });

  it('warns when an upload takes longer than its interval', async () => {
    const run = await replayed([acme], { speed: '600' }, 250);
    expect(run.uploads.map((u) => u.at)).toEqual([0, 250, 500, 750]);
    expect(run.stderr).toContain(
      '[1/4] 2017-01-06T09:58Z replay/2017-01-06T0958Z.csv 1 row; behind schedule by 0.150 s ' +
        '(upload took 0.250 s, interval 0.100 s)',
    );
    expect(run.stderr).toContain('; 4 uploads behind schedule;');
  });

  it('puts the objects under UPLOAD_PREFIX', async () => {
    let names: string[] = [];
    const context: CliContext = {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { UPLOAD_PREFIX: 'in/' },
      exitCode: 0,
    };
    await replay([acme], { speed: 'max', timezone: 'UTC', limit: '1' }, context, async (name) => {
      names = [...names, name];
    });
    expect(names).toEqual(['in/replay/2017-01-06T0958Z.csv']);
  });

  it('uploads nothing when a file is missing or one the pipeline would reject', async () => {
    const noVolume = file(
      'NOVOLUME.csv',
      'timestamp,open,high,low,close\n2017-01-02 09:15:00+05:30,1,1,1,1\n',
    );
    await expect(replayed([acme, join(dir, 'NOPE.csv'), dir])).rejects.toThrow(
      `nothing replayed: ${join(dir, 'NOPE.csv')}: no such file; ${dir}: not a file`,
    );
    await expect(replayed([acme, noVolume])).rejects.toThrow(
      `nothing replayed: ${noVolume}: the pipeline would reject it: missing required columns: volume`,
    );
  });

  it('refuses its options with a usage error', async () => {
    await expect(replayed([acme], { speed: '0' })).rejects.toThrow(UsageError);
    await expect(replayed([acme], { from: 'yesterday' })).rejects.toThrow(
      "--from must be a minute like 2017-01-02T03:45Z, got 'yesterday'",
    );
    await expect(replayed([acme], { from: '2017-01-09T00:00Z', to: '2017-01-06T00:00Z' })).rejects.toThrow(
      'is after --to',
    );
    await expect(replayed([acme], { limit: '0' })).rejects.toThrow(UsageError);
    await expect(replayed([acme], { timezone: 'Mars/Olympus' })).rejects.toThrow('unknown time zone');
  });

  it('exits 2 for a usage error and 1 for a missing file, on the command line', async () => {
    const usage = await runCli(['replay', '--speed', 'fast', acme]);
    expect(usage).toMatchObject({ code: 2 });
    expect(usage.stderr).toContain("--speed must be a positive number or 'max', got 'fast'");
    const missing = await runCli(['replay', join(dir, 'NOPE.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `stock-anomalies: nothing replayed: ${join(dir, 'NOPE.csv')}: no such file\n`,
    );
  });
});
