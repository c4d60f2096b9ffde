/**
 * What the alert chart draws, computed from /api/alerts/:id/chart alone (pure, unit-tested): candles and
 * volumes for the alert's session, the missing minutes inside it as whitespace (so a gap shows as a hole), the
 * alert's marker and smaller ones for the session's other alerts, the previous close and the ±A1 band as price
 * lines, the A2 window's mean and limit on the volume pane with the window's bars coloured, and what the
 * episode's suspicion score was measured against over its minutes: the symbol's usual volume at that time of day
 * (a line over the volume) and the market's move in percent (a line in a pane of its own).
 *
 * lightweight-charts has no time-zone support: every time handed to it is the UTC instant shifted by the
 * exchange zone's offset at that instant, so its axis reads exchange time.
 */
import type {
  CandlestickData,
  CreatePriceLineOptions,
  HistogramData,
  LineData,
  LineStyle,
  SeriesMarker,
  UTCTimestamp,
  WhitespaceData,
} from 'lightweight-charts';
import type { ChartResponse } from '../api/contract.js';
import { zoneOffsetSeconds } from './format.js';

export const CHART_COLORS = {
  up: '#0c8a6c',
  down: '#d6336c',
  volume: '#b7c0ca',
  windowVolume: '#4263eb',
  alert: '#7e22ce',
  otherAlert: 'rgba(240, 140, 0, 0.75)',
  prevClose: '#495057',
  band: '#e8590c',
  mean: '#4263eb',
  limit: '#e8590c',
  usualVolume: '#2b8a3e',
  marketMove: '#1971c2',
} as const;

const SOLID = 0 as LineStyle;
const DOTTED = 1 as LineStyle;
const DASHED = 2 as LineStyle;

export interface Gap {
  /** First and last missing minute, UTC seconds. */
  from: number;
  to: number;
  minutes: number;
}

