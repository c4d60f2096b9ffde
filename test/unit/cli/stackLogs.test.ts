/** `stack logs` on log files of its own: which files, in which order, formatted or as written, and followed. */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showStackLogs } from '../../../cli/stackLogs.js';
import { UsageError } from '../../../cli/usageError.js';
import { runCli } from '../../helpers/runCli.js';

const DETECT_ENTRY =
  '{"severity":"WARNING","message":"record to be retried","component":"detect","logging.googleapis.com/labels":{"component":"detect","event":"partition:3/offset:7","symbol":"ACME"}}';
const DETECT_LINE = 'WARNING  detect  record to be retried  event=partition:3/offset:7 symbol=ACME';

let stackDir: string;
let logs: string;
beforeEach(() => {
  stackDir = mkdtempSync(join(tmpdir(), 'stack-logs-'));
  logs = join(stackDir, 'logs');
  mkdirSync(logs);
});
afterEach(() => rmSync(stackDir, { recursive: true, force: true }));

async function shown(components: string[], options: { json?: boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  await showStackLogs(logs, components, { ...options, out: (line) => out.push(line) });
  return out;
}

describe('showStackLogs', () => {
  it("prints every component's log, each headed by its name, entries formatted and other lines as they are", async () => {
    writeFileSync(join(logs, 'detect.log'), `Serving function...\n${DETECT_ENTRY}\n`);
    writeFileSync(join(logs, 'kafka.log'), '[2026-11-25 12:00:00,123] INFO started\n');
    writeFileSync(join(logs, 'detect.log.1'), 'the previous run\n');
    writeFileSync(join(logs, 'notify.deliveries'), '{"at":1}\n');
    expect(await shown([])).toEqual([
      '==> detect <==',
      'Serving function...',
      DETECT_LINE,
      '==> kafka <==',
      '[2026-11-25 12:00:00,123] INFO started',
    ]);
  });

  it('prints the components named, in their order; one alone without a heading', async () => {
    writeFileSync(join(logs, 'detect.log'), `${DETECT_ENTRY}\n`);
    writeFileSync(join(logs, 'kafka.log'), 'k\n');
    expect(await shown(['detect'])).toEqual([DETECT_LINE]);
    expect(await shown(['kafka', 'detect'])).toEqual(['==> kafka <==', 'k', '==> detect <==', DETECT_LINE]);
  });

  it('prints the lines as written with --json, without headings, a last line without its newline too', async () => {
    writeFileSync(join(logs, 'detect.log'), `${DETECT_ENTRY}\nplain\n${DETECT_ENTRY}`);
    writeFileSync(join(logs, 'kafka.log'), 'k\n');
    expect(await shown([], { json: true })).toEqual([DETECT_ENTRY, 'plain', DETECT_ENTRY, 'k']);
  });

  it('says which logs there are when a component has none', async () => {
    writeFileSync(join(logs, 'detect.log'), '');
    await expect(shown(['detect', 'ingest'])).rejects.toThrow(
      new UsageError(`no log for ingest in ${logs} (logs here: detect)`),
    );
    rmSync(logs, { recursive: true });
    await expect(shown([])).rejects.toThrow(/no component logs in .* \(no logs yet: has the stack run\?\)/);
  });

  it('follows what is appended, whole lines only, and the new log of a restarted component', async () => {
    const file = join(logs, 'detect.log');
    writeFileSync(file, 'before\n');
    const out: string[] = [];
    const stop = new AbortController();
    const following = showStackLogs(logs, ['detect'], {
      follow: true,
      out: (line) => out.push(line),
      signal: stop.signal,
      pollMs: 5,
    });
    const until = async (length: number) => {
      for (let waited = 0; out.length < length && waited < 2_000; waited += 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await until(1);
    appendFileSync(file, `${DETECT_ENTRY}\nhalf`);
    await until(2);
    appendFileSync(file, ' a line\n');
    await until(3);
    // A restart: the stack moves the log aside and the component writes a new one.
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'after the restart\n');
    await until(4);
    stop.abort();
    await following;
    expect(out).toEqual(['before', DETECT_LINE, 'half a line', 'after the restart']);
  });
});

describe('stock-anomalies stack logs', () => {
  it("prints the stack's logs from STACK_DIR", async () => {
    writeFileSync(join(logs, 'detect.log'), `${DETECT_ENTRY}\n`);
    const run = await runCli(['stack', 'logs', 'detect'], { STACK_DIR: stackDir });
    expect(run).toEqual({ code: 0, stdout: `${DETECT_LINE}\n`, stderr: '' });
    expect((await runCli(['stack', 'logs', '--json'], { STACK_DIR: stackDir })).stdout).toBe(
      `${DETECT_ENTRY}\n`,
    );
  });

  it('exits 2, naming the logs there are, for a component without one', async () => {
    writeFileSync(join(logs, 'detect.log'), '');
    const run = await runCli(['stack', 'logs', 'ingest'], { STACK_DIR: stackDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no log for ingest');
  });
});
