/**
 * Bad rows, one per reason code of the reader (contract §1, "Row validity"). Each bad row has exactly one
 * fault, so its reason does not depend on the order in which a reader checks the rules.
 */
import type { Bar } from './marketModel.js';
import type { Random } from './random.js';
import { priceText, valueFields } from './rowText.js';

export const BAD_REASONS = [
  'field-count',
  'timestamp',
  'number',
  'price-not-positive',
  'volume-negative',
] as const;
export type BadReason = (typeof BAD_REASONS)[number];

export interface BadRow {
  text: string;
  /** What is wrong, for people reading the manifest: `close "abc"`, `5 fields`. */
  detail: string;
}

const VALUE_NAMES = ['open', 'high', 'low', 'close', 'volume'] as const;
const NOT_NUMBERS = ['0x1F', '', 'abc', 'NaN', 'Infinity', '1.2.3', 'n/a', '-'];

/** Timestamps that no reading of `YYYY-MM-DD[ T]HH:MM[:SS]` accepts. */
function badTimestamp(date: string, time: string, random: Random): string {
  const [year, month, day] = date.split('-');
  const [hour, minute] = time.split(':');
  return random.pick([
    '2017-13-45 25:61:00+05:30',
    'not-a-date',
    '',
    `${year}-13-${day} ${time}`,
    `${date} 25:${minute}:00+05:30`,
    `${date} ${hour}:75:00+05:30`,
    `${day}/${month}/${year} ${hour}:${minute}`,
  ]);
}

/**
 * A bad version of a good row.
 * @param timestamp the good row's timestamp text, `2017-01-02 09:15:00+05:30`
 */
export function badRow(reason: BadReason, timestamp: string, bar: Bar, random: Random): BadRow {
  const fields = [timestamp, ...valueFields(bar)];
  const quoted = (value: string): string => `"${value}"`;
  switch (reason) {
    case 'field-count': {
      if (random.chance(0.5)) {
        fields.splice(random.int(1, 5), 1);
      } else {
        fields.push(random.pick(['NSE', '0.0', fields[5] ?? '']));
      }
      return { text: fields.join(','), detail: `${fields.length} fields` };
    }
    case 'timestamp': {
      const [date = '', rest = ''] = timestamp.split(' ');
      fields[0] = badTimestamp(date, rest.slice(0, 5), random);
      return { text: fields.join(','), detail: `timestamp ${quoted(fields[0])}` };
    }
    case 'number': {
      const at = random.int(1, 5);
      fields[at] = random.pick(NOT_NUMBERS);
      return { text: fields.join(','), detail: `${VALUE_NAMES[at - 1]} ${quoted(fields[at])}` };
    }
    case 'price-not-positive': {
      const at = random.int(1, 4);
      const ticks = [bar.open, bar.high, bar.low, bar.close][at - 1] ?? 1;
      fields[at] = random.pick(['0', '0.0', priceText(-ticks), '-0.05']);
      return { text: fields.join(','), detail: `${VALUE_NAMES[at - 1]} ${quoted(fields[at])}` };
    }
    case 'volume-negative': {
      fields[5] = `-${Math.max(1, bar.volume)}.0`;
      return { text: fields.join(','), detail: `volume ${quoted(fields[5])}` };
    }
  }
}
