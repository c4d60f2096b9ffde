/**
 * One stock's file, produced as text one trading day at a time (so memory does not grow with the file's
 * length beyond the reader-figure bookkeeping), ending with the file's manifest entry.
 */
import { isoMinute, SESSION_MINUTES, type TradingDay } from './calendar.js';
import { ExpectedReportBuilder } from './expectedReport.js';
import { spreadOverDays, zeroCounts, type FaultCounts } from './faultPlan.js';
import type { FileManifest, PlantedItem } from './manifest.js';
import { LISTING_FIRST_INDEX, MarketModel, type SymbolProfile } from './marketModel.js';
import { plantDay, type PendingItem } from './plantDay.js';
import type { Random } from './random.js';
import { HEADER } from './rowText.js';

export interface SymbolFileSpec {
  file: string;
  profile: SymbolProfile;
  days: readonly TradingDay[];
  counts: FaultCounts;
  marketRandom: Random;
  faultRandom: Random;
}

/** Bars per day for a symbol: 375, except a listing symbol's first day, which starts at 10:00. */
export function barsPerDay(profile: SymbolProfile, days: number): number[] {
  return Array.from({ length: days }, (_, d) =>
    d === 0 && profile.listing ? SESSION_MINUTES - LISTING_FIRST_INDEX : SESSION_MINUTES,
  );
}

function resolve(item: PendingItem): PlantedItem {
  switch (item.kind) {
    case 'bad-row': {
      const { reason, mode, detail } = item;
      return {
        kind: 'bad-row',
        line: item.entry.line,
        reason,
        mode,
        minute: isoMinute(item.entry.minute),
        detail,
      };
    }
    case 'duplicate':
      return {
        kind: 'duplicate',
        line: item.entry.line,
        originalLine: item.original.line,
        minute: isoMinute(item.entry.minute),
        conflicting: item.conflicting,
      };
    case 'shuffled-block':
      return {
        kind: 'shuffled-block',
        firstLine: item.first.line,
        lastLine: item.last.line,
        rows: item.rows,
        displacement: item.displacement,
        firstMinute: isoMinute(item.first.minute),
        lastMinute: isoMinute(item.last.minute),
      };
    case 'gap':
      return { kind: 'gap', firstMinute: isoMinute(item.firstMinute), minutes: item.minutes };
    case 'blank-line':
      return { kind: 'blank-line', line: item.entry.line };
  }
}

const KIND_ORDER: readonly PlantedItem['kind'][] = [
  'mid-session-listing',
  'gap',
  'bad-row',
  'shuffled-block',
  'duplicate',
  'blank-line',
  'zero-volume-stretch',
];

/** Where an item is: its (first) line, or for items without one, its (first) minute. */
function position(item: PlantedItem): number {
  if ('line' in item) return item.line;
  if ('firstLine' in item) return item.firstLine;
  return Date.parse(item.firstMinute);
}

/** One day's items grouped by kind, each group in file order. */
function inFileOrder(a: PlantedItem, b: PlantedItem): number {
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || position(a) - position(b);
}

function countFault(faults: FaultCounts, item: PendingItem): void {
  if (item.kind === 'bad-row') faults[item.reason]++;
  else if (item.kind === 'duplicate')
    faults[item.conflicting ? 'conflicting-duplicate' : 'exact-duplicate']++;
  else faults[item.kind]++;
}

/** Yields the file's text (the header, then one chunk per day); returns the file's manifest entry. */
export function* symbolFile(spec: SymbolFileSpec): Generator<string, FileManifest> {
  const { profile, days } = spec;
  const model = new MarketModel(profile, spec.marketRandom);
  const perDay = spreadOverDays(spec.counts, barsPerDay(profile, days.length), spec.faultRandom);
  const builder = new ExpectedReportBuilder();
  const planted: PlantedItem[] = [];
  const faults = zeroCounts();
  const replaced: { item: PlantedItem & { kind: 'bad-row' }; minute: number }[] = [];
  let line = 1;
  let bars = 0;
  yield `${HEADER}\n`;
  for (const [d, day] of days.entries()) {
    const firstIndex = d === 0 && profile.listing ? LISTING_FIRST_INDEX : 0;
    if (firstIndex > 0)
      planted.push({ kind: 'mid-session-listing', firstMinute: isoMinute(day.openMinute + firstIndex) });
    const generated = model.day(firstIndex);
    bars += generated.bars.length;
    const { entries, items } = plantDay(day, generated.bars, perDay[d] ?? zeroCounts(), spec.faultRandom);
    const texts: string[] = [];
    for (const entry of entries) {
      entry.line = ++line;
      texts.push(entry.text);
      builder.add(entry);
    }
    const dayItems: PlantedItem[] = [];
    for (const item of items) {
      const resolved = resolve(item);
      dayItems.push(resolved);
      countFault(faults, item);
      if (resolved.kind === 'bad-row' && resolved.mode === 'replaced') {
        replaced.push({ item: resolved, minute: item.kind === 'bad-row' ? item.entry.minute : Number.NaN });
      }
    }
    for (const stretch of generated.stretches) {
      const firstMinute = isoMinute(day.openMinute + stretch.firstIndex);
      dayItems.push({ kind: 'zero-volume-stretch', firstMinute, minutes: stretch.minutes });
    }
    planted.push(...dayItems.sort(inFileOrder));
    if (texts.length > 0) yield `${texts.join('\n')}\n`;
  }
  const expected = builder.finish();
  for (const { item, minute } of replaced) item.inGap = builder.isInsideDate(minute);
  const { symbol, thin, listing, startPrice, dailyVolatility, baseVolume } = profile;
  return {
    file: spec.file,
    symbol,
    profile: {
      thin,
      listing,
      startPrice,
      dailyVolatility: Number(dailyVolatility.toFixed(4)),
      baseVolume: Math.round(baseVolume),
    },
    bars,
    lines: line,
    faults,
    expected,
    zeroVolumeBars: builder.zeroVolumeBars,
    planted,
  };
}
