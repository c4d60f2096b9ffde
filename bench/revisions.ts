/**
 * `npm run bench:revisions`: what a late bar costs in the pipeline (contract §2). A market of 150 symbols over
 * two sessions (generated, clean) is dropped with one hour of the second session held back; once it is idle, that
 * hour comes as one object (a vendor's backfill): every one of its bars is late, detected in its place, and the
 * alerts after it are revised. Beside it, in the same run, the reference: on a fresh stack, the same hour dropped
 * in order, after the bars before it and before the bars after it, so that nothing in it is late.
 *
 * It prints, for each, the time from the hour's upload to idle (as `wait` sees it), the bars per second, and for
 * the backfill the revisions per second (alerts raised late, revised or withdrawn). Both must end exact: the
 * alerts equal `detect` on the whole files (verdictOf).
 *
 * It runs its own stack (its own folder under .bench/ and its own ports, isolatedStack.ts). Settings:
 * BENCH_SYMBOLS (default 150), BENCH_TIMEOUT (seconds per wait, default 600), BENCH_STACK_* (placement).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { main as cli, generateDataset, pipelineCommands, type StackClients } from '../cli/api.js';
import { appComponents } from '../stack/appComponents.js';
import { stackComponents } from '../stack/components.js';
import {
  benchPlacement,
  benchRoot,
  isMain,
  isolateStack,
  quietContext,
  seconds,
  whole,
  withIsolatedStack,
} from './isolatedStack.js';
import { Writable } from 'node:stream';
import { alertLines } from './verdict.js';

const { clients, dropFiles, readReports, stackAlertStore, waitForIdle, alertOutput } =
  await pipelineCommands();

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 150);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 600);
/** The hour held back: the second session's 11:00 to 11:59, exchange time. */
const HOUR = ' 11:';

interface Cut {
  /** Per symbol, its bars before the hour (the first session and the second's morning). */
  before: string[];
  /** One object: every symbol's bars of the hour, with a symbol column. */
  hour: string;
  /** Per symbol, its bars after the hour. */
  after: string[];
  /** The whole files, for `detect`'s reference alerts. */
  whole: string[];
  hourBars: number;
}

/** Cuts each generated file around the second session's held-back hour. */
async function cut(dir: string): Promise<Cut> {
  const generated = await generateDataset({
    out: join(dir, 'whole'),
    symbols: SYMBOLS,
    days: 2,
    seed: 21,
    faultRate: 0,
  });
  const pieces = join(dir, 'pieces');
  mkdirSync(pieces, { recursive: true });
  const cutOut: Cut = {
    before: [],
    hour: join(pieces, 'BACKFILL-hour.csv'),
    after: [],
    whole: [],
    hourBars: 0,
  };
  const hourRows: string[] = [];
  for (const file of generated.files) {
    const path = join(dir, 'whole', file.file);
    cutOut.whole.push(path);
    const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
    const secondDay = rows.at(-1)!.slice(0, 10);
    const before: string[] = [];
    const after: string[] = [];
    for (const row of rows) {
      const inHour = row.startsWith(secondDay) && row.slice(10, 14) === HOUR;
      if (inHour) hourRows.push(`${file.symbol},${row}`);
      else if (row.startsWith(secondDay) && row.slice(11, 13) >= '12') after.push(row);
      else before.push(row);
    }
    const name = (part: string) => join(pieces, `${file.symbol}__${part}.csv`);
    writeFileSync(name('before'), `${header}\n${before.join('\n')}\n`);
    writeFileSync(name('after'), `${header}\n${after.join('\n')}\n`);
    cutOut.before.push(name('before'));
    cutOut.after.push(name('after'));
  }
  writeFileSync(cutOut.hour, `symbol,timestamp,open,high,low,close,volume\n${hourRows.join('\n')}\n`);
  cutOut.hourBars = hourRows.length;
  return cutOut;
}

async function idle(stack: StackClients): Promise<void> {
  if (!(await waitForIdle(stack, TIMEOUT_S, quietContext()))) throw new Error('timed out waiting for idle');
}

async function drop(stack: StackClients, files: string[]): Promise<void> {
  const context = quietContext();
  await dropFiles(stack, files, context);
  if (context.exitCode !== 0) throw new Error('some files could not be uploaded');
}

/** Drops `first`, waits, then times `hour` from its upload to idle. */
async function timeHour(stack: StackClients, first: string[], hour: string): Promise<number> {
  await drop(stack, first);
  await idle(stack);
  const started = performance.now();
  await drop(stack, [hour]);
  await idle(stack);
  return performance.now() - started;
}

interface Measured {
  ms: number;
  late: number;
  alerts: number;
  revised: number;
  withdrawn: number;
  /** Alerts that differ from `detect`'s on the whole files, their sources aside; 0 when exact. */
  different: number;
}

/** Alert lines without their source: the pieces name other objects and lines than the whole files. */
function withoutSources(lines: readonly string[]): string[] {
  return lines
    .map((line) => {
      const { source: _source, ...alert } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(alert);
    })
    .sort();
}

