/** `reports`: the local stack's ingestion reports, per object its status, data quality and detection figures. */
import type { Command } from 'commander';
import { readVariable } from '../../shared/config/variables.js';
import type { QualityReport } from '../../shared/core/report.js';
import type { DetectionTotals } from '../../shared/state/ingestionStore.js';
import { writeText, type CliContext } from '../context.js';
import { describeProblems, hasProblems, pipelineProblems, problemsByObject } from '../pipelineProblems.js';
import { clients, stackError, stackIngestionStore, type StackClients } from '../stackClients.js';

export function registerReportsCommand(program: Command, context: CliContext): void {
  program
    .command('reports')
    .description('the ingestion reports: per object, its status, data quality and detection figures')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      const stack = clients(context);
      const [reports, problems] = await Promise.all([readReports(stack), pipelineProblems(stack)]).catch(
        (error) => {
          throw stackError(error);
        },
      );
      const counts = problemsByObject(problems);
      const views = reports.map((view) => ({
        ...view,
        parked: counts.get(`${view.object}@${view.generation}`)?.parked ?? 0,
        held: counts.get(`${view.object}@${view.generation}`)?.held ?? 0,
      }));
      if (options.json) await writeText(context.stdout, `${JSON.stringify(views, null, 2)}\n`);
      else {
        for (const view of views) await writeText(context.stdout, `${describeIngestion(view)}\n`);
        if (views.length === 0) await writeText(context.stdout, 'No ingestions yet.\n');
      }
      // Parked and held records are not in any report's figures yet: say so, and fail, until they are.
      if (hasProblems(problems)) {
        const lines = describeProblems(problems, readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env));
        context.stderr.write(`${lines.join('\n')}\n`);
        context.exitCode = 1;
      }
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
  /** Its batches parked on the dead-letter topic, and held behind a parked record, not yet redriven. */
  parked?: number;
  held?: number;
}

export async function readReports(stack: StackClients): Promise<IngestionView[]> {
  return (await stackIngestionStore(stack).list()).map((ingestion) => ({
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
  if (view.status === 'rejected' || view.status === 'gone' || view.status === 'failed')
    return `${head}: ${view.error ?? ''}`;
  const report = view.report;
  if (!report) return head;
  const { detection } = view;
  return (
    `${head}: ${report.accepted} accepted, ${report.bad.count} bad, ${report.duplicates.count} duplicates ` +
    `(${report.duplicates.conflicting} conflicting), ${report.outOfOrder} out of order, ${report.gaps.count} gaps ` +
    `(${report.gaps.missingMinutes} min); detected ${detection.processed} (${detection.late} late), ` +
    `${detection.repeats} repeats, ${detection.tooLate} too late (NOT DETECTED), ` +
    `alerts ${detection.alerts} (A1 ${detection.a1}, A2 ${detection.a2}), ` +
    `${detection.revised} revised, ${detection.withdrawn} withdrawn` +
    (view.quarantine ? `; set-aside rows in ${view.quarantine}` : '') +
    (view.parked || view.held
      ? `; NOT DETECTED YET: ${view.parked ?? 0} batches parked, ${view.held ?? 0} held`
      : '')
  );
}
