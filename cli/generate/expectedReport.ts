/**
 * The quality report a correct reader must produce for one generated file, derived line by line from what the
 * generator wrote, by the contract's definitions (docs/contract.md §1) and without the reader's code, so that
 * tests can compare them.
 */
import { BAD_REASONS, type BadReason } from './badRows.js';
import { isoMinute, localDayOf } from './calendar.js';
import type { LineEntry } from './plantDay.js';
import type { Bar } from './marketModel.js';

export interface GapFigures {
  count: number;
  missingMinutes: number;
  largest: number;
}

export interface ExpectedReport {
  /** Non-blank lines after the header. */
  dataRows: number;
  accepted: number;
  /** `byReason` lists only the reasons that occur. */
  bad: { count: number; byReason: Partial<Record<BadReason, number>> };
  /** Valid rows for a minute already claimed by an earlier valid row; `conflicting`: with different values. */
  duplicates: { count: number; conflicting: number };
  /** Accepted rows whose minute is earlier than the latest minute of the accepted rows before them. */
  outOfOrder: number;
  /** Runs of missing minutes between consecutive accepted bars on the same exchange-local date. */
  gaps: GapFigures;
  /** Earliest and latest accepted minute, ISO 8601 UTC; null when nothing is accepted. */
  firstMinute: string | null;
  lastMinute: string | null;
}

function sameValues(a: Bar, b: Bar): boolean {
  return (
    a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume
  );
}

function inReasonOrder(counts: Partial<Record<BadReason, number>>): Partial<Record<BadReason, number>> {
  const ordered: Partial<Record<BadReason, number>> = {};
  for (const reason of BAD_REASONS) if (counts[reason] !== undefined) ordered[reason] = counts[reason];
  return ordered;
}

export class ExpectedReportBuilder {
  #dataRows = 0;
  #badByReason: Partial<Record<BadReason, number>> = {};
  #badCount = 0;
  #duplicates = 0;
  #conflicting = 0;
  #outOfOrder = 0;
  #latest = Number.NEGATIVE_INFINITY;
  #earliest = Number.POSITIVE_INFINITY;
  #zeroVolume = 0;
  /** The values of the row that claimed each minute. */
  readonly #claimed = new Map<number, Bar>();
  /** Accepted minutes per exchange-local date. */
  readonly #byDate = new Map<number, number[]>();

  add(entry: LineEntry): void {
    if (entry.kind === 'blank') return;
    this.#dataRows++;
    if (entry.kind === 'bad' || entry.bar === undefined) {
      const reason = entry.reason as BadReason;
      this.#badByReason[reason] = (this.#badByReason[reason] ?? 0) + 1;
      this.#badCount++;
      return;
    }
    const claimedBy = this.#claimed.get(entry.minute);
    if (claimedBy !== undefined) {
      this.#duplicates++;
      if (!sameValues(claimedBy, entry.bar)) this.#conflicting++;
      return;
    }
    this.#claimed.set(entry.minute, entry.bar);
    if (entry.minute < this.#latest) this.#outOfOrder++;
    this.#latest = Math.max(this.#latest, entry.minute);
    this.#earliest = Math.min(this.#earliest, entry.minute);
    if (entry.bar.volume === 0) this.#zeroVolume++;
    const date = localDayOf(entry.minute);
    const minutes = this.#byDate.get(date);
    if (minutes === undefined) this.#byDate.set(date, [entry.minute]);
    else minutes.push(entry.minute);
  }

  /**
   * Whether a minute that was not accepted lies between accepted bars of its exchange-local date, i.e. inside
   * a gap (rather than before the day's first or after its last accepted bar).
   */
  isInsideDate(minute: number): boolean {
    const minutes = this.#byDate.get(localDayOf(minute)) ?? [];
    return minutes.some((m) => m < minute) && minutes.some((m) => m > minute);
  }

  /** Accepted bars with zero volume (not part of the reader's report; listed in the manifest). */
  get zeroVolumeBars(): number {
    return this.#zeroVolume;
  }

  finish(): ExpectedReport {
    const gaps: GapFigures = { count: 0, missingMinutes: 0, largest: 0 };
    for (const minutes of this.#byDate.values()) {
      minutes.sort((a, b) => a - b);
      for (let i = 1; i < minutes.length; i++) {
        const missing = (minutes[i] as number) - (minutes[i - 1] as number) - 1;
        if (missing <= 0) continue;
        gaps.count++;
        gaps.missingMinutes += missing;
        gaps.largest = Math.max(gaps.largest, missing);
      }
    }
    const accepted = this.#claimed.size;
    return {
      dataRows: this.#dataRows,
      accepted,
      bad: { count: this.#badCount, byReason: inReasonOrder(this.#badByReason) },
      duplicates: { count: this.#duplicates, conflicting: this.#conflicting },
      outOfOrder: this.#outOfOrder,
      gaps,
      firstMinute: accepted > 0 ? isoMinute(this.#earliest) : null,
      lastMinute: accepted > 0 ? isoMinute(this.#latest) : null,
    };
  }
}

/** The figures of several files together (the sum; the largest gap is the largest of any file). */
export function sumReports(reports: readonly ExpectedReport[]): ExpectedReport {
  const total: ExpectedReport = {
    dataRows: 0,
    accepted: 0,
    bad: { count: 0, byReason: {} },
    duplicates: { count: 0, conflicting: 0 },
    outOfOrder: 0,
    gaps: { count: 0, missingMinutes: 0, largest: 0 },
    firstMinute: null,
    lastMinute: null,
  };
  for (const report of reports) {
    total.dataRows += report.dataRows;
    total.accepted += report.accepted;
    total.bad.count += report.bad.count;
    for (const [reason, count] of Object.entries(report.bad.byReason) as [BadReason, number][]) {
      total.bad.byReason[reason] = (total.bad.byReason[reason] ?? 0) + count;
    }
    total.duplicates.count += report.duplicates.count;
    total.duplicates.conflicting += report.duplicates.conflicting;
    total.outOfOrder += report.outOfOrder;
    total.gaps.count += report.gaps.count;
    total.gaps.missingMinutes += report.gaps.missingMinutes;
    total.gaps.largest = Math.max(total.gaps.largest, report.gaps.largest);
    if (
      report.firstMinute !== null &&
      (total.firstMinute === null || report.firstMinute < total.firstMinute)
    ) {
      total.firstMinute = report.firstMinute;
    }
    if (report.lastMinute !== null && (total.lastMinute === null || report.lastMinute > total.lastMinute)) {
      total.lastMinute = report.lastMinute;
    }
  }
  total.bad.byReason = inReasonOrder(total.bad.byReason);
  return total;
}
