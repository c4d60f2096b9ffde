/**
 * `npm run bench:console`: the console's start and lists at the seed's scale, and on the Firestore emulator at a
 * size it can hold, beside the floors (start under 30 s and 512 MiB, list p99 under 300 ms) and a reference
 * measured in the same run.
 *
 * **1. At the seed's scale (10M alerts in 1M episodes, BENCH_SCALE_EPISODES).** The emulator scans every
 * collection for every query and cannot hold 10M documents on this machine, so the console's own code is started
 * on a production-shaped store computed in process (consoleScaleStore.ts; consoleScale.ts runs it, a process of
 * its own): the start's scan of every episode into the read model, the alerts of the episodes a page reaches read
 * through the same code, the same HTTP edge and routes. Measured: the start's time (the model filled from the
 * first document to the last: the console's own work, not Firestore's sending), the documents it read (what
 * Firestore bills), the process's resident memory from /proc (after the start, and its peak after every list),
 * and each list's first answer (cold: the alerts it needs not held yet) and p50/p99 over BENCH_SCALE_RUNS more
 * (warm: held), per sort and filter. Not measured: Firestore's time to send 1M episodes (the emulator's, at
 * part 2's size, is mostly the process's own start, and says nothing of production's).
 *
 * **2. On the emulator** (a stack of its own with only the Firestore emulator, isolatedStack.ts): the alerts
 * `detect` finds in a generated data set (BENCH_SYMBOLS × BENCH_DAYS, by default 5 × 8, about 5,900 alerts: the emulator scans all the alerts for every `episode in` a cold page asks, so 58,000 took minutes a page),
 * their episodes (a tenth triaged, in the audit database) and bars, written as docs/records.md describes them (storeRecords.ts); then the
 * console server (`node dist/console/server.js`) started on them: its start (process start to the lists'
 * first 200), the documents its start read (the episodes, the event stream's count, and the triage documents), its resident memory, and
 * each list's first answer and p50/p99 over BENCH_RUNS more, the chart of 50 alerts and 20 episode details.
 * The reference, in the same run: the same first pages as plain Firestore queries on the same emulator (each
 * scans its collection, as the console's own queries do there: `episode in [...]` and count() too).
 *
 * Settings: BENCH_SCALE_EPISODES (default 1,000,000), BENCH_SCALE_RUNS (20), BENCH_SYMBOLS, BENCH_DAYS,
 * BENCH_RUNS (5), BENCH_DIRECT_RUNS (3), BENCH_STACK_* (placement); BENCH_SKIP_EMULATOR=1 runs part 1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import Table from 'cli-table3';
import { Firestore, Timestamp, type Query } from '@google-cloud/firestore';
import { generateDataset } from '../cli/api.js';
import { detectionConfigFromEnv } from '../shared/config/detectionParameterSettings.js';
import { futureSkewMinutesFromEnv, ingestLimitsFromEnv } from '../shared/config/ingestSettings.js';
import { readerClock } from '../shared/core/readerClock.js';
import type { Alert } from '../shared/core/alert.js';
import { EpisodeCollector, type Episode } from '../shared/core/episodes.js';
import { AlertsBySymbol, ObjectSeriesDetection } from '../shared/core/objectSeriesDetection.js';
import { barHours, type BarHour } from '../shared/state/barStore.js';
import { readObject } from '../shared/objects/readObject.js';
import { infrastructureComponents } from '../stack/components.js';
import { stackClientEnv, stackEndpoints } from '../stack/endpoints.js';
import { alertRecords, barRecords, episodeRecords, writeRecords } from './storeRecords.js';
import {
  benchPlacement,
  benchRoot,
  isolateStack,
  isMain,
  seconds,
  whole,
  withIsolatedStack,
} from './isolatedStack.js';
import { memoryOf } from './processMemory.js';
import { startScaleConsole, type ScaleStart } from './consoleScale.js';
import { loadavg } from 'node:os';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 5);
const DAYS = Number(process.env.BENCH_DAYS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DIRECT_RUNS = Number(process.env.BENCH_DIRECT_RUNS ?? 3);
const SCALE_EPISODES = Number(process.env.BENCH_SCALE_EPISODES ?? 1_000_000);
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 20);
const STATUSES = ['investigating', 'escalated', 'dismissed', 'confirmed'] as const;
const SORTS = ['score', 'newest', 'severity'] as const;
/** The floors a console for the seed's scale must keep. */
const FLOORS = { startS: 30, memoryMiB: 512, listP99Ms: 300 };

