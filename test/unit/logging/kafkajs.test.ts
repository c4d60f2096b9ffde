import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from '../../../shared/logging/kafkajs.js';
import { createLogger } from '../../../shared/logging/logger.js';

function kafkaWithCapture(level: logLevel) {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('dispatcher', { write: (line) => lines.push(JSON.parse(line)) });
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: level, logCreator: kafkaLogCreator(log) });
  return { lines, kafka };
}

describe('kafkaLogCreator', () => {
  it("writes kafkajs's lines as the component's entries: its level as the severity, its namespace and fields", () => {
    const { lines, kafka } = kafkaWithCapture(logLevel.INFO);
    kafka.logger().namespace('Connection').warn('Connection timeout', { broker: 'b1:9092', retryCount: 2 });
    kafka.logger().error('Crash', { error: 'broker down' });
    expect(lines).toStrictEqual([
      {
        severity: 'WARNING',
        message: 'Connection timeout',
        component: 'dispatcher',
        kafkajs: 'Connection',
        broker: 'b1:9092',
        retryCount: 2,
        'logging.googleapis.com/labels': { component: 'dispatcher' },
      },
      {
        severity: 'ERROR',
        message: 'Crash',
        component: 'dispatcher',
        error: { message: 'broker down' },
        'logging.googleapis.com/labels': { component: 'dispatcher' },
      },
    ]);
  });

  it("leaves to kafkajs's own logLevel what it writes", () => {
    const { lines, kafka } = kafkaWithCapture(logLevel.WARN);
    kafka.logger().info('Starting');
    expect(lines).toEqual([]);
  });
});
