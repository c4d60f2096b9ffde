/**
 * The suspicion score of an episode (contract §6) from its bars' figures and the market's minutes. Pure and
 * deterministic: the same figures give the same score, to the last decimal, in the batch CLI and the pipeline.
 */
import type { MarketMinute, MarketPart } from './marketMinutes.js';
import type { EpisodeBar, EpisodeFigures } from './symbolScoring.js';
import type { ScoreContext, ScoreFactor, SuspicionScore } from './suspicionScore.js';
import { formatMinute } from '../timestamp.js';

/** The market as the score asks it: the other symbols' (or the symbol's peers') mean that minute. */
export interface MarketView {
  without(minute: number, own: MarketPart): MarketMinute;
}

/** How a factor's evidence (in standard deviations) turns into points: none up to `from`, then up to `cap`. */
interface Scale {
  from: number;
  scale: number;
  cap: number;
}
const MOVE: Scale = { from: 3, scale: 6, cap: 40 };
const VOLUME: Scale = { from: 3, scale: 6, cap: 35 };
const SHAPE_CAP = 15;
const REVERT_POINTS = 12;
const PUSH_POINTS = 8;
const FLAT_POINTS = 10;
const CLOSE_POINTS = 12;
/** The longest run of bars a move or a volume is measured over (two hours). */
const MAX_RUN = 120;
/** The minutes before the session's usual close that count as "into the close". */
const CLOSE_MINUTES = 15;

/** Saturating: evidence far past the threshold adds less and less, so that no single factor decides alone. */
function pointsOf(evidence: number, { from, scale, cap }: Scale): number {
  return evidence <= from ? 0 : cap * (1 - Math.exp(-(evidence - from) / scale));
}

const clamp01 = (value: number) => Math.max(0, Math.min(1, value));
/** One decimal, and never -0 (which Firestore keeps and JSON does not). */
const round1 = (value: number) => Math.round(value * 10) / 10 || 0;

/** The strongest run: the most standard deviations a stretch of consecutive bars adds up to, |sum| / sqrt(n). */
interface Run {
  evidence: number;
  from: number;
  to: number;
}

/** Math.sqrt of each run length up to MAX_RUN, looked up rather than worked out again: the same doubles. */
const SQRT = Float64Array.from({ length: MAX_RUN + 1 }, (_, n) => Math.sqrt(n));
/**
 * The same a hair smaller: a run whose |sum| is not above the best evidence times this cannot beat it (its
 * |sum| / sqrt(n), rounded, is then at most the best), whatever the rounding of either side.
 */
const SQRT_BELOW = Float64Array.from(SQRT, (root) => root * (1 - 1e-12));

/** The strongest run of `values[start .. start + length)`, its bounds counted from `start`. */
function strongestRun(values: Float64Array, start: number, length: number, signed: boolean): Run {
  let evidenceBest = 0;
  let fromBest = 0;
  let toBest = -1;
  for (let from = 0; from < length; from++) {
    let sum = 0;
    for (let to = from; to < length && to - from < MAX_RUN; to++) {
      sum += values[start + to]!;
      const size = signed ? Math.abs(sum) : sum;
      // Most runs do not beat the best: a multiplication tells them apart, where a division each was a fifth
      // of scoring an episode. The division is made for the others, so the evidence is the same double.
      if (!(size > evidenceBest * SQRT_BELOW[to - from + 1]!)) continue;
      const evidence = size / SQRT[to - from + 1]!;
      if (evidence > evidenceBest) {
        evidenceBest = evidence;
        fromBest = from;
        toBest = to;
      }
    }
  }
  return { evidence: evidenceBest, from: fromBest, to: toBest };
}

/**
 * The strongest runs of two series of `length` values at once, each as {@link strongestRun} finds it (the same
 * sums, in the same order, so the same doubles): an episode's raw and market-adjusted moves, or volumes, are
 * scanned in one pass, which halves the loops' own work (a sixth of scoring an episode).
 */