/** The alerts, episodes and bars by day of a generated data set, as detect finds them. */
async function detected(): Promise<{ alerts: Alert[]; episodes: Episode[]; days: BarHour[] }> {
  const dir = join(benchRoot, '.bench', `detect-${SYMBOLS}x${DAYS}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    process.stderr.write(`generating ${SYMBOLS} symbols × ${DAYS} days into ${dir} ...\n`);
    await generateDataset({ out: dir, symbols: SYMBOLS, days: DAYS, seed: 7 });
  }
  const config = detectionConfigFromEnv(process.env);
  const limits = ingestLimitsFromEnv(process.env);
  const clock = readerClock(Date.now(), futureSkewMinutesFromEnv(process.env));
  const alerts = new AlertsBySymbol();
  const episodes = new EpisodeCollector(alerts);
  const detection = new ObjectSeriesDetection(config, episodes);
  const days: BarHour[] = [];
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.csv'))
    .sort()) {
    const objectBars = await readObject(createReadStream(join(dir, name)), {
      objectName: basename(name),
      zone: config.zone,
      limits,
      clock,
    });
    // Every bar is processed here (each symbol's bars are in one file), so every bar is stored.
    for (const run of objectBars.runs)
      days.push(...barHours(run.symbol, objectBars.table, run.rows, { object: name, generation: '1' }));
    detection.addObject(objectBars, { object: name, generation: '1' });
  }
  return { alerts: [...alerts.sorted()], episodes: episodes.episodes(), days };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
const median = (values: number[]) => quantile(values, 0.5);
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const mib = (value: number | undefined) => (value === undefined ? '?' : `${value.toFixed(0)} MiB`);
const floor = (ok: boolean) => (ok ? 'under the floor' : 'OVER THE FLOOR');
const load = () =>
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`;

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

async function fetchOk(url: string): Promise<unknown> {
  const response = await fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** The lists' filters, by name. */
type Filters = Array<[string, Record<string, string>]>;

/**
 * Every list × sort × filter: the first answer (cold), then `runs` more (warm); the table, and every time taken
 * (for the overall p99).
 */
async function listTimes(base: string, filters: Filters, runs: number) {
  const table = new Table({
    head: ['list', 'sort', 'filter', 'total', 'cold', 'warm p50', 'warm p99'],
    style: { head: [] },
  });
  const all: number[] = [];
  const firsts: string[] = [];
  for (const [name, filter] of filters) {
    // The filter's first answer works its alerts total out (the next pages and orders reuse it).
    const first = await timed(() =>
      fetchOk(`${base}/api/alerts?${new URLSearchParams({ limit: '1', ...filter })}`),
    );
    all.push(first);
    firsts.push(`${name} ${ms(first)}`);
    for (const list of ['alerts', 'episodes']) {
      for (const sort of SORTS) {
        const url = `${base}/api/${list}?${new URLSearchParams({ sort, limit: '50', ...filter })}`;
        let total = 0;
        const cold = await timed(async () => {
          total = ((await fetchOk(url)) as { total: number }).total;
        });
        const times: number[] = [];
        for (let run = 0; run < runs; run++) times.push(await timed(() => fetchOk(url)));
        all.push(cold, ...times);
        table.push([list, sort, name, whole(total), ms(cold), ms(median(times)), ms(quantile(times, 0.99))]);
      }
    }
  }
  return { table, all, firsts: firsts.join(', ') };
}

/** Part 1: the console's own code at the seed's scale on the production-shaped store. */
async function atScale(port: number): Promise<{ start: ScaleStart; p99: number; peakMiB?: number }> {
  process.stderr.write(`starting the console on ${whole(SCALE_EPISODES)} episodes (production-shaped) ...\n`);
  const filters: Filters = [
    ['none', {}],
    ['symbol', { symbol: 'NSE075' }],
    ['rule', { rule: 'A1' }],
    ['date range', { from: '2022-03-01T00:00:00Z', to: '2022-03-31T23:59:59Z' }],
    ['status', { status: 'investigating' }],
    ['minSeverity', { minSeverity: '4' }],
    ['minScore', { minScore: '90' }],
    ['combined', { symbol: 'NSE075', rule: 'A2', minSeverity: '2', from: '2022-01-01T00:00:00Z' }],
    ['status and minSeverity', { status: 'investigating', minSeverity: '4' }],
    ['status new and minSeverity', { status: 'new', minSeverity: '4' }],
  ];
  // The count()s these filters ask the store (the fields of a minimum severity, in the console's order).
  const counts = filters.flatMap(([, filter]) =>
    filter.minSeverity === undefined
      ? []
      : [
          {
            minSeverity: Number(filter.minSeverity),
            ...(filter.symbol !== undefined && { symbol: filter.symbol }),
            ...(filter.rule !== undefined && { rule: filter.rule as 'A1' | 'A2' }),
            ...(filter.from !== undefined && { from: Date.parse(filter.from) }),
            ...(filter.to !== undefined && { to: Date.parse(filter.to) }),
          },
        ],
  );
  const scale = await startScaleConsole(port, SCALE_EPISODES, counts);
  const base = `http://127.0.0.1:${port}`;
  try {
    const afterStart = memoryOf(scale.pid);
    const { start } = scale;
    const { table, all, firsts } = await listTimes(base, filters, SCALE_RUNS);
    // The next pages: a cursor into the alerts of episodes the page before held.
    const pages: number[] = [];
    for (const sort of SORTS) {
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const url = `${base}/api/alerts?${new URLSearchParams({ sort, limit: '50', ...(after && { after }) })}`;
        let next: string | undefined;
        pages.push(
          await timed(async () => {
            next = ((await fetchOk(url)) as { next?: string }).next;
          }),
        );
        after = next;
      }
    }
    all.push(...pages);
    const peak = memoryOf(scale.pid);
    const p99 = quantile(all, 0.99);
    process.stdout.write(
      [
        '',
        `1. The console at the seed's scale: ${whole(start.alerts)} alerts in ${whole(start.episodes)} episodes ` +
          '(production-shaped store, in process: consoleScaleStore.ts)',
        `start: ${seconds(start.startMs)} (the console's own work; Firestore's sending not measured), ` +
          `${floor(start.startMs < FLOORS.startS * 1000)} of ${FLOORS.startS} s`,
        `documents read at start: ${whole(start.startReads)} (the episodes and the triaged ones' triage; reading ` +
          `every alert and episode, as the console did before, would be ${whole(start.alerts + start.episodes)})`,
        `resident memory after the start: ${mib(afterStart?.rssMiB)}; peak after every list below: ` +
          `${mib(peak?.peakMiB)}, ${floor((peak?.peakMiB ?? Infinity) < FLOORS.memoryMiB)} of ${FLOORS.memoryMiB} MiB`,
        `list p99 over every answer below (${whole(all.length)}: cold and warm, and 10 pages deep by cursor in each ` +
          `order): ${ms(p99)}, ${floor(p99 < FLOORS.listP99Ms)} of ${FLOORS.listP99Ms} ms; ${load()}`,
        table.toString(),
        `next pages by cursor (10 deep, each order): median ${ms(median(pages))}, p99 ${ms(quantile(pages, 0.99))}`,
        `each filter's first answer (its alerts total worked out; in the p99): ${firsts}`,
        '',
      ].join('\n'),
    );
    return { start, p99, ...(peak && { peakMiB: peak.peakMiB }) };
  } finally {
    await scale.stop();
  }
}

async function startServer(port: number): Promise<{ child: ChildProcess; loadMs: number }> {
  const env = {
    ...process.env,
    ...stackClientEnv(process.env),
    PORT: String(port),
    CONSOLE_HOST: '127.0.0.1',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [join(benchRoot, 'dist/console/server.js')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`  console: ${chunk}`));
  const url = `http://127.0.0.1:${port}/api/episodes?limit=1`;
  let last = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      const text = await response.text();
      if (response.status === 200) break;
      if (text !== last) process.stderr.write(`  ${response.status}: ${text.slice(0, 160)}\n`);
      last = text;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, loadMs: performance.now() - started };
}

/** The event stream's first counts: the episodes the start read, and their alerts. */
async function streamCounts(base: string): Promise<{ alerts: number; episodes: number }> {
  const response = await fetch(`${base}/api/events`);
  const reader = response.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended');
    text += new TextDecoder().decode(value);
    const data = /event: change\ndata: (.*)\n/.exec(text)?.[1];
    if (data !== undefined) {
      await reader.cancel();
      return JSON.parse(data) as { alerts: number; episodes: number };
    }
  }
}

