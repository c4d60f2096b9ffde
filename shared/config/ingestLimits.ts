/**
 * The ingest limits (see shared/core/ingestLimits.ts) from the environment. ingest and the `detect` command
 * both read them from here, with runtime.ts's defaults, so that an object one of them rejects the other
 * rejects too.
 */
import type { IngestLimits } from '../core/ingestLimits.js';
import { readPositiveInt } from './runtime.js';

/** @throws ConfigError naming the first variable that is not a positive integer */
export function ingestLimitsFromEnv(env: NodeJS.ProcessEnv): IngestLimits {
  return {
    maxLineBytes: readPositiveInt('MAX_LINE_BYTES', env),
    maxObjectBytes: readPositiveInt('MAX_OBJECT_BYTES', env),
    maxRows: readPositiveInt('MAX_ROWS_PER_OBJECT', env),
    maxSymbols: readPositiveInt('MAX_SYMBOLS_PER_OBJECT', env),
    maxSetAside: readPositiveInt('MAX_SET_ASIDE_ROWS', env),
  };
}
