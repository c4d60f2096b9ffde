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
  parts.push(...arrivals(counts));
  parts.push(`alerts ${counts.alerts} (A1 ${counts.a1}, A2 ${counts.a2})`);
  return `${report.object}: ${parts.join(', ')}`;
}

/** Contract §2's bars that came after a later minute of their symbol, where there were any. */
function arrivals(counts: Pick<DetectionCounts, 'late' | 'repeats' | 'tooLate'>): string[] {
  const parts: string[] = [];
  if (counts.late > 0) parts.push(plural(counts.late, 'late'));
  if (counts.repeats > 0) parts.push(plural(counts.repeats, 'repeats'));
  if (counts.tooLate > 0) parts.push(plural(counts.tooLate, 'too late'));
  return parts;
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
  const arrived = { late: 0, repeats: 0, tooLate: 0 };
  for (const { report, detection } of outcomes) {
    if (report.status === 'rejected') rejected++;
    accepted += report.accepted;
    setAside += report.bad.count + report.duplicates.count;
    alerts += detection?.alerts ?? 0;
    a1 += detection?.a1 ?? 0;
    a2 += detection?.a2 ?? 0;
    arrived.late += detection?.late ?? 0;
    arrived.repeats += detection?.repeats ?? 0;
    arrived.tooLate += detection?.tooLate ?? 0;
  }
  const objects = `${plural(outcomes.length, 'objects')}${rejected > 0 ? ` (${rejected} rejected)` : ''}`;
  const parts = [
    objects,
    plural(accepted, 'bars accepted'),
    plural(setAside, 'rows set aside'),
    ...arrivals(arrived),
  ];
  return `total: ${parts.join(', ')}, alerts ${alerts} (A1 ${a1}, A2 ${a2})`;
}
