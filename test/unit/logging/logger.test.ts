import { describe, expect, it } from 'vitest';
import { FinalError, UnavailableError } from '../../../shared/errors.js';
import { createLogger, type LoggerOptions } from '../../../shared/logging/logger.js';

function capture(options: Omit<LoggerOptions, 'write'> = {}) {
  const lines: Array<{ entry: Record<string, unknown>; severity: string }> = [];
  const write = (line: string, severity: string) => lines.push({ entry: JSON.parse(line), severity });
  return { lines, options: { ...options, write } };
}

describe('createLogger', () => {
  it('writes one Cloud Logging JSON entry a call: severity, message, component and its label', () => {
    const { lines, options } = capture();
    createLogger('notify', options).info('alerts written', { count: 3 });
    expect(lines).toEqual([
      {
        severity: 'INFO',
        entry: {
          severity: 'INFO',
          message: 'alerts written',
          component: 'notify',
          count: 3,
          'logging.googleapis.com/labels': { component: 'notify' },
        },
      },
    ]);
  });

  it('gives a child the labels and fields of its delivery, and the trace of its project', () => {
    const { lines, options } = capture({ project: 'p1' });
    const delivery = createLogger('detect', options).with({
      labels: { event: 'partition:3/offset:7' },
      fields: { symbol: 'ACME' },
      trace: { traceId: 'a'.repeat(32), spanId: '00000000000000ff', sampled: true },
    });
    delivery.warn('state conflict', { attempt: 2 });
    expect(lines[0]!.entry).toEqual({
      severity: 'WARNING',
      message: 'state conflict',
      component: 'detect',
      symbol: 'ACME',
      attempt: 2,
      'logging.googleapis.com/labels': { component: 'detect', event: 'partition:3/offset:7' },
      'logging.googleapis.com/trace': `projects/p1/traces/${'a'.repeat(32)}`,
      'logging.googleapis.com/spanId': '00000000000000ff',
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  it('writes no trace field without a project, since Cloud Logging wants projects/P/traces/T', () => {
    const { lines, options } = capture();
    createLogger('console', options)
      .with({ trace: { traceId: 'b'.repeat(32), sampled: false } })
      .info('listening');
    expect(Object.keys(lines[0]!.entry).filter((key) => key.includes('trace'))).toEqual([]);
  });

  it('writes an error as its name, message and whether a retry can help; at ERROR its stack for Error Reporting', () => {
    const { lines, options } = capture();
    const log = createLogger('ingest', options);
    log.warn('will retry', { error: new UnavailableError('Kafka', 'broker down') });
    log.error('rejected', { error: new FinalError('not a CSV') });
    expect(lines[0]!.entry.error).toEqual({
      name: 'UnavailableError',
      message: 'UnavailableError: Kafka: broker down',
      retriable: true,
    });
    expect(lines[0]!.entry.stack_trace).toBeUndefined();
    expect(lines[1]!.entry.error).toEqual({
      name: 'FinalError',
      message: 'FinalError: not a CSV',
      retriable: false,
    });
    expect(lines[1]!.entry.stack_trace).toMatch(/^FinalError: not a CSV\n\s+at /);
  });

  it('writes an error described already ({ name, message }) as it is, and anything else as its text', () => {
    const { lines, options } = capture();
    const log = createLogger('detect', options);
    log.warn('record to be retried', { error: { name: 'UnavailableError', message: 'Firestore: down' } });
    log.warn('kafkajs', { error: 'Connection timeout' });
    expect(lines.map((line) => line.entry.error)).toEqual([
      { name: 'UnavailableError', message: 'Firestore: down' },
      { message: 'Connection timeout' },
    ]);
  });

  it('writes CRITICAL, the last word of a process ending itself, with its error and stack like ERROR', () => {
    const { lines, options } = capture({ minSeverity: 'CRITICAL' });
    const log = createLogger('dispatcher', options);
    log.error('dropped: below the minimum');
    log.critical('consumer crashed', { error: new TypeError('x is undefined') });
    expect(lines.map((line) => line.severity)).toEqual(['CRITICAL']);
    expect(lines[0]!.entry).toMatchObject({
      severity: 'CRITICAL',
      message: 'consumer crashed',
      error: { name: 'TypeError', message: 'programming error: TypeError: x is undefined' },
    });
    expect(lines[0]!.entry.stack_trace).toMatch(/^TypeError: x is undefined\n\s+at /);
  });

  it('drops DEBUG unless asked, and tells the writer the severity (WARNING and above go to stderr)', () => {
    const quiet = capture();
    createLogger('dispatcher', quiet.options).debug('fetched');
    expect(quiet.lines).toEqual([]);
    const verbose = capture({ minSeverity: 'DEBUG' });
    const log = createLogger('dispatcher', verbose.options);
    log.debug('fetched');
    log.error('gave up');
    expect(verbose.lines.map((line) => line.severity)).toEqual(['DEBUG', 'ERROR']);
  });

  it('keeps a parent unchanged when a child adds labels, and lets the child override a label', () => {
    const { lines, options } = capture();
    const parent = createLogger('detect', options).with({ labels: { event: 'e1' } });
    parent.with({ labels: { event: 'e2', symbol: 'X' } }).info('child');
    parent.info('parent');
    expect(lines.map((line) => line.entry['logging.googleapis.com/labels'])).toEqual([
      { component: 'detect', event: 'e2', symbol: 'X' },
      { component: 'detect', event: 'e1' },
    ]);
  });
});
