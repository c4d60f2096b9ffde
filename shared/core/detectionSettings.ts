/**
 * The old name of detectionParameters.ts, kept only for the callers outside this module's last change
 * (cli/commands): import from detectionParameters.ts instead; this file goes once none imports it.
 */
export * from './detectionParameters.js';
