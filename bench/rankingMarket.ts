/**
 * A realistic market with manipulations planted at known minutes, for bench:ranking: the truth a ranking of
 * episodes is measured against. Deterministic from its seed.
 *
 * The market: NSE sessions (09:15–15:29 IST, 375 minutes) of `symbols` stocks in sectors. Each minute's return is
 * a market factor, a sector factor and the stock's own heavy-tailed (Student-t, 3 degrees of freedom) part, each
 * scaled by a U-shaped intraday volatility and the day's volatility regime; sessions open with an overnight gap.
 * Volume follows the intraday U (heavy at the open and the close) with autocorrelated noise; a third of the
 * stocks are illiquid, with many zero-volume minutes.
 *
 * Planted (what a surveillance analyst must find): pump and dump (a sustained ramp on rising volume, then a
 * fall), marking the close (a push into the last minutes on heavy volume), volume bursts (heavy volume on a flat
 * price), spike and revert (a one-minute jump undone the next). Legitimate hard cases beside them: market-wide
 * shocks (every stock moves at once, on volume), sector shocks (a sector's stocks move at once, on volume: the
 * rest of the market does not, so only their peers explain them) and news jumps (one stock re-prices and stays).
 * The sectors are written beside the files as peer groups (`peers.txt`, shared/core/suspicion/peerGroups.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TruthEvent } from '../shared/core/rankingQuality.js';
import { truthCsv, type Truth } from '../shared/core/truthFile.js';

export interface MarketShape {
  symbols: number;
  days: number;
  seed: number;
  /** Manipulations planted (spread over the kinds, symbols and days). */
  manipulations: number;
  /** Market-wide shocks. */
  shocks: number;
  /** News jumps (legitimate, one stock). */
  news: number;
  /** Sector shocks (legitimate, every stock of one sector); drawn apart, so the rest of the market is the same. */
  sectorShocks?: number;
}

export interface Market {
  files: string[];
  /** The truth file beside them (`truth.csv`, shared/core/truthFile.ts), for `stock-anomalies calibrate --truth`. */
  truthFile: string;
  /** The sectors as peer groups (`peers.txt`), for `--peer-groups`; none for a real series. */
  peerGroupsFile?: string;
  planted: TruthEvent[];
  legitimate: TruthEvent[];
  bars: number;
}

const SESSION = 375;
const SECTORS = 6;
/** 09:15 IST in minutes after midnight UTC. */
const OPEN_UTC = 3 * 60 + 45;
export const MANIPULATION_KINDS = ['pump-and-dump', 'marking-the-close', 'volume-burst', 'spike-and-revert'];

/** mulberry32: small, seeded, good enough for synthetic data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weekdays from 2021-01-04 (a Monday), as minutes since the epoch of each session's first minute. */
function sessions(days: number): number[] {
  const starts: number[] = [];
  for (let day = Date.UTC(2021, 0, 4); starts.length < days; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) starts.push(day / 60_000 + OPEN_UTC);
  }
  return starts;
}

/** The intraday U: high at the open, low at midday, up again into the close. */
const intraday = (minute: number) => {
  const x = minute / (SESSION - 1);
  return 0.6 + 1.6 * (x - 0.5) ** 2 * 4 * 0.5 + (minute < 15 ? 0.8 : 0) + (minute > SESSION - 15 ? 0.5 : 0);
};

interface Stock {
  symbol: string;
  sector: number;
  price: number;
  vol: number;
  baseVolume: number;
  illiquid: boolean;
}

