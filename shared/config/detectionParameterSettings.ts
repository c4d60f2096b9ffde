/**
 * The detection parameters (shared/core/detectionParameters.ts) from the environment. detect, ingest (for the
 * zone) and the console read them from here, so that they all compile the same values.
 */
import {
  compileParameters,
  ParameterError,
  type DetectionConfig,
  type DetectionParameters,
} from '../core/detectionParameters.js';
import { ConfigError, readPositiveInt, readVariable, type VariableName } from './variables.js';

/** Which variable carries each setting, so that a bad one is named as the operator wrote it. */
const VARIABLE_OF: Record<keyof DetectionParameters, VariableName> = {
  a1: 'A1_THRESHOLD',
  a2: 'A2_THRESHOLD',
  windowMinutes: 'WINDOW_MINUTES',
  episodeGapMinutes: 'EPISODE_GAP_MINUTES',
  timezone: 'EXCHANGE_TIMEZONE',
  latenessHorizonDays: 'LATENESS_HORIZON_DAYS',
};

/** @throws ConfigError naming the variable that is malformed and what it expects */
export function detectionConfigFromEnv(env: NodeJS.ProcessEnv): DetectionConfig {
  const settings: DetectionParameters = {
    a1: readVariable('A1_THRESHOLD', env),
    a2: readVariable('A2_THRESHOLD', env),
    windowMinutes: readPositiveInt('WINDOW_MINUTES', env),
    episodeGapMinutes: readPositiveInt('EPISODE_GAP_MINUTES', env),
    timezone: readVariable('EXCHANGE_TIMEZONE', env),
    latenessHorizonDays: readPositiveInt('LATENESS_HORIZON_DAYS', env),
  };
  try {
    return compileParameters(settings);
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    throw new ConfigError(`${VARIABLE_OF[error.parameter]}: ${error.message}`, { cause: error });
  }
}
