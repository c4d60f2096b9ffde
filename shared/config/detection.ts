/**
 * The old name of detectionParameterSettings.ts, kept only for the callers outside this module's last change
 * (bench): import from detectionParameterSettings.ts instead; this file goes once none imports it.
 */
export { detectionConfigFromEnv } from './detectionParameterSettings.js';
