/** Alerts (SPEC §3): one per bar for which at least one rule fires; identity (symbol, minute). */

export type RuleId = 'A1' | 'A2';

export interface AlertSource {
  object: string;
  /** The object generation, when the bar came through the bucket. */
  generation?: string;
}

export interface Alert {
  symbol: string;
  /** The bar's minute, ISO 8601 UTC (`2017-01-02T03:45:00Z`). */
  timestamp: string;
  rules: readonly RuleId[];
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  a1?: { prevClose: number; prevTimestamp: string; changePct: number };
  /** `volumeRatio` is null when the window's mean volume is zero. */
  a2?: { avgVolume: number; windowBars: number; volumeRatio: number | null };
  source: AlertSource & { line: number };
}

/** Rounds a derived figure for display; the rules themselves compare exactly. */
export function roundFigure(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

const priceTexts = new Map<number, string>();

/**
 * A price as JSON text. Prices sit on a tick grid and repeat from bar to bar, so their text is cached: turning
 * a double into its shortest text is the costliest step of writing an alert.
 */
function priceText(price: number): string {
  let text = priceTexts.get(price);
  if (text === undefined) {
    if (priceTexts.size >= 1 << 16) priceTexts.clear();
    text = String(price);
    priceTexts.set(price, text);
  }
  return text;
}

/**
 * A figure rounded by {@link roundFigure} as JSON text. Such a double is the nearest to k / 10^6 for an integer
 * k; while k has at most 15 digits, that decimal (trailing zeros dropped) is exactly the shortest text that
 * reads back to the double, which is what `String` gives, at a fraction of the cost.
 */
function figureText(value: number): string {
  const scaled = Math.round(value * 1e6);
  if (!(Math.abs(scaled) < 1e15) || scaled / 1e6 !== value) return String(value);
  if (scaled === 0) return '0';
  let digits = String(Math.abs(scaled));
  let decimals = 6;
  while (decimals > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    decimals--;
  }
  digits = digits.padStart(decimals + 1, '0');
  const point = digits.length - decimals;
  const text = decimals === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return scaled < 0 ? `-${text}` : text;
}

/**
 * An alert as one line of JSON, the same text `JSON.stringify` gives for it. Written out field by field
 * because the batch CLI writes hundreds of thousands of them and this is three times faster.
 */
export function alertJson(alert: Alert): string {
  const { a1, a2, source } = alert;
  let json = `{"symbol":${JSON.stringify(alert.symbol)},"timestamp":"${alert.timestamp}","rules":["${alert.rules.join('","')}"],"open":${priceText(alert.open)},"high":${priceText(alert.high)},"low":${priceText(alert.low)},"close":${priceText(alert.close)},"volume":${alert.volume}`;
  if (a1 !== undefined) {
    json += `,"a1":{"prevClose":${priceText(a1.prevClose)},"prevTimestamp":"${a1.prevTimestamp}","changePct":${figureText(a1.changePct)}}`;
  }
  if (a2 !== undefined) {
    json += `,"a2":{"avgVolume":${figureText(a2.avgVolume)},"windowBars":${a2.windowBars},"volumeRatio":${a2.volumeRatio === null ? 'null' : figureText(a2.volumeRatio)}}`;
  }
  json += `,"source":{"object":${JSON.stringify(source.object)}`;
  if (source.generation !== undefined) json += `,"generation":${JSON.stringify(source.generation)}`;
  return `${json},"line":${source.line}}}`;
}
