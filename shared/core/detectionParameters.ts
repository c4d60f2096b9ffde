/**
 * The detection parameters (contract §2), checked and compiled: thresholds as exact decimals, the window and the
 * episode gap in minutes, the zone. Pure values: shared/config/detectionParameterSettings.ts reads them from the
 * environment, the `detect` command from its options.
 */
import { addExact, exactFromText, scanDecimal, scannedSign, type ExactDecimal } from './decimal.js';
import { ZoneOffsets } from './timestamp.js';
import { FinalError } from '../errors.js';

export interface DetectionSettings {
  /** A1 fires when |close − prevClose| / prevClose exceeds this (decimal text). */
  a1: string;
  /** A2 fires when volume exceeds (1 + a2) × the window's mean volume (decimal text). */
  a2: string;
  windowMinutes: number;
  /** Episodes (contract §5): an alert at most this many minutes after the last one of its symbol's episode joins it. */
  episodeGapMinutes: number;
  /** Exchange time zone for timestamps without an offset and for the local date of gaps. */
  timezone: string;
}

export const DEFAULT_SETTINGS: DetectionSettings = {
  a1: '0.005',
  a2: '0.02',
  windowMinutes: 10,
  episodeGapMinutes: 5,
  timezone: 'Asia/Kolkata',
};

/** The settings in the forms the rules use. */
export interface DetectionConfig {
  settings: DetectionSettings;
  a1: number;
  a1Exact: ExactDecimal;
  /** 1 + a2. */
  a2Factor: number;
  a2FactorExact: ExactDecimal;
  windowMinutes: number;
  episodeGapMinutes: number;
  zone: ZoneOffsets;
}

/** A detection setting out of its range: final, the same settings always fail. */
export class SettingsError extends FinalError {
  override name = 'SettingsError';
  constructor(
    /** The setting at fault. */
    readonly setting: keyof DetectionSettings,
    message: string,
  ) {
    super(message);
  }
}

/** Checks and compiles settings. @throws SettingsError naming the bad setting */
export function compileSettings(settings: DetectionSettings): DetectionConfig {
  const threshold = (name: 'a1' | 'a2', text: string): ExactDecimal => {
    if (!scanDecimal(text) || scannedSign() < 0) {
      throw new SettingsError(name, `${name} must be a non-negative decimal number, got '${text}'`);
    }
    return exactFromText(text);
  };
  const a1Exact = threshold('a1', settings.a1);
  const a2Exact = threshold('a2', settings.a2);
  if (!Number.isInteger(settings.windowMinutes) || settings.windowMinutes < 1) {
    throw new SettingsError(
      'windowMinutes',
      `window must be a whole number of minutes ≥ 1, got '${settings.windowMinutes}'`,
    );
  }
  if (!Number.isInteger(settings.episodeGapMinutes) || settings.episodeGapMinutes < 1) {
    throw new SettingsError(
      'episodeGapMinutes',
      `episode gap must be a whole number of minutes ≥ 1, got '${settings.episodeGapMinutes}'`,
    );
  }
  let zone: ZoneOffsets;
  try {
    zone = new ZoneOffsets(settings.timezone);
  } catch {
    throw new SettingsError(
      'timezone',
      `unknown time zone '${settings.timezone}' (use an IANA name like Asia/Kolkata or UTC)`,
    );
  }
  const a2FactorExact = addExact({ mantissa: 1n, scale: 0 }, a2Exact);
  return {
    settings,
    a1: Number(settings.a1),
    a1Exact,
    a2Factor: 1 + Number(settings.a2),
    a2FactorExact,
    windowMinutes: settings.windowMinutes,
    episodeGapMinutes: settings.episodeGapMinutes,
    zone,
  };
}
