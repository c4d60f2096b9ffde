/**
 * The Pub/Sub message from detect to escalate: one episode whose settled suspicion score reached the threshold
 * (shared/pipeline/escalationDecision.ts), with what a person in a chat needs to decide whether to open it.
 * Built by detect, read by escalate; a message escalate cannot read is final: no redelivery changes its bytes.
 */
import type { Episode } from '../core/episodes.js';
import { SCORE_FACTORS, type ScoreFactorId, type SuspicionScore } from '../core/suspicion/suspicionScore.js';
import { FinalError } from '../errors.js';
import { episodeId } from './documentIds.js';

export const ESCALATION_MESSAGE_VERSION = 1;

/** The most factors a message names: the ones that raised the score most, as a chat line has room for. */
export const TOP_FACTORS = 3;

export interface EscalationFactor {
  factor: ScoreFactorId;
  /** Its part in the score, one decimal. */
  points: number;
  /** The figures behind it, as the score wrote them. */
  detail: string;
}

export interface EscalationMessage {
  v: typeof ESCALATION_MESSAGE_VERSION;
  /** The episode's id, `symbol@start` (documentIds.ts): what escalate keeps its marker under. */
  episode: string;
  symbol: string;
  /** Minutes of its first and last alert, ISO 8601 UTC. */
  start: string;
  end: string;
  /** The settled suspicion score, 0 to 100. */
  score: number;
  /** At most TOP_FACTORS of the factors that added points, most points first. */
  factors: EscalationFactor[];
  /** How many alerts the episode has. */
  alerts: number;
}

/**
 * The message for an episode and its score. Only factors that added points are named (one that explains the
 * episode away is not why it is escalated), most first; of equal points, in the order the score shows them.
 */
export function buildEscalationMessage(
  episode: Pick<Episode, 'symbol' | 'start' | 'end' | 'count'>,
  score: Pick<SuspicionScore, 'score' | 'factors'>,
): EscalationMessage {
  const order = (factor: ScoreFactorId) => SCORE_FACTORS.indexOf(factor);
  const factors = score.factors
    .filter(({ points }) => points > 0)
    .sort((a, b) => b.points - a.points || order(a.factor) - order(b.factor))
    .slice(0, TOP_FACTORS)
    .map(({ factor, points, detail }) => ({ factor, points, detail }));
  return {
    v: ESCALATION_MESSAGE_VERSION,
    episode: episodeId(episode),
    symbol: episode.symbol,
    start: episode.start,
    end: episode.end,
    score: score.score,
    factors,
    alerts: episode.count,
  };
}

/** A message that is not an escalation message: redelivering it cannot make it one. */
export class EscalationMessageError extends FinalError {
  override name = 'EscalationMessageError';
  constructor(reason: string) {
    super(`not an escalation message (retrying cannot help): ${reason}`);
  }
}

const ISO_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/;

const isFactorId = (value: unknown): value is ScoreFactorId =>
  typeof value === 'string' && (SCORE_FACTORS as readonly string[]).includes(value);

/** The message's bytes, as detect publishes them. */
export function encodeEscalationMessage(message: EscalationMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** @throws EscalationMessageError naming what is wrong */
export function decodeEscalationMessage(data: Buffer | string): EscalationMessage {
  let value: unknown;
  try {
    value = JSON.parse(data.toString());
  } catch (error) {
    throw new EscalationMessageError(`not JSON: ${(error as Error).message}`);
  }
  return validateEscalationMessage(value);
}

/** @throws EscalationMessageError naming the first field that is wrong */
export function validateEscalationMessage(value: unknown): EscalationMessage {
  const fail = (reason: string): never => {
    throw new EscalationMessageError(reason);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const message = value as Record<string, unknown>;
  if (message.v !== ESCALATION_MESSAGE_VERSION) fail(`its version is not ${ESCALATION_MESSAGE_VERSION}`);
  const { symbol, start, end, score, factors, alerts, episode } = message;
  if (typeof symbol !== 'string' || symbol === '') fail('symbol is not a non-empty string');
  if (typeof start !== 'string' || !ISO_MINUTE.test(start)) fail('start is not an ISO 8601 UTC minute');
  if (typeof end !== 'string' || !ISO_MINUTE.test(end) || end < (start as string)) {
    fail('end is not an ISO 8601 UTC minute at or after start');
  }
  if (episode !== episodeId({ symbol: symbol as string, start: start as string })) {
    fail("episode is not the id of its symbol and start ('symbol@start')");
  }
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100) {
    fail('score is not a number from 0 to 100');
  }
  if (!Number.isSafeInteger(alerts) || (alerts as number) < 1) fail('alerts is not a positive whole number');
  if (!Array.isArray(factors) || factors.length > TOP_FACTORS) {
    fail(`factors is not a list of at most ${TOP_FACTORS}`);
  }
  for (const item of factors as unknown[]) {
    const factor = item as Record<string, unknown> | null;
    if (
      !isFactorId(factor?.factor) ||
      typeof factor.points !== 'number' ||
      !Number.isFinite(factor.points) ||
      typeof factor.detail !== 'string'
    ) {
      fail(`a factor is not {factor: ${SCORE_FACTORS.join('|')}, points: number, detail: string}`);
    }
  }
  return {
    v: ESCALATION_MESSAGE_VERSION,
    episode: episode as string,
    symbol: symbol as string,
    start: start as string,
    end: end as string,
    score: score as number,
    factors: (factors as EscalationFactor[]).map(({ factor, points, detail }) => ({
      factor,
      points,
      detail,
    })),
    alerts: alerts as number,
  };
}
