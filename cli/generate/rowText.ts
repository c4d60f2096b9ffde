/** The real data set's number formats: prices on the 0.05 tick with at least one decimal, volume like `11.0`. */
import type { Bar } from './marketModel.js';

/** A price in ticks (1 tick = 0.05) as text: 20210 → `1010.5`, 20241 → `1012.05`, 20 → `1.0`. */
export function priceText(ticks: number): string {
  const negative = ticks < 0;
  const magnitude = Math.abs(ticks);
  const rupees = Math.floor(magnitude / 20);
  const paise = (magnitude % 20) * 5;
  const fraction = paise % 10 === 0 ? String(paise / 10) : paise < 10 ? `0${paise}` : String(paise);
  return `${negative ? '-' : ''}${rupees}.${fraction}`;
}

/** A whole-share volume as text: 11 → `11.0`. */
export function volumeText(volume: number): string {
  return `${volume}.0`;
}

/** The five value fields of a bar, in header order. */
export function valueFields(bar: Bar): string[] {
  return [
    priceText(bar.open),
    priceText(bar.high),
    priceText(bar.low),
    priceText(bar.close),
    volumeText(bar.volume),
  ];
}

/** A data line: `2017-01-02 09:15:00+05:30,1010.5,1012.0,1009.1,1011.0,11.0`. */
export function rowText(timestamp: string, bar: Bar): string {
  return `${timestamp},${priceText(bar.open)},${priceText(bar.high)},${priceText(bar.low)},${priceText(bar.close)},${volumeText(bar.volume)}`;
}

export const HEADER = 'timestamp,open,high,low,close,volume';
