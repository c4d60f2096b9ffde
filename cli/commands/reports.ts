/** `reports`: the local stack's ingestion reports, per object its status, data quality and detection figures. */
import type { Command } from 'commander';
import { readVariable } from '../../shared/config/runtime.js';
import type { QualityReport } from '../../shared/core/report.js';
import { writeText, type CliContext } from '../context.js';
import { clients, stackError, type StackClients } from '../stackClients.js';

export function registerReportsCommand(program: Command, context: CliContext): void {
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