function strongestRuns(
  first: Float64Array,
  second: Float64Array,
  length: number,
  signed: boolean,
): [Run, Run] {
  let bestFirst = 0;
  let fromFirst = 0;
  let toFirst = -1;
  let bestSecond = 0;
  let fromSecond = 0;
  let toSecond = -1;
  for (let from = 0; from < length; from++) {
    let sumFirst = 0;
    let sumSecond = 0;
    for (let to = from; to < length && to - from < MAX_RUN; to++) {
      sumFirst += first[to]!;
      sumSecond += second[to]!;
      const below = SQRT_BELOW[to - from + 1]!;
      const sizeFirst = signed ? Math.abs(sumFirst) : sumFirst;
      const sizeSecond = signed ? Math.abs(sumSecond) : sumSecond;
      // As in strongestRun: a multiplication rules out most runs, the division is made for the others.
      if (sizeFirst > bestFirst * below) {
        const evidence = sizeFirst / SQRT[to - from + 1]!;
        if (evidence > bestFirst) {
          bestFirst = evidence;
          fromFirst = from;
          toFirst = to;
        }
      }
      if (sizeSecond > bestSecond * below) {
        const evidence = sizeSecond / SQRT[to - from + 1]!;
        if (evidence > bestSecond) {
          bestSecond = evidence;
          fromSecond = from;
          toSecond = to;
        }
      }
    }
  }
  return [
    { evidence: bestFirst, from: fromFirst, to: toFirst },
    { evidence: bestSecond, from: fromSecond, to: toSecond },
  ];
}

/**
 * Room for an episode's figures bar by bar, reused from episode to episode: `detect --episodes` scores two
 * million of them at the seed's scale, and arrays made afresh for each were much of its garbage.
 */
class Columns {
  size = 0;
  rawReturns = new Float64Array(0);
  residuals = new Float64Array(0);
  rawMoves = new Float64Array(0);
  moves = new Float64Array(0);
  rawVolumes = new Float64Array(0);
  volumes = new Float64Array(0);
  surprises = new Float64Array(0);
  /** The moves of the bars into the close, and where those bars are in the episode. */
  closeMoves = new Float64Array(0);
  closeAt = new Int32Array(0);

  /** Room for `bars` bars. */
  room(bars: number): this {
    if (bars <= this.size) return this;
    const size = Math.max(bars, this.size * 2, 64);
    this.size = size;
    this.rawReturns = new Float64Array(size);
    this.residuals = new Float64Array(size);
    this.rawMoves = new Float64Array(size);
    this.moves = new Float64Array(size);
    this.rawVolumes = new Float64Array(size);
    this.volumes = new Float64Array(size);
    this.surprises = new Float64Array(size);
    this.closeMoves = new Float64Array(size);
    this.closeAt = new Int32Array(size);
    return this;
  }
}

const columns = new Columns();

