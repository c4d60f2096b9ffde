/**
 * The old home of ingestLimitsFromEnv, kept only for the callers outside this module's last change (cli/commands,
 * bench, test/browser): import it from ingestSettings.ts instead; this file goes once none imports it.
 */
export { ingestLimitsFromEnv } from './ingestSettings.js';
