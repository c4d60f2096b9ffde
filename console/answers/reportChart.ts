/**
 * The case report's chart as inline SVG: the bars' candles above, their volumes below, the episode's minutes
 * shaded and each alert marked above its bar, the time axis on the exchange's clock. Plain markup with
 * presentation attributes only (no script, no style attribute, nothing fetched), so that it draws the same on
 * screen, in print and in a saved copy. Pure.
 */
import type { ChartBar, Rule } from '../api/contract.js';
import { esc, zonedTime, zoneOffsetMinutes } from './reportText.js';

export interface ReportChartInput {
  /** Ascending, inside [fromMinute, toMinute]. */
  bars: readonly ChartBar[];
  /** The minutes drawn (since the epoch), both included. */
  fromMinute: number;
  toMinute: number;
  /** The episode's first and last alert minutes. */
  episode: { startMinute: number; endMinute: number };
  alerts: ReadonlyArray<{ minute: number; rules: readonly Rule[] }>;
  timeZone: string;
}

const WIDTH = 720;
const LEFT = 64;
const RIGHT = 12;
const PRICE_TOP = 14;
const PRICE_BOTTOM = 196;
const VOLUME_TOP = 212;
const VOLUME_BOTTOM = 284;
const HEIGHT = 312;
/** Dark enough to print on a monochrome printer. */
const COLORS = {
  up: '#1b6e3a',
  down: '#a3221b',
  episode: '#fdf0c2',
  grid: '#d8d8d8',
  axis: '#444444',
  alert: '#6b21a8',
  volume: '#8a8a8a',
};
/** Spacings of the time axis's labels, in minutes: the smallest that keeps them at most eight. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 240];

const num = (value: number) => (Math.round(value * 100) / 100).toString();

/** Price labels at round values: three to six between the low and the high. */
function priceTicks(low: number, high: number): number[] {
  const raw = (high - low) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

const decimalsOf = (ticks: number[]) =>
  Math.max(0, ...ticks.map((tick) => (String(tick).split('.')[1] ?? '').length));

export function reportChartSvg(input: ReportChartInput): string {
  const { bars, fromMinute, toMinute, episode, alerts, timeZone } = input;
  const minutes = toMinute - fromMinute + 1;
  const step = (WIDTH - LEFT - RIGHT) / minutes;
  const x = (minute: number) => LEFT + (minute - fromMinute + 0.5) * step;
  const parts: string[] = [];
  const title =
    `Price (candles) and volume (bars) of each minute from ${zonedTime(fromMinute * 60_000, timeZone)} to ` +
    `${zonedTime(toMinute * 60_000, timeZone)}, ${timeZone}; the episode shaded, its alerts marked`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
  );
  // The episode's minutes, across both panes.
  const shadeFrom = x(episode.startMinute) - step / 2;
  const shadeTo = x(episode.endMinute) + step / 2;
  parts.push(
    `<rect x="${num(shadeFrom)}" y="${PRICE_TOP}" width="${num(shadeTo - shadeFrom)}" ` +
      `height="${VOLUME_BOTTOM - PRICE_TOP}" fill="${COLORS.episode}"/>`,
  );
  if (bars.length === 0) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${(PRICE_TOP + PRICE_BOTTOM) / 2}" text-anchor="middle" font-size="13" ` +
        `fill="${COLORS.axis}">No bars are stored for these minutes.</text>`,
    );
  } else {
    let low = Math.min(...bars.map((bar) => bar.low));
    let high = Math.max(...bars.map((bar) => bar.high));
    if (high === low) {
      low -= Math.abs(low) * 0.001 || 1;
      high += Math.abs(high) * 0.001 || 1;
    }
    const ticks = priceTicks(low, high);
    const decimals = decimalsOf(ticks);
    const pad = (high - low) * 0.06;
    const y = (price: number) =>
      PRICE_BOTTOM - ((price - (low - pad)) / (high - low + 2 * pad)) * (PRICE_BOTTOM - PRICE_TOP);
    for (const tick of ticks) {
      parts.push(
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${num(y(tick))}" y2="${num(y(tick))}" ` +
          `stroke="${COLORS.grid}" stroke-width="0.5"/>`,
        `<text x="${LEFT - 6}" y="${num(y(tick) + 4)}" text-anchor="end" font-size="10" ` +
          `fill="${COLORS.axis}">${esc(tick.toFixed(decimals))}</text>`,
      );
    }
    const maxVolume = Math.max(...bars.map((bar) => bar.volume));
    const vy = (volume: number) =>
      VOLUME_BOTTOM - (maxVolume > 0 ? (volume / maxVolume) * (VOLUME_BOTTOM - VOLUME_TOP) : 0);
    parts.push(
      `<text x="${LEFT - 6}" y="${VOLUME_TOP + 8}" text-anchor="end" font-size="10" ` +
        `fill="${COLORS.axis}">${esc(maxVolume)}</text>`,
      `<text x="${LEFT - 6}" y="${VOLUME_BOTTOM}" text-anchor="end" font-size="10" fill="${COLORS.axis}">0</text>`,
    );
    const body = Math.max(1, step * 0.6);
    for (const bar of bars) {
      const minute = Math.floor(bar.time / 60);
      const cx = x(minute);
      const color = bar.close >= bar.open ? COLORS.up : COLORS.down;
      const top = y(Math.max(bar.open, bar.close));
      const bottom = y(Math.min(bar.open, bar.close));
      parts.push(
        `<line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(bar.high))}" y2="${num(y(bar.low))}" ` +
          `stroke="${color}" stroke-width="1"/>`,
        `<rect x="${num(cx - body / 2)}" y="${num(top)}" width="${num(body)}" ` +
          `height="${num(Math.max(0.8, bottom - top))}" fill="${bar.close >= bar.open ? '#ffffff' : color}" ` +
          `stroke="${color}" stroke-width="1"/>`,
        `<rect x="${num(cx - body / 2)}" y="${num(vy(bar.volume))}" width="${num(body)}" ` +
          `height="${num(VOLUME_BOTTOM - vy(bar.volume))}" fill="${COLORS.volume}"/>`,
      );
    }
    // Each alert: a triangle above the pane's top edge of its minute, and its rules.
    for (const alert of alerts) {
      const cx = x(alert.minute);
      parts.push(
        `<path d="M${num(cx - 4)} ${PRICE_TOP + 1}h8l-4 7z" fill="${COLORS.alert}">` +
          `<title>${esc(`${zonedTime(alert.minute * 60_000, timeZone)} ${alert.rules.join('+')}`)}</title></path>`,
      );
    }
  }
  // Frames, then the time axis on the exchange's clock.
  parts.push(
    `<rect x="${LEFT}" y="${PRICE_TOP}" width="${WIDTH - LEFT - RIGHT}" height="${PRICE_BOTTOM - PRICE_TOP}" ` +
      `fill="none" stroke="${COLORS.axis}" stroke-width="0.75"/>`,
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${VOLUME_BOTTOM}" y2="${VOLUME_BOTTOM}" ` +
      `stroke="${COLORS.axis}" stroke-width="0.75"/>`,
  );
  const every = TIME_STEPS.find((each) => minutes / each <= 8) ?? TIME_STEPS.at(-1)!;
  // On round times of the exchange's clock (an hour in IST starts at :30 UTC).
  const offset = zoneOffsetMinutes(fromMinute * 60_000, timeZone);
  const first = Math.ceil((fromMinute + offset) / every) * every - offset;
  for (let minute = first; minute <= toMinute; minute += every) {
    parts.push(
      `<line x1="${num(x(minute))}" x2="${num(x(minute))}" y1="${VOLUME_BOTTOM}" y2="${VOLUME_BOTTOM + 4}" ` +
        `stroke="${COLORS.axis}"/>`,
      `<text x="${num(x(minute))}" y="${VOLUME_BOTTOM + 16}" text-anchor="middle" font-size="10" ` +
        `fill="${COLORS.axis}">${esc(zonedTime(minute * 60_000, timeZone))}</text>`,
    );
  }
  parts.push(
    `<text x="${WIDTH - RIGHT}" y="${HEIGHT - 2}" text-anchor="end" font-size="10" fill="${COLORS.axis}">` +
      `${esc(timeZone)}</text>`,
    '</svg>',
  );
  return parts.join('');
}
