/**
 * The old name of the variables' registry, kept only for the callers outside this module's last change
 * (cli/commands, bench, console/server.ts): import from variables.ts instead; this file goes once none imports it.
 */
export { ConfigError, readPositiveInt, readVariable } from './variables.js';
