/**
 * The detection parameters (contract §2), checked and compiled: thresholds as exact decimals, the window and the
 * episode gap in minutes, the zone. Pure values: shared/config/detectionParameterSettings.ts reads them from the
 * environment, the `detect` command from its options.
 */
import { addExact, exactFromText, scanDecimal, scannedSign, type ExactDecimal } from './decimal.js';
import { ZoneOffsets } from './timestamp.js';
import { FinalError } from '../errors.js';

export interface DetectionParameters {
  /** A1 fires when |close − prevClose| / prevClose exceeds this (decimal text). */
  a1: string;
  /** A2 fires when volume exceeds (1 + a2) × the window's mean volume (decimal text). */
  a2: string;
  windowMinutes: number;
  /** Episodes (contract §5): an alert at most this many minutes after the last one of its symbol's episode joins it. */
  episodeGapMinutes: number;
  /** Exchange time zone for timestamps without an offset and for the local date of gaps. */
  timezone: string;
  /**
   * Contract §2: a bar more than this many days before its symbol's latest detected minute is too late to be
   * detected (counted and reported instead); later ones are detected in their place, whenever they arrive.
   */
  latenessHorizonDays: number;
}

export const DEFAULT_PARAMETERS: DetectionParameters = {
  a1: '0.005',
  a2: '0.02',
  windowMinutes: 10,
  episodeGapMinutes: 5,
  timezone: 'Asia/Kolkata',
  latenessHorizonDays: 7,
};

/** The parameters in the forms the rules use. */
export interface DetectionConfig {
  parameters: DetectionParameters;
  a1: number;
  a1Exact: ExactDecimal;
  /** 1 + a2. */
  a2Factor: number;
  a2FactorExact: ExactDecimal;
  windowMinutes: number;
  episodeGapMinutes: number;
  /** The lateness horizon in minutes. */
  latenessHorizonMinutes: number;
  zone: ZoneOffsets;
}

/** A detection parameter out of its range: final, the same parameters always fail. */
export class ParameterError extends FinalError {
  override name = 'ParameterError';
  constructor(
    /** The parameter at fault. */
    readonly parameter: keyof DetectionParameters,
    message: string,
  ) {
    super(message);
  }
}

/** Checks and compiles the parameters. @throws ParameterError naming the bad one */
export function compileParameters(parameters: DetectionParameters): DetectionConfig {
  const threshold = (name: 'a1' | 'a2', text: string): ExactDecimal => {
    if (!scanDecimal(text) || scannedSign() < 0) {
      throw new ParameterError(name, `${name} must be a non-negative decimal number, got '${text}'`);
    }
    return exactFromText(text);
  };
  const a1Exact = threshold('a1', parameters.a1);
  const a2Exact = threshold('a2', parameters.a2);
  if (!Number.isInteger(parameters.windowMinutes) || parameters.windowMinutes < 1) {
    throw new ParameterError(
      'windowMinutes',
      `window must be a whole number of minutes ≥ 1, got '${parameters.windowMinutes}'`,
    );
  }
  if (!Number.isInteger(parameters.episodeGapMinutes) || parameters.episodeGapMinutes < 1) {
    throw new ParameterError(
      'episodeGapMinutes',
      `episode gap must be a whole number of minutes ≥ 1, got '${parameters.episodeGapMinutes}'`,
    );
  }
  if (!Number.isInteger(parameters.latenessHorizonDays) || parameters.latenessHorizonDays < 1) {
    throw new ParameterError(
      'latenessHorizonDays',
      `lateness horizon must be a whole number of days ≥ 1, got '${parameters.latenessHorizonDays}'`,
    );
  }
  let zone: ZoneOffsets;
  try {
    zone = new ZoneOffsets(parameters.timezone);
  } catch {
    throw new ParameterError(
      'timezone',
      `unknown time zone '${parameters.timezone}' (use an IANA name like Asia/Kolkata or UTC)`,
    );
  }
  const a2FactorExact = addExact({ mantissa: 1n, scale: 0 }, a2Exact);
  return {
    parameters,
    a1: Number(parameters.a1),
    a1Exact,
    a2Factor: 1 + Number(parameters.a2),
    a2FactorExact,
    windowMinutes: parameters.windowMinutes,
    episodeGapMinutes: parameters.episodeGapMinutes,
    latenessHorizonMinutes: parameters.latenessHorizonDays * 1440,
    zone,
  };
}
