/**
 * Draws a ChartModel with lightweight-charts (loaded as /vendor/lightweight-charts.js, which defines
 * window.LightweightCharts): candles in pane 0, volume as a histogram in pane 1 with the symbol's usual volume as a
 * line over it, the market's move (%) as a line in pane 2 when the score kept it, markers through the v5
 * createSeriesMarkers plugin, price lines on each series. The chart keeps its default attribution logo (the
 * link to tradingview.com its licence asks for). Once drawn, window.__chart holds exactly the data handed to
 * it, for the browser tests (a canvas has no DOM text to assert on).
 */
import type * as LightweightCharts from 'lightweight-charts';
import type { ChartModel } from './chartModel.js';
import { CHART_COLORS } from './chartModel.js';

declare global {
  interface Window {
    LightweightCharts?: typeof LightweightCharts;
    __chart?: ChartTestHook;
  }
}

export interface ChartTestHook {
  bars: ChartModel['bars'];
  volumes: ChartModel['volumes'];
  markers: ChartModel['markers'];
  priceLines: ChartModel['priceLines'];
  volumeLines: ChartModel['volumeLines'];
  usualVolume: ChartModel['usualVolume'];
  marketMove: ChartModel['marketMove'];
  whitespace: ChartModel['whitespace'];
  /** What the candle series was given (bars and whitespace merged in time order). */
  candleData: ChartModel['candleData'];
  gaps: ChartModel['gaps'];
  shift: number;
  timeZone: string;
  alertTime: number;
}

export interface DrawnChart {
  remove(): void;
  /** Calls back with the hovered bar's values (or null when the crosshair leaves). */
  onHover(
    listener: (
      values: { time: number; ohlc?: LightweightCharts.CandlestickData; volume?: number } | null,
    ) => void,
  ): void;
}

/** Minutes shown before and after the alert when the chart opens. */
const FRAME_BEFORE = 75;
const FRAME_AFTER = 45;

/** Draws the model into `container`; throws when the library did not load. */
export function drawChart(container: HTMLElement, model: ChartModel): DrawnChart {
  const lib = window.LightweightCharts;
  if (lib === undefined) throw new Error('the chart library (/vendor/lightweight-charts.js) did not load');
  const chart = lib.createChart(container, {
    autoSize: true,
    layout: {
      background: { type: lib.ColorType.Solid, color: '#ffffff' },
      textColor: '#343a40',
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      fontSize: 11,
      panes: { separatorColor: '#dee2e6', enableResize: true },
    },
    grid: { vertLines: { color: '#f1f3f5' }, horzLines: { color: '#f1f3f5' } },
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#ced4da' },
    rightPriceScale: { borderColor: '#ced4da' },
    crosshair: { mode: lib.CrosshairMode.Normal },
  });
  const candles = chart.addSeries(lib.CandlestickSeries, {
    upColor: CHART_COLORS.up,
    downColor: CHART_COLORS.down,
    borderUpColor: CHART_COLORS.up,
    borderDownColor: CHART_COLORS.down,
    wickUpColor: CHART_COLORS.up,
    wickDownColor: CHART_COLORS.down,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  candles.setData(model.candleData);
  for (const line of model.priceLines) candles.createPriceLine(line);
  lib.createSeriesMarkers(candles, model.markers);

  const volume = chart.addSeries(
    lib.HistogramSeries,
    { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
    1,
  );
  volume.setData(model.volumes);
  for (const line of model.volumeLines) volume.createPriceLine(line);

  // What the score was measured against: the usual volume on the volume's own scale, the market's move apart.
  if (model.usualVolume.length > 0) {
    const usual = chart.addSeries(
      lib.LineSeries,
      {
        color: CHART_COLORS.usualVolume,
        lineWidth: 2,
        priceFormat: { type: 'volume' },
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
      },
      1,
    );
    usual.setData(model.usualVolume);
  }
  if (model.marketMove.length > 0) {
    const market = chart.addSeries(
      lib.LineSeries,
      {
        color: CHART_COLORS.marketMove,
        lineWidth: 2,
        priceFormat: { type: 'custom', formatter: (pct: number) => `${pct.toFixed(2)}%` },
        priceLineVisible: false,
        lastValueVisible: false,
      },
      2,
    );
    market.setData(model.marketMove);
    market.createPriceLine({
      price: 0,
      color: CHART_COLORS.prevClose,
      lineWidth: 1,
      lineStyle: lib.LineStyle.Dotted,
      title: 'market 0%',
    });
  }

  const panes = chart.panes();
  panes[0]?.setStretchFactor(2.4);
  panes[1]?.setStretchFactor(1);
  panes[2]?.setStretchFactor(0.6);

  // Frame the alert: two hours around it (the whole session is a scroll or a zoom away), so the marker, the
  // band and the window's bars read at once and the price and volume scales fit what is around the alert.
  const at = model.candleData.findIndex((point) => point.time === model.alertTime);
  if (at >= 0 && model.candleData.length > FRAME_BEFORE + FRAME_AFTER) {
    chart.timeScale().setVisibleLogicalRange({ from: at - FRAME_BEFORE, to: at + FRAME_AFTER });
  } else {
    chart.timeScale().fitContent();
  }

  window.__chart = {
    bars: model.bars,
    volumes: model.volumes,
    markers: model.markers,
    priceLines: model.priceLines,
    volumeLines: model.volumeLines,
    usualVolume: model.usualVolume,
    marketMove: model.marketMove,
    whitespace: model.whitespace,
    candleData: model.candleData,
    gaps: model.gaps,
    shift: model.shift,
    timeZone: model.timeZone,
    alertTime: model.alertTime,
  };

  return {
    remove() {
      chart.remove();
      if (window.__chart?.alertTime === model.alertTime) delete window.__chart;
    },
    onHover(listener) {
      chart.subscribeCrosshairMove((param) => {
        if (param.time === undefined) {
          listener(null);
          return;
        }
        const ohlc = param.seriesData.get(candles) as LightweightCharts.CandlestickData | undefined;
        const vol = param.seriesData.get(volume) as LightweightCharts.HistogramData | undefined;
        listener({
          time: param.time as number,
          ohlc: ohlc !== undefined && 'open' in ohlc ? ohlc : undefined,
          volume: vol !== undefined && 'value' in vol ? vol.value : undefined,
        });
      });
    },
  };
}
