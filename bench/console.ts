/**
 * `npm run bench:console`: how fast the analysts' console answers on the Firestore emulator with a
 * benchmark-sized store, and what the same first pages cost as Firestore queries.
 *
 * On a stack of its own (only the Firestore emulator; its own folder and ports, isolatedStack.ts), it writes
 * the alerts `detect` finds in bench:detect's data set (40 symbols × 50 days, about 290,000 alerts), their
 * episodes (a tenth of them triaged) and every bar by symbol and day, as docs/records.md describes them
 * (storeRecords.ts, through the functions notify and detect write them with), straight into Firestore. Then it starts the console server (`node
 * dist/console/server.js`, a process of its own), waits for its read model to load (and prints how long, and
 * the server's resident memory), and prints median and p95 of the first page (limit 50) of each sort × each
 * kind of filter for alerts and episodes, of the chart of 50 random alerts, and of 20 episode details; then
 * the same first pages done directly as Firestore queries (the emulator scans the whole collection for each).
 * Figures only: nothing is asserted about time.
 *
 * Settings: BENCH_SYMBOLS, BENCH_DAYS (the data set), BENCH_RUNS (requests per figure, default 20),
 * BENCH_DIRECT_RUNS (Firestore queries per figure, default 3), BENCH_STACK_* (placement).
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
import { barDays, type BarDay } from '../shared/state/barStore.js';
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

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 40);
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const DIRECT_RUNS = Number(process.env.BENCH_DIRECT_RUNS ?? 3);
const STATUSES = ['investigating', 'escalated', 'dismissed', 'confirmed'] as const;

/** The alerts, episodes and bars by day of bench:detect's data set, as detect finds them. */
async function detected(): Promise<{ alerts: Alert[]; episodes: Episode[]; days: BarDay[] }> {
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
  const days: BarDay[] = [];
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
      days.push(...barDays(run.symbol, objectBars.table, run.rows, { object: name, generation: '1' }));
    detection.addObject(objectBars, { object: name, generation: '1' });
  }
  return { alerts: [...alerts.sorted()], episodes: episodes.episodes(), days };
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

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
  const url = `http://127.0.0.1:${port}/api/alerts?limit=1`;
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
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { child, loadMs: performance.now() - started };
}

export async function benchConsole(): Promise<void> {
  const ctx = isolateStack(benchPlacement('console', 300));
  const components = infrastructureComponents(ctx).filter((component) => component.name === 'firestore');
  const endpoints = stackEndpoints(process.env);

  process.stderr.write('detecting the data set ...\n');
  const { alerts, episodes, days } = await detected();
  const records = { alerts: alertRecords(alerts), episodes: episodeRecords(episodes) };
  const minuteOf = (alert: Alert) => Date.parse(alert.timestamp) / 60_000;
  // Written a day ago, as a store the console starts on would have been: the listeners' bounds exclude them.
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
      records.episodes.map((episode) => {
        const status = triaged.get(episode.id);
        return {
          id: episode.id,
          data: {
            ...episode.data,
            updatedAt: dayAgo,
            ...(status && { triage: { status, assignee: 'ana', updatedAt: dayAgo, updatedBy: 'ana' } }),
          },
        };
      }),
    );
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
      const symbols = (await fetchOk(`${base}/api/meta`)) as { symbols: string[] };
      const symbol = symbols.symbols[Math.floor(symbols.symbols.length / 2)]!;
      const firstDay = alerts.reduce((first, alert) => Math.min(first, minuteOf(alert)), Infinity) * 60_000;
      const from = new Date(firstDay + 20 * 86_400_000).toISOString();
      const to = new Date(firstDay + 30 * 86_400_000).toISOString();
      const filters: Array<[string, Record<string, string>]> = [
        ['none', {}],
        ['symbol', { symbol }],
        ['rule', { rule: 'A1' }],
        ['date range', { from, to }],
        ['status', { status: 'investigating' }],
        ['minSeverity', { minSeverity: '1' }],
        ['combined', { symbol, rule: 'A2', minSeverity: '0.5', from }],
      ];

      const table = new Table({
        head: ['list', 'sort', 'filter', 'total', 'median', 'p95'],
        style: { head: [] },
      });
      for (const list of ['alerts', 'episodes']) {
        for (const sort of ['newest', 'severity']) {
          for (const [name, filter] of filters) {
            const url = `${base}/api/${list}?${new URLSearchParams({ sort, limit: '50', ...filter })}`;
            const { total } = (await fetchOk(url)) as { total: number };
            const times: number[] = [];
            for (let run = 0; run < RUNS; run++) times.push(await timed(() => fetchOk(url)));
            table.push([list, sort, name, whole(total), ms(median(times)), ms(quantile(times, 0.95))]);
          }
        }
      }

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
          'alerts rules array-contains A1, orderBy(severity desc)',
          alertsRef.where('rules', 'array-contains', 'A1').orderBy('severity', 'desc'),
        ],
        [
          'alerts timestamp in range, orderBy(timestamp desc)',
          alertsRef
            .where('timestamp', '>=', at(from))
            .where('timestamp', '<=', at(to))
            .orderBy('timestamp', 'desc'),
        ],
        [
          'alerts severity >= 1, orderBy(severity desc)',
          alertsRef.where('severity', '>=', 1).orderBy('severity', 'desc'),
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
      const counts: number[] = [];
      for (let run = 0; run < DIRECT_RUNS; run++) counts.push(await timed(() => alertsRef.count().get()));
      direct.push(['alerts count() (the total of a page)', ms(median(counts)), DIRECT_RUNS]);
      const getAll: number[] = [];
      for (let run = 0; run < DIRECT_RUNS; run++) {
        const ids = random(50, records.alerts.length).map((index) =>
          alertsRef.doc(records.alerts[(index + run) % records.alerts.length]!.id),
        );
        getAll.push(await timed(() => db.getAll(...ids)));
      }
      direct.push(['getAll of 50 alerts by id (what a console page reads)', ms(median(getAll)), DIRECT_RUNS]);

      process.stdout.write(
        [
          '',
          `Console on ${whole(records.alerts.length)} alerts, ${whole(records.episodes.length)} episodes ` +
            `(${whole(triaged.size)} triaged), ${whole(barDocuments.length)} bar documents; ${RUNS} requests per figure`,
          `read model loaded (process start to the first 200): ${seconds(loadMs)}; console RSS after load: ` +
            `${memory ? `${memory.rssMiB.toFixed(0)} MiB` : 'unknown'}`,
          table.toString(),
          `chart (/api/alerts/:id/chart), 50 random alerts: median ${ms(median(chartTimes))}, p95 ${ms(quantile(chartTimes, 0.95))}`,
          `episode detail (/api/episodes/:id: its alerts' ids from the read model, one getAll), 20 random ` +
            `episodes: median ${ms(median(detailTimes))}, p95 ${ms(quantile(detailTimes, 0.95))}`,
          '',
          'The same first pages as Firestore queries on the emulator (no indexes: each scans its collection):',
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

if (isMain(import.meta.url)) await benchConsole();