/** How many alerts one side has that the other lacks. */
function difference(expected: readonly string[], actual: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of actual) counts.set(line, (counts.get(line) ?? 0) - 1);
  return [...counts.values()].reduce((sum, n) => sum + Math.abs(n), 0);
}

async function figuresOf(stack: StackClients, ms: number, expected: readonly string[]): Promise<Measured> {
  const views = await readReports(stack);
  const sum = (figure: 'late' | 'alerts' | 'revised' | 'withdrawn') =>
    views
      .filter((view) => view.object.endsWith('BACKFILL-hour.csv'))
      .reduce((total, view) => total + view.detection[figure], 0);
  const output = alertOutput('jsonl');
  for (const alert of await stackAlertStore(stack).all()) output.add(alert);
  const chunks: Buffer[] = [];
  for (const chunk of output.chunks()) chunks.push(Buffer.from(chunk));
  output.close();
  return {
    ms,
    late: sum('late'),
    alerts: sum('alerts'),
    revised: sum('revised'),
    withdrawn: sum('withdrawn'),
    different: difference(expected, withoutSources(alertLines(Buffer.concat(chunks).toString()))),
  };
}

async function expectedAlerts(files: string[]): Promise<string[]> {
  const out: Buffer[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  const code = await cli(['detect', '--format', 'jsonl', ...files], {
    stdout,
    stderr: quietContext().stderr,
    env: process.env,
    exitCode: 0,
  });
  if (code !== 0) throw new Error(`detect exited ${code}`);
  return withoutSources(alertLines(Buffer.concat(out).toString()));
}

export async function benchRevisions(): Promise<{ inOrder: Measured; backfill: Measured; hourBars: number }> {
  const data = await cut(join(benchRoot, '.bench', `revisions-${SYMBOLS}`));
  const expected = await expectedAlerts(data.whole);
  const ctx = isolateStack(benchPlacement('revisions', 30));
  const components = stackComponents(ctx, [appComponents]);
  const inOrder = await withIsolatedStack(ctx, components, async () => {
    const stack = clients(quietContext());
    process.stderr.write(`in order: the ${SYMBOLS} symbols' bars before the hour, then the hour ...\n`);
    const ms = await timeHour(stack, data.before, data.hour);
    await drop(stack, data.after);
    await idle(stack);
    const measured = await figuresOf(stack, ms, expected);
    await stack.firestore.terminate();
    return measured;
  });
  const backfill = await withIsolatedStack(ctx, components, async () => {
    const stack = clients(quietContext());
    process.stderr.write(`backfill: every bar but the hour's, then the hour ...\n`);
    const ms = await timeHour(stack, [...data.before, ...data.after], data.hour);
    const measured = await figuresOf(stack, ms, expected);
    await stack.firestore.terminate();
    return measured;
  });
  return { inOrder, backfill, hourBars: data.hourBars };
}

export function printRevisions(result: Awaited<ReturnType<typeof benchRevisions>>): void {
  const { inOrder, backfill, hourBars } = result;
  const table = new Table({
    head: [
      `one hour of ${SYMBOLS} symbols (${whole(hourBars)} bars)`,
      'in order (reference)',
      'backfilled late',
    ],
    colAligns: ['left', 'right', 'right'],
    style: { head: [], border: [] },
  });
  const perSecond = (n: number, ms: number) => whole(n / (ms / 1000));
  table.push(
    ['upload to idle', seconds(inOrder.ms), seconds(backfill.ms)],
    ['bars/s', perSecond(hourBars, inOrder.ms), perSecond(hourBars, backfill.ms)],
    ['late bars (detected in place)', whole(inOrder.late), whole(backfill.late)],
    ['alerts raised', whole(inOrder.alerts), whole(backfill.alerts)],
    [
      'alerts revised / withdrawn',
      `${whole(inOrder.revised)} / ${whole(inOrder.withdrawn)}`,
      `${whole(backfill.revised)} / ${whole(backfill.withdrawn)}`,
    ],
    [
      'revisions/s (raised late + revised + withdrawn)',
      '-',
      perSecond(backfill.alerts + backfill.revised + backfill.withdrawn, backfill.ms),
    ],
    ['backfill / in order', '1.00×', `${(backfill.ms / inOrder.ms).toFixed(2)}×`],
    ['alerts unlike detect on the whole files', String(inOrder.different), String(backfill.different)],
  );
  console.log(table.toString());
}

if (isMain(import.meta.url)) {
  const result = await benchRevisions();
  printRevisions(result);
  console.log(
    'in order: the bars before the hour, the hour, then the bars after it, each waited for; backfilled: every bar ' +
      "but the hour, then the hour. Times from the hour's upload to idle as `wait` sees it; each on a fresh stack.",
  );
  if (result.inOrder.different + result.backfill.different > 0) process.exitCode = 1;
}
