/** `reports`: the local stack's ingestion reports, per object its status, data quality and detection figures. */
import type { Command } from 'commander';
import { readVariable } from '../../shared/config/runtime.js';
import type { QualityReport } from '../../shared/core/report.js';
import { FirestoreIngestionStore, type DetectionTotals } from '../../shared/state/ingestionStore.js';
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
  detection: DetectionTotals;
}

export async function readReports(stack: StackClients): Promise<IngestionView[]> {
  const store = new FirestoreIngestionStore(
    stack.firestore,
    readVariable('INGESTIONS_COLLECTION', stack.env),
  );
  return (await store.list()).map((ingestion) => ({
    id: ingestion.id,
    object: ingestion.object,
    generation: ingestion.generation,
    status: ingestion.status,
    ...(ingestion.error ? { error: ingestion.error } : {}),
    quarantine: ingestion.quarantine ?? null,
    ...(ingestion.report ? { report: ingestion.report } : {}),
    detection: ingestion.detection,
  }));
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
