/** An in-memory stand-in for the `bars/` documents detect reads a late bar's history from, for unit tests. */
import { mergeExactBars, type ExactBars } from '../../shared/pipeline/barBytes.js';
import { historyRefs, type BarHour, type BarHistory } from '../../shared/state/barStore.js';
import type { BarRef } from '../../shared/core/revision.js';
import type { Companions } from '../../functions/detect/detectBarBatch.js';

export class MemoryBarHistory implements BarHistory {
  /** By symbol, then day. */
  readonly days = new Map<string, Map<string, ExactBars>>();

  /** The writes that keep the days' bars when a commit lands (MemoryStateStore runs them), as BarHourWriter's. */
  writes(days: readonly BarHour[]): Companions {
    return { writes: [() => this.record(days)] };
  }

  /** Keeps the days' bars, merged by minute, as BarHourWriter does. */
  record(days: readonly BarHour[]): void {
    for (const day of days) {
      let symbol = this.days.get(day.symbol);
      if (symbol === undefined) this.days.set(day.symbol, (symbol = new Map()));
      symbol.set(day.day, mergeExactBars(symbol.get(day.day) ?? { sources: [], bars: [] }, day.exact));
    }
  }

  async read(symbol: string, fromDay: string, toDay: string): Promise<BarRef[]> {
    const days = [...(this.days.get(symbol) ?? [])]
      .filter(([day]) => fromDay <= day && day <= toDay)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, exact]) => exact);
    return historyRefs(days);
  }

  async firstDay(symbol: string): Promise<string | undefined> {
    return [...(this.days.get(symbol)?.keys() ?? [])].sort()[0];
  }
}
