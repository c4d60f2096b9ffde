/**
 * Using the pipeline on the local stack: `drop` files into the bucket, `wait` until everything dropped has
 * become alerts, read the `alerts` and the ingestion `reports` back from Firestore.
 */
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { readVariable } from '../../shared/config/runtime.js';
import type { Alert } from '../../shared/core/alert.js';
import type { QualityReport } from '../../shared/core/report.js';
import { fromAlertDocument } from '../../shared/pipeline/alertDocument.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import { alertOutput, isAlertFormat } from '../output/alertFormats.js';
import { writeText, type CliContext } from '../context.js';
import { UsageError } from '../usageError.js';

export interface StackClients {
  firestore: Firestore;
  storage: Storage;
  bucket: string;
  kafka: Kafka;
  env: NodeJS.ProcessEnv;
}

export function clients(context: CliContext): StackClients {
  const endpoints = stackEndpoints(context.env);
  // The Firestore client reads its emulator from the environment; nothing else in this process is affected.
  process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
  return {
    firestore: new Firestore({ projectId: endpoints.project }),
    storage: new Storage({ projectId: endpoints.project, apiEndpoint: endpoints.storage.apiEndpoint }),
    bucket: endpoints.bucket,
    kafka: new Kafka({
      clientId: 'stock-anomalies-cli',
      brokers: [endpoints.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }),
    env: context.env,
  };
}

/** Stack connection failures read as a hint, not a stack trace. */
function stackError(error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|UNAVAILABLE|Connection error|fetch failed/i.test(text)) {
    return new Error(
      `the local stack is not reachable (${text.split('\n')[0]}); start it with 'stock-anomalies stack up'`,
    );
  }
  return error instanceof Error ? error : new Error(text);
}

export function registerPipelineCommands(program: Command, context: CliContext): void {
  program
    .command('drop')
    .description("upload files to the local stack's bucket (object name = the file's base name)")
    .argument('<files...>')
    .action(async (files: string[]) => {
      await dropFiles(clients(context), files, context);
    });

  program
    .command('wait')
    .description('wait until every dropped object is ingested and every alert is written')
    .option('--timeout <seconds>', 'give up after this long (exit 1)', '600')
    .action(async (options: { timeout: string }) => {
      const timeout = Number(options.timeout);
      if (!(timeout > 0))
        throw new UsageError(`--timeout must be a number of seconds, got '${options.timeout}'`);
      await waitForIdle(clients(context), timeout, context);
    });

  program
    .command('alerts')
    .description('read the alerts back from Firestore (same fields as detect)')
    .addOption(
      new Option('--format <format>', 'jsonl, csv or table (default: table on a terminal)').choices([
        'jsonl',
        'csv',
        'table',
      ]),
    )
    .option('--symbol <symbol>', 'only this symbol')
    .addOption(new Option('--rule <rule>', 'only alerts where this rule fired').choices(['A1', 'A2']))
    .action(async (options: { format?: string; symbol?: string; rule?: string }) => {
      const format =
        options.format && isAlertFormat(options.format)
          ? options.format
          : context.stdout.isTTY
            ? 'table'
            : 'jsonl';
      const stack = clients(context);
      const alerts = await readAlerts(stack, options).catch((error) => {
        throw stackError(error);
      });
      const output = alertOutput(format);
      for (const alert of alerts) output.add(alert);
      try {
        for (const chunk of output.chunks()) await writeText(context.stdout, chunk);
      } finally {
        output.close();
      }
    });

  program
    .command('reports')
    .description('the ingestion reports: per object, its status, data quality and detection figures')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      const stack = clients(context);
      const reports = await readReports(stack).catch((error) => {
        throw stackError(error);
      });
      if (options.json) {
        await writeText(context.stdout, `${JSON.stringify(reports, null, 2)}\n`);
        return;
      }
      for (const report of reports) await writeText(context.stdout, `${describeIngestion(report)}\n`);
      if (reports.length === 0) await writeText(context.stdout, 'No ingestions yet.\n');
    });
}

export async function dropFiles(stack: StackClients, files: string[], context: CliContext): Promise<void> {
  for (const file of files) {
    const name = basename(file);
    const skip = skipReason(name, context.env);
    try {
      const [object] = await stack.storage
        .bucket(stack.bucket)
        .upload(file, { destination: name, resumable: false });
      context.stderr.write(
        `dropped ${name} (generation ${object.metadata.generation})${skip ? `: note, ingest skips it: ${skip}` : ''}\n`,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        context.stderr.write(`${file}: no such file\n`);
        context.exitCode = 1;
        continue;
      }
      throw stackError(error);
    }
  }
}

