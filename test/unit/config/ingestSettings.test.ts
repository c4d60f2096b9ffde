/** ingest's settings: what an operator gets by default, by setting a variable, and for a malformed one. */
import { describe, expect, it } from 'vitest';
import { ingestSettings } from '../../../shared/config/ingestSettings.js';
import { ConfigError } from '../../../shared/config/variables.js';
import { classify, FinalError } from '../../../shared/errors.js';

describe('ingestSettings', () => {
  it('defaults to the local stack', () => {
    const settings = ingestSettings({});
    expect(settings).toMatchObject({
      uploadPrefix: '',
      quarantinePrefix: 'quarantine/',
      kafkaTopic: 'minute-bars',
      batchMinutes: 1875,
      ingestionsCollection: 'ingestions',
      limits: {
        maxLineBytes: 65536,
        maxObjectBytes: 1073741824,
        maxRows: 18000000,
        maxSymbols: 10000,
        maxSetAside: 1000000,
      },
    });
    expect(settings.kafka).toMatchObject({
      clientId: 'stock-anomalies',
      brokers: ['127.0.0.1:9092'],
      ssl: false,
    });
    expect(settings.kafka.sasl).toBeUndefined();
    expect(settings.detection.parameters).toEqual({
      a1: '0.005',
      a2: '0.02',
      windowMinutes: 10,
      episodeGapMinutes: 5,
      latenessHorizonDays: 7,
      timezone: 'Asia/Kolkata',
    });
  });

  it('takes every variable from the environment', () => {
    const settings = ingestSettings({
      UPLOAD_PREFIX: 'incoming/',
      QUARANTINE_PREFIX: 'incoming-quarantine/',
      KAFKA_TOPIC: 'bars.v2',
      KAFKA_BROKERS: 'b1.example:9092, b2.example:9093',
      KAFKA_CLIENT_ID: 'ingest-eu',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'user',
      KAFKA_SASL_PASSWORD: 'secret',
      BATCH_MINUTES: '60',
      MAX_LINE_BYTES: '1024',
      MAX_OBJECT_BYTES: '1000000',
      MAX_ROWS_PER_OBJECT: '5000',
      MAX_SYMBOLS_PER_OBJECT: '3',
      INGESTIONS_COLLECTION: 'ingestions-eu',
      EXCHANGE_TIMEZONE: 'UTC',
      A1_THRESHOLD: '0.01',
      A2_THRESHOLD: '0.5',
      WINDOW_MINUTES: '30',
    });
    expect(settings).toMatchObject({
      uploadPrefix: 'incoming/',
      quarantinePrefix: 'incoming-quarantine/',
      kafkaTopic: 'bars.v2',
      batchMinutes: 60,
      ingestionsCollection: 'ingestions-eu',
      limits: {
        maxLineBytes: 1024,
        maxObjectBytes: 1000000,
        maxRows: 5000,
        maxSymbols: 3,
        maxSetAside: 1000000,
      },
    });
    expect(settings.kafka).toMatchObject({
      clientId: 'ingest-eu',
      brokers: ['b1.example:9092', 'b2.example:9093'],
      ssl: true,
      sasl: { mechanism: 'plain', username: 'user', password: 'secret' },
    });
    expect(settings.detection.parameters).toEqual({
      a1: '0.01',
      a2: '0.5',
      windowMinutes: 30,
      episodeGapMinutes: 5,
      latenessHorizonDays: 7,
      timezone: 'UTC',
    });
    // The zone is the one given: 00:00 and 23:59 UTC of one date are one local day in UTC, two in Kolkata.
    expect(settings.detection.zone.localDay(Date.parse('2017-01-02T23:59:00Z') / 60_000)).toBe(
      settings.detection.zone.localDay(Date.parse('2017-01-02T00:00:00Z') / 60_000),
    );
  });

  it.each([
    ['BATCH_MINUTES', '0', "BATCH_MINUTES must be a positive integer, got '0'"],
    ['BATCH_MINUTES', '1.5', "BATCH_MINUTES must be a positive integer, got '1.5'"],
    ['MAX_LINE_BYTES', '64k', "MAX_LINE_BYTES must be a positive integer, got '64k'"],
    ['MAX_LINE_BYTES', '0', "MAX_LINE_BYTES must be a positive integer, got '0'"],
    ['MAX_LINE_BYTES', '1e3', "MAX_LINE_BYTES must be a positive integer, got '1e3'"],
    ['MAX_LINE_BYTES', '0x10', "MAX_LINE_BYTES must be a positive integer, got '0x10'"],
    [
      'MAX_OBJECT_BYTES',
      '9007199254740993',
      "MAX_OBJECT_BYTES must be a positive integer, got '9007199254740993'",
    ],
    ['MAX_OBJECT_BYTES', '-1', "MAX_OBJECT_BYTES must be a positive integer, got '-1'"],
    ['MAX_OBJECT_BYTES', '1.5GiB', "MAX_OBJECT_BYTES must be a positive integer, got '1.5GiB'"],
    ['MAX_ROWS_PER_OBJECT', '2.5', "MAX_ROWS_PER_OBJECT must be a positive integer, got '2.5'"],
    ['MAX_ROWS_PER_OBJECT', 'none', "MAX_ROWS_PER_OBJECT must be a positive integer, got 'none'"],
    ['MAX_SYMBOLS_PER_OBJECT', '0', "MAX_SYMBOLS_PER_OBJECT must be a positive integer, got '0'"],
    ['MAX_SYMBOLS_PER_OBJECT', 'many', "MAX_SYMBOLS_PER_OBJECT must be a positive integer, got 'many'"],
    [
      'KAFKA_TOPIC',
      'minute bars',
      "KAFKA_TOPIC must be a Kafka topic name (at most 249 letters, digits, '.', '_' or '-'), got 'minute bars'",
    ],
    ['KAFKA_BROKERS', '127.0.0.1', "KAFKA_BROKERS must be host:port[,host:port...], got '127.0.0.1'"],
    ['KAFKA_BROKERS', 'a:9092,', "KAFKA_BROKERS must be host:port[,host:port...], got 'a:9092,'"],
    ['KAFKA_SSL', 'yes', "KAFKA_SSL must be true or false, got 'yes'"],
    ['KAFKA_SASL_MECHANISM', 'scram', "KAFKA_SASL_MECHANISM must be none, plain or oauthbearer, got 'scram'"],
    [
      'INGESTIONS_COLLECTION',
      'ingestions/eu',
      "INGESTIONS_COLLECTION must be a Firestore collection id (no '/', not '.', '..' or __name__), got 'ingestions/eu'",
    ],
    ['A1_THRESHOLD', 'half', "A1_THRESHOLD: a1 must be a non-negative decimal number, got 'half'"],
    ['A2_THRESHOLD', '-0.1', "A2_THRESHOLD: a2 must be a non-negative decimal number, got '-0.1'"],
    ['WINDOW_MINUTES', 'ten', "WINDOW_MINUTES must be a positive integer, got 'ten'"],
    [
      'EXCHANGE_TIMEZONE',
      'Mars/Base',
      "EXCHANGE_TIMEZONE: unknown time zone 'Mars/Base' (use an IANA name like Asia/Kolkata or UTC)",
    ],
  ])('rejects %s=%j with a final ConfigError naming it', (name, value, message) => {
    const error = (() => {
      try {
        ingestSettings({ [name]: value });
      } catch (thrown) {
        return thrown;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(FinalError);
    expect(classify(error)).toBe('final');
    expect((error as Error).message).toBe(message);
  });
});