const percent = (logReturn: number) => {
  const value = (Math.exp(logReturn) - 1) * 100;
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(value !== 0 && Math.abs(value) < 0.1 ? 2 : 1)}%`;
};
const times = (ratio: number) => `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`;
const count = (value: number) =>
  value >= 100 ? grouped(Math.round(value)) : value.toPrecision(3).replace(/\.?0+$/, '');
/**
 * A whole number of at least 100 with its thousands set apart by commas, as `toLocaleString('en-US')` writes it
 * (which took a twentieth of scoring an episode); beyond what a double holds exactly, that function itself.
 */
function grouped(whole: number): string {
  if (!(whole < Number.MAX_SAFE_INTEGER)) return whole.toLocaleString('en-US');
  const digits = String(whole);
  let text = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = text.length; at < digits.length; at += 3) text += `,${digits.slice(at, at + 3)}`;
  return text;
}
const minutesOf = (bars: readonly EpisodeBar[], run: Run) =>
  run.to < run.from ? 0 : bars[run.to]!.minute - bars[run.from]!.minute + 1;
const sumOf = (values: Float64Array, from: number, to: number) => {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += values[i]!;
  return sum;
};
const clockOf = (minuteOfDay: number) =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

export interface ScoredEpisode {
  score: SuspicionScore;
  context: ScoreContext;
}

/**
 * A score with each alert's minute as a number (minutes since the epoch) rather than its text: what `detect
 * --episodes` writes, the text straight as bytes (formatting 17 million minutes as strings, then encoding them,
 * was a tenth of its scoring). {@link withMinuteText} makes it the {@link SuspicionScore} it stands for.
 */
export type MinuteScore = Omit<SuspicionScore, 'alerts'> & {
  alerts: Array<{ minute: number; points: number }>;
};

/** The score with its alerts' minutes as text (ISO 8601 UTC), as stored and shown. */
export function withMinuteText(score: MinuteScore): SuspicionScore {
  return {
    ...score,
    alerts: score.alerts.map(({ minute, points }) => ({ minute: formatMinute(minute), points })),
  };
}

/**
 * @param settled whether the market's minutes of the episode are complete (always, in the batch CLI)
 */
export function scoreEpisode(figures: EpisodeFigures, market: MarketView, settled: boolean): ScoredEpisode {
  const markets = marketsOf(figures, market);
  const bars = figures.bars;
  const context: ScoreContext = {
    minutes: bars.map((bar) => bar.minute),
    usualVolume: bars.map((bar) => bar.usualVolume),
    marketMovePct: markets.map((m) =>
      m.logReturn === null ? null : round1((Math.exp(m.logReturn) - 1) * 1e3) / 10,
    ),
  };
  return { score: withMinuteText(scoreAgainst(figures, markets, settled)), context };
}

/**
 * The score alone, without the context the pipeline stores beside it, its alerts' minutes as numbers: what `detect
 * --episodes` writes, two million times at the seed's scale. The same score as {@link scoreEpisode}'s.
 */
export function episodeScore(figures: EpisodeFigures, market: MarketView, settled: boolean): MinuteScore {
  return scoreAgainst(figures, marketsOf(figures, market), settled);
}

/** The market each bar of the episode is measured against. */
function marketsOf(figures: EpisodeFigures, market: MarketView): MarketMinute[] {
  return figures.bars.map((bar) => market.without(bar.minute, bar.part));
}

function scoreAgainst(
  figures: EpisodeFigures,
  markets: readonly MarketMinute[],
  settled: boolean,
): MinuteScore {
  const bars = figures.bars;
  const alerts = bars.filter((bar) => bar.alert);
  if (figures.baseline === 'none') {
    const detail = 'too little history to know its usual: not scored against one';
    return {
      score: 0,
      factors: [
        { factor: 'move', points: 0, detail },
        { factor: 'volume', points: 0, detail },
        { factor: 'market', points: 0, detail: 'not measured' },
        { factor: 'shape', points: 0, detail: 'not measured' },
        { factor: 'close', points: 0, detail: 'not measured' },
        { factor: 'liquidity', points: 0, detail: 'not measured' },
      ],
      baseline: 'none',
      settled,
      alerts: alerts.map((bar) => ({ minute: bar.minute, points: 0 })),
    };
  }

  // The symbol's own figures, and the same once the market's share is taken out.
  const n = bars.length;
  const { rawReturns, residuals, rawMoves, moves, rawVolumes, volumes, surprises } = columns.room(n);
  for (let i = 0; i < n; i++) {
    const bar = bars[i]!;
    const market = markets[i]!;
    const ret = Number.isNaN(bar.logReturn) ? 0 : bar.logReturn;
    rawReturns[i] = ret;
    residuals[i] = ret - (market.logReturn ?? 0);
    rawMoves[i] = ret / bar.volatility;
    moves[i] = residuals[i]! / bar.volatility;
    rawVolumes[i] = bar.surprise / bar.volumeSpread;
    volumes[i] = (bar.surprise - Math.max(0, market.surprise ?? 0)) / bar.volumeSpread;
    surprises[i] = bar.surprise;
  }

  const [rawMove, move] = strongestRuns(rawMoves, moves, n, true);
  const [rawVolume, volume] = strongestRuns(rawVolumes, volumes, n, false);
  const movePoints = pointsOf(rawMove.evidence, MOVE);
  const volumePoints = pointsOf(rawVolume.evidence, VOLUME);
  const marketPoints =
    pointsOf(move.evidence, MOVE) + pointsOf(volume.evidence, VOLUME) - movePoints - volumePoints;

  // Shape, on the moves the market does not explain.
  let path = 0;
  let peak = 0;
  let peakAt = -1;
  for (let i = 0; i < n; i++) {
    path += residuals[i]!;
    if (Math.abs(path) > Math.abs(peak)) {
      peak = path;
      peakAt = i;
    }
  }
  /** The share of the largest excursion given back by the episode's end (0 when it held or grew). */
  const undone = peakAt < 0 ? 0 : clamp01((peak - path) / peak);
  const shapes: string[] = [];
  let revertPoints = 0;
  if (peakAt >= 0) {
    let volatility = 0;
    for (let i = 0; i <= peakAt; i++) volatility += bars[i]!.volatility;
    volatility /= peakAt + 1;
    const peakEvidence = Math.abs(peak) / (volatility * Math.sqrt(peakAt + 1));
    revertPoints = REVERT_POINTS * clamp01((undone - 0.5) / 0.4) * clamp01((peakEvidence - 3) / 3);
    if (revertPoints > 0) shapes.push(`gives back ${Math.round(undone * 100)}% of a ${percent(peak)} move`);
  }
  // A push: minutes in a row moving the same way on heavier volume than usual (a ramp, a push into the close).
  let streak = 0;
  let longest = 0;
  let longestSum = 0;
  let streakSum = 0;
  for (let i = 0; i < n; i++) {
    const value = residuals[i]!;
    const same =
      value !== 0 && volumes[i]! > 0.5 && (streak === 0 || Math.sign(value) === Math.sign(streakSum));
    if (same) {
      streak++;
      streakSum += value;
    } else {
      streak = value !== 0 && volumes[i]! > 0.5 ? 1 : 0;
      streakSum = streak === 1 ? value : 0;
    }
    if (streak > longest) {
      longest = streak;
      longestSum = streakSum;
    }
  }
  const pushPoints = PUSH_POINTS * clamp01((longest - 3) / 4);
  if (pushPoints > 0)
    shapes.push(`${longest} minutes in a row ${longestSum > 0 ? 'up' : 'down'} on heavy volume`);
  let flatPoints = 0;
  if (volume.to >= volume.from) {
    // Flat: no stretch of the heavy minutes moves the price far, not even one that later comes back.
    const flat = strongestRun(moves, volume.from, volume.to - volume.from + 1, true).evidence;
    if (flat < 1.5) flatPoints = FLAT_POINTS * clamp01((volume.evidence - 3) / 5);
    if (flatPoints > 0) shapes.push('heavy volume on a flat price');
  }
  // A jump that holds (made in a minute or two, not given back) is how news moves a price: it counts half.
  const holdPoints = move.to - move.from + 1 <= 2 && undone < 0.3 ? -0.5 * pointsOf(move.evidence, MOVE) : 0;
  if (holdPoints < 0) shapes.push('a jump that holds, as news makes: its move counts half');
  const shapePoints = Math.min(SHAPE_CAP, revertPoints + pushPoints + flatPoints) + holdPoints;

  // A push into the close: the strongest run of its bars in the session's last minutes.
  let closePoints = 0;
  let closeDetail = 'not at the close';
  if (figures.closeMinute !== null) {
    const close = figures.closeMinute;
    const { closeMoves, closeAt } = columns;
    let inClose = 0;
    for (let i = 0; i < n; i++) {
      const ofDay = bars[i]!.minute % 1440;
      if (ofDay <= close && ofDay > close - CLOSE_MINUTES) {
        closeMoves[inClose] = moves[i]!;
        closeAt[inClose++] = i;
      }
    }
    if (inClose >= 2) {
      const run = strongestRun(closeMoves, 0, inClose, true);
      const from = closeAt[run.from]!;
      const to = closeAt[Math.max(run.from, run.to)]!;
      const heavy = sumOf(volumes, from, to) / (to - from + 1) >= 1;
      closePoints = CLOSE_POINTS * clamp01((run.evidence - 2) / 2) * (heavy ? 1 : 0.5);
      if (closePoints > 0) {
        closeDetail =
          `${percent(sumOf(residuals, from, to))} in ${to - from + 1} min before its usual close at ` +
          `${clockOf(close)} UTC${heavy ? ', on heavy volume' : ''}`;
      }
    }
  }

  // Liquidity: a volume measured from a zero usual counts half.
  const peakVolume = volume.to >= volume.from ? bars[volume.from]! : undefined;
  const fromZero = bars.some((bar, i) => i >= volume.from && i <= volume.to && bar.usualVolume === 0);
  const liquidityPoints = fromZero ? -(volumePoints + Math.min(0, marketPoints)) / 2 : 0;
  const liquidityDetail = fromZero
    ? 'volume from a zero usual: counted half'
    : figures.zeroShare >= 0.2
      ? `${Math.round(figures.zeroShare * 100)}% of its usual minutes trade nothing`
      : 'trades most minutes';

  const moveDetail =
    rawMove.to < rawMove.from
      ? 'no move'
      : `${percent(sumOf(rawReturns, rawMove.from, rawMove.to))} in ${minutesOf(bars, rawMove)} min, ` +
        `${rawMove.evidence.toFixed(1)}σ of its volatility (${(bars[rawMove.from]!.volatility * 100).toFixed(2)}%/min)`;
  const volumeDetail =
    rawVolume.to < rawVolume.from || peakVolume === undefined
      ? 'not above its usual'
      : `${times(Math.exp(sumOf(surprises, rawVolume.from, rawVolume.to) / (rawVolume.to - rawVolume.from + 1)))} ` +
        `its usual ${count(bars[rawVolume.from]!.usualVolume ?? 0)} ${figures.baseline === 'usual' ? 'at that time of day' : 'of its recent minutes'} over ${minutesOf(bars, rawVolume)} min ` +
        `(${rawVolume.evidence.toFixed(1)}σ)`;
  // The market over the same minutes, from the minutes it is known in (summed in minute order).
  let knownMinutes = 0;
  let marketLog = 0;
  let symbols = Number.POSITIVE_INFINITY;
  let peers: string | undefined;
  let allPeers = true;
  let surpriseMinutes = 0;
  let surpriseSum = 0;
  for (const market of markets) {
    if (market.surprise !== null) {
      surpriseMinutes++;
      surpriseSum += market.surprise;
    }
    if (market.logReturn === null) continue;
    knownMinutes++;
    marketLog += market.logReturn;
    symbols = Math.min(symbols, market.symbols);
    if (market.peers === null) allPeers = false;
    else peers ??= market.peers;
  }
  let marketDetail: string;
  if (knownMinutes === 0) {
    marketDetail = 'too few other symbols traded these minutes to know the market';
  } else {
    const marketVolume =
      surpriseMinutes === 0 ? '' : `, volume ${times(Math.exp(surpriseSum / surpriseMinutes))} usual`;
    const who =
      peers === undefined
        ? 'the market'
        : allPeers
          ? `its peers (${peers})`
          : `its peers (${peers}), or the market where too few of them traded,`;
    marketDetail = `${who} moved ${percent(marketLog)} in the same minutes${marketVolume} (${symbols}+ symbols)`;
  }

  const factors: ScoreFactor[] = [
    { factor: 'move', points: round1(movePoints), detail: moveDetail },
    { factor: 'volume', points: round1(volumePoints), detail: volumeDetail },
    { factor: 'market', points: round1(marketPoints), detail: marketDetail },
    {
      factor: 'shape',
      points: round1(shapePoints),
      detail: shapes.length === 0 ? 'no telling shape' : shapes.join('; '),
    },
    { factor: 'close', points: round1(closePoints), detail: closeDetail },
    { factor: 'liquidity', points: round1(liquidityPoints), detail: liquidityDetail },
  ];
  const total = factors.reduce((sum, factor) => sum + factor.points, 0);
  const score = round1(Math.max(0, Math.min(100, total)));

  // Each alert's part: its share of the evidence the market does not explain.
  const weightOf = (i: number) => Math.abs(moves[i]!) + Math.max(0, volumes[i]!);
  let weightSum = 0;
  for (let i = 0; i < n; i++) if (bars[i]!.alert) weightSum += weightOf(i);
  const parts: MinuteScore['alerts'] = [];
  for (let i = 0; i < n; i++) {
    const bar = bars[i]!;
    if (!bar.alert) continue;
    parts.push({
      minute: bar.minute,
      points: round1(weightSum > 0 ? (score * weightOf(i)) / weightSum : score / alerts.length),
    });
  }
  return { score, factors, baseline: figures.baseline, settled, alerts: parts };
}