/** Writes the market's CSV files into `dir` (one per stock) and its truth file beside them, and returns the truth. */
export function writeMarket(dir: string, shape: MarketShape): Market {
  const next = random(shape.seed);
  const normal = () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const studentT = () => {
    const chi = normal() ** 2 + normal() ** 2 + normal() ** 2;
    return normal() / Math.sqrt(chi / 3) / Math.sqrt(3);
  };
  const starts = sessions(shape.days);
  const stocks: Stock[] = Array.from({ length: shape.symbols }, (_, i) => ({
    symbol: `S${String(i).padStart(3, '0')}`,
    sector: i % SECTORS,
    price: 50 + next() * 2000,
    vol: 0.0006 + next() * 0.0012,
    baseVolume: Math.exp(4 + next() * 5),
    illiquid: i % 3 === 2,
  }));

  // The events, placed first so that the series can carry them.
  const planted: TruthEvent[] = [];
  const legitimate: TruthEvent[] = [];
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  for (let i = 0; i < shape.manipulations; i++) {
    const kind = MANIPULATION_KINDS[i % MANIPULATION_KINDS.length]!;
    const symbol = pick(stocks).symbol;
    const session = pick(starts);
    const length =
      kind === 'pump-and-dump' ? 30 : kind === 'marking-the-close' ? 6 : kind === 'volume-burst' ? 6 : 2;
    const offset =
      kind === 'marking-the-close' ? SESSION - length : 30 + Math.floor(next() * (SESSION - 60 - length));
    planted.push({ kind, symbol, start: session + offset, end: session + offset + length - 1 });
  }
  for (let i = 0; i < shape.shocks; i++) {
    const session = pick(starts);
    const at = session + 20 + Math.floor(next() * (SESSION - 40));
    legitimate.push({ kind: 'market-shock', symbol: null, start: at, end: at });
  }
  for (let i = 0; i < shape.news; i++) {
    const session = pick(starts);
    const at = session + 20 + Math.floor(next() * (SESSION - 40));
    legitimate.push({ kind: 'news-jump', symbol: pick(stocks).symbol, start: at, end: at });
  }

  // The minute's market and sector returns, the same for every stock.
  const regimes = starts.map(() => (next() < 0.2 ? 1.8 : 1));
  const market = new Map<number, number>();
  const sector = new Map<string, number>();
  starts.forEach((session, d) => {
    for (let m = 0; m < SESSION; m++) {
      market.set(session + m, normal() * 0.0005 * intraday(m) * regimes[d]!);
      for (let s = 0; s < SECTORS; s++) sector.set(`${s}@${session + m}`, normal() * 0.0003 * intraday(m));
    }
  });
  for (const shock of legitimate.filter((e) => e.kind === 'market-shock')) {
    market.set(shock.start, (next() < 0.5 ? -1 : 1) * (0.015 + next() * 0.015));
  }
  // Sector shocks from a stream of their own: with none asked for, the market is the one it always was.
  const nextSector = random(shape.seed ^ 0x5ec7025);
  const sectorShocks = new Map<string, number>();
  for (let i = 0; i < (shape.sectorShocks ?? 0); i++) {
    const session = starts[Math.floor(nextSector() * starts.length)]!;
    const at = session + 20 + Math.floor(nextSector() * (SESSION - 40));
    const hit = Math.floor(nextSector() * SECTORS);
    const size = (nextSector() < 0.5 ? -1 : 1) * (0.015 + nextSector() * 0.015);
    sector.set(`${hit}@${at}`, size);
    sectorShocks.set(`${hit}@${at}`, 3 + nextSector() * 2);
    for (const stock of stocks.filter((candidate) => candidate.sector === hit)) {
      legitimate.push({ kind: 'sector-shock', symbol: stock.symbol, start: at, end: at });
    }
  }

  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let bars = 0;
  for (const stock of stocks) {
    const mine = planted.filter((e) => e.symbol === stock.symbol);
    const myNews = legitimate.filter((e) => e.kind === 'news-jump' && e.symbol === stock.symbol);
    const shocks = legitimate.filter((e) => e.symbol === null);
    const lines = ['timestamp,open,high,low,close,volume'];
    let close = stock.price;
    let noise = 0;
    starts.forEach((session, d) => {
      close *= Math.exp(normal() * 0.008); // overnight gap
      for (let m = 0; m < SESSION; m++) {
        const minute = session + m;
        let move =
          market.get(minute)! +
          sector.get(`${stock.sector}@${minute}`)! +
          studentT() * stock.vol * intraday(m) * regimes[d]!;
        noise = 0.7 * noise + normal() * 0.35;
        let volume = stock.baseVolume * intraday(m) * Math.exp(noise);
        if (stock.illiquid && next() < 0.35) volume = 0;
        if (shocks.some((e) => e.start === minute)) volume *= 3 + next() * 2;
        volume *= sectorShocks.get(`${stock.sector}@${minute}`) ?? 1;
        for (const news of myNews) {
          if (minute === news.start) move += (next() < 0.5 ? -1 : 1) * (0.03 + next() * 0.02);
          if (minute >= news.start && minute < news.start + 20)
            volume *= 1 + 3 * (1 - (minute - news.start) / 20);
        }
        for (const event of mine) {
          if (minute < event.start || minute > event.end) continue;
          const k = minute - event.start;
          const length = event.end - event.start + 1;
          const base = Math.max(stock.baseVolume * intraday(m), 50);
          if (event.kind === 'pump-and-dump') {
            // Up 3% over the first two thirds on rising volume, then down again.
            move = k < (length * 2) / 3 ? 0.045 / length : -0.09 / length;
            volume = base * (2 + (6 * k) / length);
          } else if (event.kind === 'marking-the-close') {
            move = 0.003;
            volume = base * 5;
          } else if (event.kind === 'volume-burst') {
            move = 0;
            volume = base * (8 + next() * 6);
          } else {
            move = k === 0 ? 0.02 : -0.0196;
            volume = base * 5;
          }
        }
        const open = close;
        close = Math.max(0.05, close * Math.exp(move));
        const high = Math.max(open, close) * (1 + Math.abs(normal()) * 0.0003);
        const low = Math.min(open, close) * (1 - Math.abs(normal()) * 0.0003);
        const ist = new Date((minute + 330) * 60_000).toISOString();
        lines.push(
          `${ist.slice(0, 10)} ${ist.slice(11, 16)}:00+05:30,${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${Math.round(volume)}`,
        );
        bars++;
      }
    });
    const file = join(dir, `${stock.symbol}__EQ__NSE__NSE__MINUTE.csv`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    files.push(file);
  }
  const peerGroupsFile = join(dir, 'peers.txt');
  writeFileSync(
    peerGroupsFile,
    Array.from({ length: SECTORS }, (_, s) => {
      const members = stocks.filter((stock) => stock.sector === s).map((stock) => stock.symbol);
      return members.length === 0 ? '' : `sector${s}=${members.join(',')}\n`;
    }).join(''),
  );
  return {
    files,
    truthFile: writeTruth(dir, { planted, legitimate }),
    peerGroupsFile,
    planted,
    legitimate,
    bars,
  };
}

function writeTruth(dir: string, truth: Truth): string {
  const file = join(dir, 'truth.csv');
  writeFileSync(file, truthCsv(truth));
  return file;
}

/**
 * The same kinds of manipulation planted into a real series (one symbol's CSV with the header
 * `timestamp,open,high,low,close,volume`): `count` events at random bars of the file, far apart, each bar of an
 * event rewritten as the kind does (relative to the bar before it). Written to `out`, with its truth file. A market
 * close is the file's day end (the last bar of each UTC date) for a market that trades around the clock.
 */
export function plantInto(file: string, out: string, seed: number, count: number, symbol: string): Market {
  const next = random(seed);
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const bars = rows.map((row) => row.split(','));
  const minuteOf = (fields: string[]) => Date.parse(`${fields[0]!.slice(0, 19).replace(' ', 'T')}Z`) / 60_000;
  const volumes = bars.map((fields) => Number(fields[5]));
  const typicalVolume = [...volumes].sort((a, b) => a - b)[Math.floor(volumes.length / 2)]!;
  const planted: TruthEvent[] = [];
  const taken: Array<[number, number]> = [];
  for (let i = 0; planted.length < count && i < count * 50; i++) {
    const kind = MANIPULATION_KINDS[planted.length % MANIPULATION_KINDS.length]!;
    const length = kind === 'pump-and-dump' ? 30 : kind === 'spike-and-revert' ? 2 : 6;
    let at = 100 + Math.floor(next() * (bars.length - 200));
    if (kind === 'marking-the-close') {
      // Back to the last bar of its date, then the length before it.
      while (at + 1 < bars.length && bars[at + 1]![0]!.slice(0, 10) === bars[at]![0]!.slice(0, 10)) at++;
      at -= length - 1;
    }
    if (taken.some(([from, to]) => at < to + 120 && at + length > from - 120)) continue;
    taken.push([at, at + length]);
    planted.push({ kind, symbol, start: minuteOf(bars[at]!), end: minuteOf(bars[at + length - 1]!) });
    let close = Number(bars[at - 1]![4]);
    for (let k = 0; k < length; k++) {
      const fields = bars[at + k]!;
      let move = 0;
      let volume: number;
      if (kind === 'pump-and-dump') {
        move = k < (length * 2) / 3 ? 0.045 / length : -0.09 / length;
        volume = typicalVolume * (2 + (6 * k) / length);
      } else if (kind === 'marking-the-close') {
        move = 0.003;
        volume = typicalVolume * 5;
      } else if (kind === 'volume-burst') {
        volume = typicalVolume * (8 + next() * 6);
      } else {
        move = k === 0 ? 0.02 : -0.0196;
        volume = typicalVolume * 5;
      }
      const open = close;
      close = close * Math.exp(move);
      fields[1] = open.toFixed(2);
      fields[2] = Math.max(open, close).toFixed(2);
      fields[3] = Math.min(open, close).toFixed(2);
      fields[4] = close.toFixed(2);
      fields[5] = volume.toFixed(4);
    }
    // The bar after an event opens where it closed; its own move is kept.
    const after = bars[at + length];
    if (after !== undefined) after[1] = close.toFixed(2);
  }
  mkdirSync(out, { recursive: true });
  const written = join(out, `${symbol}__REAL.csv`);
  writeFileSync(written, `${header}\n${bars.map((fields) => fields.join(',')).join('\n')}\n`);
  const truthFile = writeTruth(out, { planted, legitimate: [] });
  return { files: [written], truthFile, planted, legitimate: [], bars: bars.length };
}