/** Part 2: the console server on the emulator, and the same first pages as plain Firestore queries. */
async function onTheEmulator(): Promise<void> {
  const ctx = isolateStack(benchPlacement('console', 300));
  const components = infrastructureComponents(ctx).filter((component) => component.name === 'firestore');
  const endpoints = stackEndpoints(process.env);

  process.stderr.write('detecting the data set ...\n');
  const { alerts, episodes, days } = await detected();
  const records = { alerts: alertRecords(alerts), episodes: episodeRecords(episodes) };
  const minuteOf = (alert: Alert) => Date.parse(alert.timestamp) / 60_000;
  // Written a day ago, as a store the console starts on would have been: the feeds' bounds exclude them.
  const dayAgo = Timestamp.fromMillis(Date.now() - 86_400_000);
  const triaged = new Map<string, string>();
  records.episodes.forEach((episode, i) => {
    if (i % 10 === 3) triaged.set(episode.id, STATUSES[((i / 10) % STATUSES.length) | 0]!);
  });

  await withIsolatedStack(ctx, components, async () => {
    process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
    process.env.METADATA_SERVER_DETECTION = 'none';
    const db = new Firestore({ projectId: endpoints.project });
    const writeStart = performance.now();
    await writeRecords(
      db,
      'alerts',
      records.alerts.map((alert) => ({ id: alert.id, data: { ...alert.data, writtenAt: dayAgo } })),
    );
    const alertsWritten = performance.now();
    await writeRecords(
      db,
      'episodes',
      records.episodes.map((episode) => ({ id: episode.id, data: { ...episode.data, updatedAt: dayAgo } })),
    );
    // The triage, where the console keeps it: the audit database's triage documents (docs/records.md).
    const audit = new Firestore({ projectId: endpoints.project, databaseId: 'audit' });
    await writeRecords(
      audit,
      'episodes',
      [...triaged].map(([id, status]) => ({
        id,
        data: { triage: { status, assignee: 'ana', updatedAt: dayAgo, updatedBy: 'ana' } },
      })),
    );
    await audit.terminate();
    const barDocuments = barRecords(days);
    await writeRecords(db, 'bars', barDocuments, { perCommit: 20, inFlight: 4 });
    process.stderr.write(
      `wrote ${whole(records.alerts.length)} alerts in ${seconds(alertsWritten - writeStart)}, ` +
        `${whole(records.episodes.length)} episodes and ${whole(barDocuments.length)} bar documents in ` +
        `${seconds(performance.now() - alertsWritten)}\n`,
    );

    const { child, loadMs } = await startServer(endpoints.consolePort);
    const base = `http://127.0.0.1:${endpoints.consolePort}`;
    try {
      const memory = memoryOf(child.pid!);
      const counts = await streamCounts(base);
      const symbols = (await fetchOk(`${base}/api/meta`)) as { symbols: string[] };
      const symbol = symbols.symbols[Math.floor(symbols.symbols.length / 2)]!;
      const firstDay = alerts.reduce((first, alert) => Math.min(first, minuteOf(alert)), Infinity) * 60_000;
      const from = new Date(firstDay + Math.floor(DAYS / 3) * 86_400_000).toISOString();
      const to = new Date(firstDay + Math.floor((DAYS * 2) / 3) * 86_400_000).toISOString();
      const filters: Filters = [
        ['none', {}],
        ['symbol', { symbol }],
        ['rule', { rule: 'A1' }],
        ['date range', { from, to }],
        ['status', { status: 'investigating' }],
        ['minSeverity', { minSeverity: '2' }],
        ['combined', { symbol, rule: 'A2', minSeverity: '1.5', from }],
      ];
      const { table, all } = await listTimes(base, filters, RUNS);
      const peak = memoryOf(child.pid!);

      const random = (n: number, length: number) =>
        Array.from({ length: n }, (_, i) => Math.floor((((i * 7919 + 13) % 1009) / 1009) * length));
      const chartTimes: number[] = [];
      for (const index of random(50, records.alerts.length)) {
        const id = records.alerts[index]!.id;
        chartTimes.push(await timed(() => fetchOk(`${base}/api/alerts/${encodeURIComponent(id)}/chart`)));
      }
      const detailTimes: number[] = [];
      for (const index of random(20, records.episodes.length)) {
        const id = records.episodes[index]!.id;
        detailTimes.push(await timed(() => fetchOk(`${base}/api/episodes/${encodeURIComponent(id)}`)));
      }

      const direct = new Table({
        head: ['Firestore query (the same first page)', 'median', 'runs'],
        style: { head: [] },
      });
      const alertsRef = db.collection('alerts');
      const episodesRef = db.collection('episodes');
      const at = (iso: string) => Timestamp.fromMillis(Date.parse(iso));
      const someEpisodes = records.episodes.slice(0, 30).map((episode) => episode.id);
      const queries: Array<[string, Query]> = [
        ['alerts orderBy(timestamp desc)', alertsRef.orderBy('timestamp', 'desc')],
        [
          'alerts orderBy(severity desc, timestamp desc)',
          alertsRef.orderBy('severity', 'desc').orderBy('timestamp', 'desc'),
        ],
        [
          'alerts symbol == , orderBy(timestamp desc)',
          alertsRef.where('symbol', '==', symbol).orderBy('timestamp', 'desc'),
        ],
        [
          'alerts rules array-contains A1, orderBy(timestamp desc)',
          alertsRef.where('rules', 'array-contains', 'A1').orderBy('timestamp', 'desc'),
        ],
        [
          'alerts timestamp in range, orderBy(timestamp desc)',
          alertsRef
            .where('timestamp', '>=', at(from))
            .where('timestamp', '<=', at(to))
            .orderBy('timestamp', 'desc'),
        ],
        [
          'alerts severity >= 2, orderBy(severity desc)',
          alertsRef.where('severity', '>=', 2).orderBy('severity', 'desc'),
        ],
        [
          'alerts episode in [30 episodes] (what a page of alerts reads)',
          alertsRef.where('episode', 'in', someEpisodes),
        ],
        ['episodes orderBy(end desc)', episodesRef.orderBy('end', 'desc')],
        [
          'episodes triage.status ==, orderBy(end desc)',
          episodesRef.where('triage.status', '==', 'investigating').orderBy('end', 'desc'),
        ],
      ];
      for (const [name, query] of queries) {
        const times: number[] = [];
        for (let run = 0; run < DIRECT_RUNS; run++) times.push(await timed(() => query.limit(50).get()));
        direct.push([name, ms(median(times)), DIRECT_RUNS]);
      }
      const countTimes: number[] = [];
      for (let run = 0; run < DIRECT_RUNS; run++)
        countTimes.push(await timed(() => alertsRef.where('severity', '>=', 2).count().get()));
      direct.push([
        'alerts severity >= 2 count() (a total with minSeverity)',
        ms(median(countTimes)),
        DIRECT_RUNS,
      ]);
      const getAll: number[] = [];
      for (let run = 0; run < DIRECT_RUNS; run++) {
        const ids = random(50, records.alerts.length).map((index) =>
          alertsRef.doc(records.alerts[(index + run) % records.alerts.length]!.id),
        );
        getAll.push(await timed(() => db.getAll(...ids)));
      }
      direct.push(['getAll of 50 alerts by id (what a console page reads)', ms(median(getAll)), DIRECT_RUNS]);

      const p99 = quantile(all, 0.99);
      process.stdout.write(
        [
          '',
          `2. The console on the emulator: ${whole(records.alerts.length)} alerts, ` +
            `${whole(records.episodes.length)} episodes (${whole(triaged.size)} triaged), ` +
            `${whole(barDocuments.length)} bar documents; ${RUNS} warm requests per figure`,
          `start (process start to the lists' first 200): ${seconds(loadMs)}; documents read at start: ` +
            `${whole(counts.episodes + triaged.size)} (the episodes, holding ${whole(counts.alerts)} alerts, and ` +
            `the triaged ones' triage); resident memory ` +
            `after the start ${mib(memory?.rssMiB)}, peak after the lists ${mib(peak?.peakMiB)}`,
          `list p99 over every answer below: ${ms(p99)} (the emulator scans the alerts for each \`episode in\` ` +
            `and count() a cold answer asks; production reads only what they return); ${load()}`,
          table.toString(),
          `chart (/api/alerts/:id/chart), 50 alerts: median ${ms(median(chartTimes))}, p99 ${ms(quantile(chartTimes, 0.99))}`,
          `episode detail (/api/episodes/:id), 20 episodes: median ${ms(median(detailTimes))}, ` +
            `p99 ${ms(quantile(detailTimes, 0.99))}`,
          '',
          'The reference: the same first pages as plain Firestore queries on the emulator (no indexes: each scans ' +
            'its collection):',
          direct.toString(),
          '',
        ].join('\n'),
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await db.terminate();
    }
  });
}

export async function benchConsole(): Promise<void> {
  const port = benchPlacement('console', 300).STACK_CONSOLE_PORT;
  await atScale(Number(port) + 1);
  if (process.env.BENCH_SKIP_EMULATOR !== '1') await onTheEmulator();
}

if (isMain(import.meta.url)) await benchConsole();
