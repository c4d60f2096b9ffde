/**
 * The most one object may hold before it is rejected whole (contract §1, "Limits"). Each one bounds what reading
 * a single object can cost, so that a hostile or broken upload (one endless line, a gzip bomb, a file of
 * millions of one-row symbols) is a clear rejection rather than an instance running out of memory. Pure
 * numbers: the edges read them from the environment (ingestLimitsFromEnv in shared/config/ingestSettings.ts).
 */
import { ObjectRejectedError } from './report.js';

export interface IngestLimits {
  /**
   * Most bytes of one record's text, without its line end: a physical line, or all the lines of a record whose
   * quoted field holds line breaks (the parser holds a record whole until it ends).
   */
  maxLineBytes: number;
  /** Most bytes of the object's text, counted after gunzipping (a small gzip can expand a thousandfold). */
  maxObjectBytes: number;
  /** Most data rows (non-blank lines after the header). */
  maxRows: number;
  /** Most distinct symbols named by the object's rows. */
  maxSymbols: number;
  /** Most rows set aside (bad or duplicate): each is kept, with its text, until the object is read. */
  maxSetAside: number;
}

// The rejection reasons name the limit and the variable that sets it, so an operator knows what to raise.

export function lineTooLong(line: number, limits: IngestLimits): ObjectRejectedError {
  return new ObjectRejectedError(`line ${line} is longer than ${limits.maxLineBytes} bytes (MAX_LINE_BYTES)`);
}

export function objectTooLarge(limits: IngestLimits): ObjectRejectedError {
  return new ObjectRejectedError(`object is larger than ${limits.maxObjectBytes} bytes (MAX_OBJECT_BYTES)`);
}

export function tooManyRows(limits: IngestLimits): ObjectRejectedError {
  return new ObjectRejectedError(`object has more than ${limits.maxRows} rows (MAX_ROWS_PER_OBJECT)`);
}

export function tooManySetAside(limits: IngestLimits): ObjectRejectedError {
  return new ObjectRejectedError(
    `object has more than ${limits.maxSetAside} bad or duplicate rows (MAX_SET_ASIDE_ROWS)`,
  );
}

export function tooManySymbols(limits: IngestLimits): ObjectRejectedError {
  return new ObjectRejectedError(
    `object has more than ${limits.maxSymbols} symbols (MAX_SYMBOLS_PER_OBJECT)`,
  );
}
