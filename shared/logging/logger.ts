/**
 * The one logger every component uses: one JSON object a line, in the shape Cloud Logging reads from a Cloud
 * Run container's output (`severity`, `message`, `logging.googleapis.com/labels`, `logging.googleapis.com/trace`
 * and `.../spanId`), so that every entry is filtered by severity and component and grouped by request there.
 *
 * A component makes one logger at start (`createLogger('detect')`) and, per delivery, a child that names the
 * event or record (`logger.with({ labels: { event: id } })`), so that no call site repeats what it is about.
 * Components never pretty-print: the CLI does, for a person reading the local stack's logs (cli/logLines.ts).
 */
import { describeError, StockAnomaliesError } from '../errors.js';
import type { TraceContext } from './trace.js';

/**
 * Cloud Logging's severities, in its order; only these five are written by the project. CRITICAL is for a
 * process that is about to end itself (the dispatcher's consumer gone for good, a malformed setting).
 */
export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** Fields of one entry beside its message (an `error` field is written as its name, message and retriable). */
export type LogFields = Record<string, unknown>;

export interface LogContext {
  /** Short strings Cloud Logging indexes (`labels.event="..."` in a query): the event, record or object. */
  labels?: Record<string, string>;
  /** The request's trace, so that its entries sit under it in Cloud Trace and the request log. */
  trace?: TraceContext;
  /** Fields every entry of the child carries. */
  fields?: LogFields;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  critical(message: string, fields?: LogFields): void;
  /** A logger whose entries also carry `context` (labels and fields are merged, the trace replaced). */
  with(context: LogContext): Logger;
}

export interface LoggerOptions {
  /** Where each line goes; by default WARNING and above to stderr, the rest to stdout, as Cloud Run reads both. */
  write?: (line: string, severity: Severity) => void;
  /** The project the trace ids belong to (Cloud Logging wants `projects/P/traces/T`); without it, no trace field. */
  project?: string;
  /** Entries below this severity are dropped (DEBUG only when asked). */
  minSeverity?: Severity;
}

const RANK: Record<Severity, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };

const writeToProcess = (line: string, severity: Severity) =>
  (RANK[severity] >= RANK.WARNING ? process.stderr : process.stdout).write(`${line}\n`);

/** An error described already, e.g. in an answer that names it (`{ name, message }`), is written as it is. */
function isDescribed(error: unknown): error is { name: string; message: string } {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return typeof name === 'string' && typeof message === 'string';
}

/** An error as a log field: what a person needs to act on it, never the whole object (it may hold a request). */
function errorField(error: unknown) {
  if (!(error instanceof Error)) {
    return isDescribed(error) ? { name: error.name, message: error.message } : { message: String(error) };
  }
  return {
    name: error.name,
    message: describeError(error),
    ...(error instanceof StockAnomaliesError && { retriable: error.retriable }),
  };
}

/**
 * Turns fields into plain JSON values: an Error in `error` becomes {@link errorField} (and, at ERROR, its stack
 * goes to `stack_trace`, where Error Reporting looks; CRITICAL too), bigints become strings.
 */
function entryFields(severity: Severity, fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = key === 'error' ? errorField(value) : typeof value === 'bigint' ? String(value) : value;
  }
  const { error } = fields;
  if (RANK[severity] >= RANK.ERROR && error instanceof Error && error.stack !== undefined)
    out.stack_trace = error.stack;
  return out;
}

export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  return childLogger(component, options, {});
}

function childLogger(component: string, options: LoggerOptions, context: LogContext): Logger {
  const write = options.write ?? writeToProcess;
  const min = RANK[options.minSeverity ?? 'INFO'];
  const labels = { component, ...context.labels };
  const { trace } = context;
  const traceFields =
    trace === undefined || options.project === undefined
      ? {}
      : {
          'logging.googleapis.com/trace': `projects/${options.project}/traces/${trace.traceId}`,
          ...(trace.spanId !== undefined && { 'logging.googleapis.com/spanId': trace.spanId }),
          'logging.googleapis.com/trace_sampled': trace.sampled,
        };
  const log = (severity: Severity, message: string, fields: LogFields = {}) => {
    if (RANK[severity] < min) return;
    const entry = {
      severity,
      message,
      component,
      ...entryFields(severity, { ...context.fields, ...fields }),
      'logging.googleapis.com/labels': labels,
      ...traceFields,
    };
    write(JSON.stringify(entry), severity);
  };
  return {
    debug: (message, fields) => log('DEBUG', message, fields),
    info: (message, fields) => log('INFO', message, fields),
    warn: (message, fields) => log('WARNING', message, fields),
    error: (message, fields) => log('ERROR', message, fields),
    critical: (message, fields) => log('CRITICAL', message, fields),
    with: (more) =>
      childLogger(component, options, {
        labels: { ...context.labels, ...more.labels },
        trace: more.trace ?? context.trace,
        fields: { ...context.fields, ...more.fields },
      }),
  };
}
