/**
 * A component's log line as a person reads it: the components write Cloud Logging's JSON, one entry a line
 * (shared/logging/logger.ts), which is made for a machine; `stock-anomalies stack logs` prints each entry as
 * one line of time (when the entry has one), severity, component, message, then its labels and other fields as
 * `key=value`. A line that is not such an entry (Kafka's own, functions-framework's) is printed as it is.
 * Pure: no I/O.
 */

/** Where Cloud Logging's special fields sit; they are printed without it (`trace=`, `spanId=`). */
const GOOGLE_PREFIX = 'logging.googleapis.com/';
const LABELS = `${GOOGLE_PREFIX}labels`;
/** Printed in the line's first columns, not again as fields. */
const HEAD = new Set(['severity', 'message', 'component', 'time', 'timestamp']);
/** The widest severity, CRITICAL: the messages start in one column. */
const SEVERITY_WIDTH = 8;

/** A value as `key=value` shows it: bare when it is one plain word, else quoted as JSON (escapes included). */
function valueText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=\\\p{Cc}]+$/u.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

/** An object's fields as `key=value`, nested objects flattened with dotted keys (`error.name=TypeError`). */
function pairs(key: string, value: unknown): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([inner, innerValue]) => pairs(`${key}.${inner}`, innerValue));
  }
  return [`${key}=${valueText(value)}`];
}

/** A trace field's value without the project (`projects/P/traces/T` is T): the project is the stack's. */
function fieldPairs(key: string, value: unknown): string[] {
  if (!key.startsWith(GOOGLE_PREFIX)) return pairs(key, value);
  const name = key.slice(GOOGLE_PREFIX.length);
  return pairs(
    name,
    name === 'trace' && typeof value === 'string' ? value.replace(/^.*\/traces\//, '') : value,
  );
}

/** A string with its control characters (a newline in a message) escaped, so that the entry stays one line. */
const oneLine = (text: string) =>
  text.replace(/\p{Cc}/gu, (character) => JSON.stringify(character).slice(1, -1));

function parseEntry(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const entry = parsed as Record<string, unknown>;
    return typeof entry.message === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line of a log as a person reads it: `[TIME ]SEVERITY COMPONENT  MESSAGE  label=... field=...`, a stack
 * trace last. An entry without a severity is DEFAULT, as Cloud Logging calls it; labels come first, the
 * `component` label left out, as the line names the component already.
 */
export function formatLogLine(line: string): string {
  const entry = parseEntry(line);
  if (entry === undefined) return line;
  const time = entry.time ?? entry.timestamp;
  const severity = typeof entry.severity === 'string' ? entry.severity : 'DEFAULT';
  const head = [
    ...(typeof time === 'string' ? [time] : []),
    severity.padEnd(SEVERITY_WIDTH),
    ...(typeof entry.component === 'string' ? [entry.component] : []),
  ].join(' ');
  const labels = entry[LABELS];
  const labelPairs =
    labels !== null && typeof labels === 'object'
      ? Object.entries(labels).flatMap(([key, value]) =>
          key === 'component' && value === entry.component ? [] : pairs(key, value),
        )
      : [];
  const rest = Object.entries(entry).filter(([key]) => !HEAD.has(key) && key !== LABELS);
  // The stack last: long, and read only after the rest.
  rest.sort(([a], [b]) => Number(a === 'stack_trace') - Number(b === 'stack_trace'));
  const fields = [...labelPairs, ...rest.flatMap(([key, value]) => fieldPairs(key, value))];
  return [head, oneLine(entry.message as string), ...(fields.length > 0 ? [fields.join(' ')] : [])].join(
    '  ',
  );
}
