/**
 * kafkajs's own log lines (a broker unreachable, a rebalance, a request retried) through the component's
 * logger, so that a process writes one shape only: kafkajs would otherwise print its own JSON
 * (`level`, `logger`, `timestamp`), which Cloud Logging takes for severity-less text.
 */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger, Severity } from './logger.js';

const SEVERITY: Partial<Record<logLevel, Severity>> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARNING',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

const WRITE = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'critical',
} as const satisfies Record<Severity, keyof Logger>;

/**
 * A `logCreator` for `new Kafka({ ..., logCreator })`. kafkajs has already dropped what is below its own
 * `logLevel`; its namespace (Consumer, Connection, ...) becomes a field, and its `timestamp` and `logger`
 * fields are left out, as Cloud Logging stamps each entry itself and the component says who wrote it.
 */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const severity = SEVERITY[level] ?? 'INFO';
      log[WRITE[severity]](String(message), { ...(namespace && { kafkajs: namespace }), ...fields });
    };
}
