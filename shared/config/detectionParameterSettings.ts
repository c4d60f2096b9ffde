/**
 * The detection parameters (shared/core/detectionParameters.ts) from the environment. detect, ingest (for the
 * zone) and the console read them from here, so that they all compile the same values.
 */
import {
  compileSettings,
  SettingsError,
  type DetectionConfig,
  type DetectionSettings,
} from '../core/detectionParameters.js';
import { ConfigError, readPositiveInt, readVariable, type VariableName } from './variables.js';

/** Which variable carries each setting, so that a bad one is named as the operator wrote it. */
const VARIABLE_OF: Record<keyof DetectionSettings, VariableName> = {
  a1: 'A1_THRESHOLD',
  a2: 'A2_THRESHOLD',
  windowMinutes: 'WINDOW_MINUTES',
  episodeGapMinutes: 'EPISODE_GAP_MINUTES',
  timezone: 'EXCHANGE_TIMEZONE',
};

/** @throws ConfigError naming the variable that is malformed and what it expects */
export function detectionConfigFromEnv(env: NodeJS.ProcessEnv): DetectionConfig {
  const settings: DetectionSettings = {
    a1: readVariable('A1_THRESHOLD', env),
    a2: readVariable('A2_THRESHOLD', env),
    windowMinutes: readPositiveInt('WINDOW_MINUTES', env),
    episodeGapMinutes: readPositiveInt('EPISODE_GAP_MINUTES', env),
    timezone: readVariable('EXCHANGE_TIMEZONE', env),
  };
  try {
    return compileSettings(settings);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    throw new ConfigError(`${VARIABLE_OF[error.setting]}: ${error.message}`, { cause: error });
  }
}
