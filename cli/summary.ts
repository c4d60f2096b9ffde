/** One-line summaries of objects for stderr: what was read, what was set aside, what fired. */
import type { QualityReport } from '../shared/core/report.js';
import type { DetectionCounts } from '../shared/core/rules.js';

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}`;
}

export function describeObject(report: QualityReport, counts: DetectionCounts): string {
  const parts = [plural(report.accepted, 'accepted')];
  if (report.bad.count > 0) {
    const reasons = Object.entries(report.bad.byReason)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    parts.push(`${plural(report.bad.count, 'bad')} (${reasons})`);
  }
  if (report.duplicates.count > 0) {
    parts.push(
      `${plural(report.duplicates.count, 'duplicates')} (${report.duplicates.conflicting} conflicting)`,
    );
  }
  if (report.outOfOrder > 0) parts.push(plural(report.outOfOrder, 'out of order'));
  if (report.gaps.count > 0) {
    parts.push(
      `${plural(report.gaps.count, 'gaps')} (${report.gaps.missingMinutes} min missing, largest ${report.gaps.largest})`,
    );
  }
  if (counts.late > 0) parts.push(plural(counts.late, 'late'));
  parts.push(`alerts ${counts.alerts} (A1 ${counts.a1}, A2 ${counts.a2})`);
  return `${report.object}: ${parts.join(', ')}`;
}

export function describeTotals(
  outcomes: ReadonlyArray<{ report: QualityReport; detection?: DetectionCounts }>,
): string {
  let accepted = 0;
  let setAside = 0;
  let alerts = 0;
  let a1 = 0;
  let a2 = 0;
  let rejected = 0;
  for (const { report, detection } of outcomes) {
    if (report.status === 'rejected') rejected++;
    accepted += report.accepted;
    setAside += report.bad.count + report.duplicates.count;
    alerts += detection?.alerts ?? 0;
    a1 += detection?.a1 ?? 0;
    a2 += detection?.a2 ?? 0;
  }
  const objects = `${plural(outcomes.length, 'objects')}${rejected > 0 ? ` (${rejected} rejected)` : ''}`;
  return `total: ${objects}, ${plural(accepted, 'bars accepted')}, ${plural(setAside, 'rows set aside')}, alerts ${alerts} (A1 ${a1}, A2 ${a2})`;
}