export interface ChartModel {
  /** The session's bars as candles (shifted times), one per processed bar. */
  bars: CandlestickData<UTCTimestamp>[];
  /** One volume bar per candle; the window's and the alert's coloured. */
  volumes: HistogramData<UTCTimestamp>[];
  /** A point per missing minute between the session's first and last bar (shifted times). */
  whitespace: WhitespaceData<UTCTimestamp>[];
  /** What the candle series is given: bars and whitespace in time order. */
  candleData: (CandlestickData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[];
  /** The alert's marker and the session's other alerts, in time order. */
  markers: SeriesMarker<UTCTimestamp>[];
  /** On the candle series: the previous close and the ±A1 band around it. */
  priceLines: CreatePriceLineOptions[];
  /** On the volume series: the A2 window's mean and its limit. */
  volumeLines: CreatePriceLineOptions[];
  /**
   * Over the volume: the symbol's usual volume at each of the episode's minutes (the score's baseline); a minute
   * without one is whitespace (a break in the line). Empty when the score kept none.
   */
  usualVolume: (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[];
  /** In a pane of its own: the market's move each of the episode's minutes, in percent; empty when none. */
  marketMove: (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[];
  gaps: Gap[];
  /** The zone's offset at the alert, seconds (the shift of its marker). */
  shift: number;
  timeZone: string;
  /** The alert's minute as handed to the chart. */
  alertTime: UTCTimestamp;
}

/** A UTC instant (seconds) as the chart's time: shifted into the exchange zone. */
export function toChartTime(utcSeconds: number, timeZone: string): UTCTimestamp {
  return (utcSeconds + zoneOffsetSeconds(utcSeconds * 1000, timeZone)) as UTCTimestamp;
}

/** The runs of missing minutes strictly between the first and the last bar (times ascending, UTC seconds). */
export function findGaps(times: readonly number[]): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < times.length; i++) {
    const before = times[i - 1] as number;
    const after = times[i] as number;
    if (after - before > 60) {
      gaps.push({ from: before + 60, to: after - 60, minutes: (after - before) / 60 - 1 });
    }
  }
  return gaps;
}

function pctLabel(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

export function chartModel(data: ChartResponse, timeZone: string): ChartModel {
  const at = (seconds: number) => toChartTime(seconds, timeZone);
  const alertSeconds = Math.floor(Date.parse(data.alert.timestamp) / 1000);
  const inWindow = (t: number) => t >= data.window.from && t <= data.window.to;
  const sorted = [...data.bars].sort((a, b) => a.time - b.time);

  const bars = sorted.map((bar) => ({
    time: at(bar.time),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  }));
  const volumes = sorted.map((bar) => ({
    time: at(bar.time),
    value: bar.volume,
    color:
      bar.time === alertSeconds
        ? CHART_COLORS.alert
        : inWindow(bar.time)
          ? CHART_COLORS.windowVolume
          : CHART_COLORS.volume,
  }));

  const gaps = findGaps(sorted.map((bar) => bar.time));
  const whitespace: WhitespaceData<UTCTimestamp>[] = [];
  for (const gap of gaps) {
    for (let t = gap.from; t <= gap.to; t += 60) whitespace.push({ time: at(t) });
  }
  const candleData = [...bars, ...whitespace].sort((a, b) => a.time - b.time);

  const markers: SeriesMarker<UTCTimestamp>[] = data.sessionAlerts
    .map((other): SeriesMarker<UTCTimestamp> => {
      const seconds = Math.floor(Date.parse(other.timestamp) / 1000);
      const isAlert = other.id === data.alert.id || seconds === alertSeconds;
      return isAlert
        ? {
            time: at(seconds),
            position: 'aboveBar',
            shape: 'arrowDown',
            color: CHART_COLORS.alert,
            size: 2,
            id: other.id,
            text: data.alert.rules.join('+'),
          }
        : {
            time: at(seconds),
            position: 'aboveBar',
            shape: 'circle',
            color: CHART_COLORS.otherAlert,
            size: 0.5,
            id: other.id,
          };
    })
    .sort((a, b) => a.time - b.time);
  if (!markers.some((marker) => marker.id === data.alert.id || marker.time === at(alertSeconds))) {
    markers.push({
      time: at(alertSeconds),
      position: 'aboveBar',
      shape: 'arrowDown',
      color: CHART_COLORS.alert,
      size: 2,
      id: data.alert.id,
      text: data.alert.rules.join('+'),
    });
    markers.sort((a, b) => a.time - b.time);
  }

  const priceLines: CreatePriceLineOptions[] = [];
  if (data.prevClose !== null) {
    const a1 = data.thresholds.a1;
    priceLines.push(
      {
        id: 'prevClose',
        price: data.prevClose,
        color: CHART_COLORS.prevClose,
        lineWidth: 1,
        lineStyle: SOLID,
        title: 'prev close',
      },
      {
        id: 'a1Upper',
        price: data.prevClose * (1 + a1),
        color: CHART_COLORS.band,
        lineWidth: 1,
        lineStyle: DASHED,
        title: `+${pctLabel(a1)}`,
      },
      {
        id: 'a1Lower',
        price: data.prevClose * (1 - a1),
        color: CHART_COLORS.band,
        lineWidth: 1,
        lineStyle: DASHED,
        title: `−${pctLabel(a1)}`,
      },
    );
  }
  const volumeLines: CreatePriceLineOptions[] = [];
  if (data.window.mean !== null) {
    volumeLines.push({
      id: 'a2Mean',
      price: data.window.mean,
      color: CHART_COLORS.mean,
      lineWidth: 1,
      lineStyle: DOTTED,
      title: 'window mean',
    });
  }
  if (data.window.limit !== null) {
    volumeLines.push({
      id: 'a2Limit',
      price: data.window.limit,
      color: CHART_COLORS.limit,
      lineWidth: 1,
      lineStyle: DASHED,
      title: `limit ×${Number((1 + data.thresholds.a2).toFixed(6))}`,
    });
  }

  const context = [...data.scoreContext].sort((a, b) => a.time - b.time);
  const line = (value: (point: (typeof context)[number]) => number | null) =>
    context.some((point) => value(point) !== null)
      ? context.map((point) => {
          const time = at(point.time);
          const figure = value(point);
          return figure === null ? { time } : { time, value: figure };
        })
      : [];

  return {
    bars,
    volumes,
    whitespace,
    candleData,
    markers,
    priceLines,
    volumeLines,
    usualVolume: line((point) => point.usualVolume),
    marketMove: line((point) => point.marketMovePct),
    gaps,
    shift: zoneOffsetSeconds(alertSeconds * 1000, timeZone),
    timeZone,
    alertTime: at(alertSeconds),
  };
}
