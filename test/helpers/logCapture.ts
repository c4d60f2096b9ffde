/** A component's logger for a test: it keeps each entry, parsed, instead of writing it to the process's output. */
import { createLogger, type Logger, type LoggerOptions } from '../../shared/logging/logger.js';

/** Where Cloud Logging reads an entry's labels: the event or record it is about. */
export const LABELS = 'logging.googleapis.com/labels';

export type LogEntry = Record<string, unknown> & { severity: string; message: string };

export function capturingLogger(
  component: string,
  options: Omit<LoggerOptions, 'write'> = {},
): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const write = (line: string) => void entries.push(JSON.parse(line) as LogEntry);
  return { logger: createLogger(component, { ...options, write }), entries };
}
