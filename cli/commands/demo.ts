/**
 * `stock-anomalies demo` (what `npm start` runs): the whole product on this machine in one command. Brings the
 * local stack up, drops the sample files into the bucket, waits for every alert, and summarises what came out.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { appComponents, consoleUrl } from '../../stack/appComponents.js';
import { createStackContext, stackComponents } from '../../stack/components.js';
import { stackUp } from '../../stack/orchestrate.js';
import { writeText, type CliContext } from '../context.js';
import { clients, stackAlertStore } from '../stackClients.js';
import { dropFiles } from './drop.js';
import { readReports } from './reports.js';
import { waitForIdle } from './wait.js';

const SAMPLE_DIR = new URL('../../../data/sample/', import.meta.url).pathname;

export function registerDemoCommand(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('bring the local stack up, drop the sample data, wait, and summarise the alerts (npm start)')
    .argument('[files...]', 'CSV files to drop instead of the sample')
    .action(async (files: string[]) => {
      const log = (line: string) => context.stderr.write(`${line}\n`);
      const ctx = createStackContext({ env: context.env, log });
      log('Bringing the local stack up (the first time installs Kafka and fake-gcs-server into .stack/)...');
      await stackUp(stackComponents(ctx, [appComponents]), ctx);

      const inputs =
        files.length > 0
          ? files
          : readdirSync(SAMPLE_DIR)
              .filter((name) => name.endsWith('.csv'))
              .map((name) => join(SAMPLE_DIR, name));
      const stack = clients(context);
      await dropFiles(stack, inputs, context);
      if (!(await waitForIdle(stack, 300, context))) return;

      const [alerts, reports] = await Promise.all([stackAlertStore(stack).all(), readReports(stack)]);
      const bySymbol = new Map<string, { a1: number; a2: number; both: number; total: number }>();
      for (const alert of alerts) {
        const row = bySymbol.get(alert.symbol) ?? { a1: 0, a2: 0, both: 0, total: 0 };
        row.total++;
        if (alert.rules.length === 2) row.both++;
        if (alert.rules.includes('A1')) row.a1++;
        if (alert.rules.includes('A2')) row.a2++;
        bySymbol.set(alert.symbol, row);
      }
      const table = new Table({
        head: ['symbol', 'alerts', 'A1 price', 'A2 volume', 'both'],
        style: { head: [] },
      });
      for (const [symbol, row] of [...bySymbol].sort(([a], [b]) => (a < b ? -1 : 1))) {
        table.push([symbol, row.total, row.a1, row.a2, row.both]);
      }

      const quality = new Table({
        head: [
          'object',
          'status',
          'accepted',
          'bad',
          'duplicates',
          'out of order',
          'gaps (min)',
          'late',
          'repeats',
          'too late',
        ],
        style: { head: [] },
      });
      for (const view of reports.sort((a, b) => (a.object < b.object ? -1 : 1))) {
        const r = view.report;
        quality.push([
          view.object,
          view.status,
          r?.accepted ?? '',
          r
            ? Object.entries(r.bad.byReason)
                .map(([reason, n]) => `${n} ${reason}`)
                .join(', ') || 0
            : '',
          r ? `${r.duplicates.count} (${r.duplicates.conflicting} conflicting)` : '',
          r?.outOfOrder ?? '',
          r ? `${r.gaps.count} (${r.gaps.missingMinutes})` : '',
          ...arrivalColumns(view.detection),
        ]);
      }

      const endpoints = ctx.endpoints;
      await writeText(
        context.stdout,
        [
          `Alerts in Firestore (${alerts.length}):`,
          table.toString(),
          '',
          'Data quality, per ingested object:',
          quality.toString(),
          '',
          'Look further:',
          '  npx stock-anomalies alerts --symbol <SYMBOL> [--rule A1|A2]    the alerts, as a table or --format jsonl',
          '  npx stock-anomalies reports                                   ingestion reports and quarantined rows',
          '  npx stock-anomalies drop <file.csv>... && npx stock-anomalies wait   run your own files through',
          `  FIRESTORE_EMULATOR_HOST=${endpoints.firestore.emulatorHost} (project ${endpoints.project}): collections alerts, ingestions, symbol-state`,
          '  npx stock-anomalies stack status | down                           endpoints and health; stop everything',
          '',
          'The stack keeps running (npx stock-anomalies stack down stops it).',
          `Console: ${consoleUrl(ctx)}`,
          '',
        ].join('\n'),
      );
    });
}

/**
 * Contract §2's late, repeated and too-late bars of an object. The pipeline's totals carry repeats and too-late
 * once its detect counts them; until then they show as 0.
 */
function arrivalColumns(detection: { late: number; repeats?: number; tooLate?: number }): number[] {
  return [detection.late, detection.repeats ?? 0, detection.tooLate ?? 0];
}
