/** The detection settings of a deployed function, from its environment (see runtime.ts). */
import { compileSettings, type DetectionConfig } from '../core/detectionSettings.js';
import { readPositiveInt, readVariable } from './runtime.js';

export function detectionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DetectionConfig {
  return compileSettings({
    a1: readVariable('A1_THRESHOLD', env),
    a2: readVariable('A2_THRESHOLD', env),
    windowMinutes: readPositiveInt('WINDOW_MINUTES', env),
    timezone: readVariable('EXCHANGE_TIMEZONE', env),
  });
}