/** Polls until nothing is pending; sets exit code 1 and says what is still pending on timeout. */
export async function waitForIdle(
  stack: StackClients,
  timeoutSeconds: number,
  context: CliContext,
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const pending = await pendingWork(stack).catch((error) => {
      throw stackError(error);
    });
    if (pending.length === 0) {
      context.stderr.write('all dropped objects ingested, all alerts written\n');
      return true;
    }
    const line = pending.join('; ');
    if (Date.now() > deadline) {
      context.stderr.write(`timed out after ${timeoutSeconds} s; still pending: ${line}\n`);
      context.exitCode = 1;
      return false;
    }
    if (line !== last && context.stderr.isTTY) context.stderr.write(`waiting: ${line}\n`);
    last = line;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function readAlerts(
  stack: StackClients,
  filter: { symbol?: string; rule?: string },
): Promise<Alert[]> {
  let query: FirebaseFirestore.Query = stack.firestore.collection(
    readVariable('ALERTS_COLLECTION', stack.env),
  );
  if (filter.symbol) query = query.where('symbol', '==', filter.symbol);
  if (filter.rule) query = query.where('rules', 'array-contains', filter.rule);
  const snapshot = await query.get();
  const alerts = snapshot.docs.map((doc) => fromAlertDocument(doc.data()));
  return alerts.sort((a, b) =>
    a.symbol < b.symbol
      ? -1
      : a.symbol > b.symbol
        ? 1
        : a.timestamp < b.timestamp
          ? -1
          : a.timestamp > b.timestamp
            ? 1
            : 0,
  );
}

export interface IngestionView {
  id: string;
  object: string;
  generation: string;
  status: string;
  error?: string;
  quarantine?: string | null;
  report?: QualityReport;
  detection: { batches: number; processed: number; late: number; alerts: number; a1: number; a2: number };
}

export async function readReports(stack: StackClients): Promise<IngestionView[]> {
  const collection = stack.firestore.collection(readVariable('INGESTIONS_COLLECTION', stack.env));
  const snapshot = await collection.get();
  return Promise.all(
    snapshot.docs.map(async (doc) => {
      const data = doc.data();
      const tallies = await doc.ref.collection('symbols').get();
      const detection = { batches: 0, processed: 0, late: 0, alerts: 0, a1: 0, a2: 0 };
      for (const tally of tallies.docs) {
        for (const key of Object.keys(detection) as Array<keyof typeof detection>) {
          detection[key] += Number(tally.get(key) ?? 0);
        }
      }
      return {
        id: doc.id,
        object: data.object,
        generation: data.generation,
        status: data.status,
        ...(data.error ? { error: data.error } : {}),
        quarantine: data.quarantine ?? null,
        ...(data.report ? { report: data.report } : {}),
        detection,
      };
    }),
  );
}

function describeIngestion(view: IngestionView): string {
  const head = `${view.object} (generation ${view.generation}): ${view.status}`;
  if (view.status === 'rejected' || view.status === 'failed') return `${head}: ${view.error ?? ''}`;
  const report = view.report;
  if (!report) return head;
  const { detection } = view;
  return (
    `${head}: ${report.accepted} accepted, ${report.bad.count} bad, ${report.duplicates.count} duplicates ` +
    `(${report.duplicates.conflicting} conflicting), ${report.outOfOrder} out of order, ${report.gaps.count} gaps ` +
    `(${report.gaps.missingMinutes} min); detected ${detection.processed}, late ${detection.late}, ` +
    `alerts ${detection.alerts} (A1 ${detection.a1}, A2 ${detection.a2})` +
    (view.quarantine ? `; set-aside rows in ${view.quarantine}` : '')
  );
}

/** What is not finished yet, in words; empty when the pipeline is idle with everything delivered. */
async function pendingWork(stack: StackClients): Promise<string[]> {
  const pending: string[] = [];
  const [files] = await stack.storage.bucket(stack.bucket).getFiles();
  const ingestions = stack.firestore.collection(readVariable('INGESTIONS_COLLECTION', stack.env));
  const objects = files.filter((file) => skipReason(file.name, stack.env) === undefined);
  const snapshots = await Promise.all(
    objects.map((file) => ingestions.doc(ingestionId(file.name, String(file.metadata.generation))).get()),
  );
  const unfinished = snapshots.filter((snapshot) => !['done', 'rejected'].includes(snapshot.get('status')));
  if (unfinished.length > 0)
    pending.push(`${unfinished.length} of ${objects.length} objects not ingested yet`);

  const lag = await kafkaLag(stack);
  if (lag > 0) pending.push(`${lag} Kafka records not yet detected`);

  const states = await stack.firestore.collection(readVariable('STATE_COLLECTION', stack.env)).get();
  const detected = states.docs.reduce((sum, doc) => sum + Number(doc.get('alertCount') ?? 0), 0);
  const written = (
    await stack.firestore.collection(readVariable('ALERTS_COLLECTION', stack.env)).count().get()
  ).data().count;
  if (written !== detected) pending.push(`${written} of ${detected} alerts written`);
  return pending;
}

export async function kafkaLag(stack: StackClients): Promise<number> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const topic = readVariable('KAFKA_TOPIC', stack.env);
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: readVariable('KAFKA_GROUP_ID', stack.env), topics: [topic] }),
    ]);
    const done = new Map(
      (committed[0]?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]),
    );
    let lag = 0;
    for (const end of ends) {
      const at = done.get(end.partition) ?? -1;
      lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
