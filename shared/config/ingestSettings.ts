/**
 * ingest's settings, read and checked once when an instance starts: a bad value stops the instance at once,
 * naming the variable, instead of failing (and being redelivered) event after event. Names and defaults are in
 * the registry (variables.ts).
 */
import { ParameterError, type DetectionConfig } from '../core/detectionParameters.js';
import type { IngestLimits } from '../core/ingestLimits.js';
import type { ObjectPrefixes } from '../pipeline/objectFilter.js';
import { detectionConfigFromEnv } from './detectionParameterSettings.js';
import { kafkaSettings, type KafkaSettings } from './kafkaSettings.js';
import {
  ConfigError,
  readNonNegativeInt,
  readPositiveInt,
  readVariable,
  type VariableName,
} from './variables.js';

export interface IngestSettings extends ObjectPrefixes {
  uploadPrefix: string;
  quarantinePrefix: string;
  kafkaTopic: string;
  kafka: KafkaSettings;
  /** Most minutes of one symbol in one Kafka message. */
  batchMinutes: number;
  /** How long a claim on an ingestion holds without renewal (see the ingestion store). */
  leaseMs: number;
  /** Past any of these an object is rejected whole. */
  limits: IngestLimits;
  /** How far past the reader's clock a bar's minute may lie (contract §1, `future`). */
  futureSkewMinutes: number;
  ingestionsCollection: string;
  detection: DetectionConfig;
}

/** @throws ConfigError naming the first malformed variable and what it expects */
export function ingestSettings(env: NodeJS.ProcessEnv): IngestSettings {
  return {
    uploadPrefix: readVariable('UPLOAD_PREFIX', env),
    quarantinePrefix: readVariable('QUARANTINE_PREFIX', env),
    kafkaTopic: kafkaTopic('KAFKA_TOPIC', env),
    kafka: kafka(env),
    batchMinutes: readPositiveInt('BATCH_MINUTES', env),
    leaseMs: readPositiveInt('INGEST_LEASE_MS', env),
    limits: ingestLimitsFromEnv(env),
    futureSkewMinutes: futureSkewMinutesFromEnv(env),
    ingestionsCollection: collectionId('INGESTIONS_COLLECTION', env),
    detection: detection(env),
  };
}

/**
 * The ingest limits (shared/core/ingestLimits.ts). ingest and the `detect` command both read them from here,
 * with the registry's defaults, so that an object one of them rejects the other rejects too.
 * @throws ConfigError naming the first variable that is not a positive integer
 */
export function ingestLimitsFromEnv(env: NodeJS.ProcessEnv): IngestLimits {
  return {
    maxLineBytes: readPositiveInt('MAX_LINE_BYTES', env),
    maxObjectBytes: readPositiveInt('MAX_OBJECT_BYTES', env),
    maxRows: readPositiveInt('MAX_ROWS_PER_OBJECT', env),
    maxSymbols: readPositiveInt('MAX_SYMBOLS_PER_OBJECT', env),
    maxSetAside: readPositiveInt('MAX_SET_ASIDE_ROWS', env),
  };
}

/**
 * FUTURE_SKEW_MINUTES: how many minutes past the reader's clock a bar may lie (contract §1, `future`). ingest
 * and the `detect` command both read it from here, so that a bar one of them sets aside the other does too.
 * @throws ConfigError when it is not a whole number
 */
export function futureSkewMinutesFromEnv(env: NodeJS.ProcessEnv): number {
  return readNonNegativeInt('FUTURE_SKEW_MINUTES', env);
}

/** Kafka's own rule for topic names. */
function kafkaTopic(name: VariableName, env: NodeJS.ProcessEnv): string {
  const text = readVariable(name, env);
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text) || text === '.' || text === '..') {
    throw new ConfigError(
      `${name} must be a Kafka topic name (at most 249 letters, digits, '.', '_' or '-'), got '${text}'`,
    );
  }
  return text;
}

/** Firestore's rule for a collection id (a path with a '/' would name a subcollection). */
function collectionId(name: VariableName, env: NodeJS.ProcessEnv): string {
  const text = readVariable(name, env);
  if (text.includes('/') || text === '.' || text === '..' || /^__.*__$/.test(text)) {
    throw new ConfigError(
      `${name} must be a Firestore collection id (no '/', not '.', '..' or __name__), got '${text}'`,
    );
  }
  return text;
}

function kafka(env: NodeJS.ProcessEnv): KafkaSettings {
  const ssl = readVariable('KAFKA_SSL', env);
  // kafkaSettings takes anything but 'true' as false: a typo would silently connect without TLS.
  if (ssl !== 'true' && ssl !== 'false')
    throw new ConfigError(`KAFKA_SSL must be true or false, got '${ssl}'`);
  const brokers = readVariable('KAFKA_BROKERS', env);
  const listed = brokers.split(',').map((broker) => broker.trim());
  if (listed.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker))) {
    throw new ConfigError(`KAFKA_BROKERS must be host:port[,host:port...], got '${brokers}'`);
  }
  return kafkaSettings(env);
}

/** The detection settings name their own fields (a1, time zone); a person needs the variable. */
const DETECTION_VARIABLES: Array<[prefix: string, variable: VariableName]> = [
  ['a1 ', 'A1_THRESHOLD'],
  ['a2 ', 'A2_THRESHOLD'],
  ['window ', 'WINDOW_MINUTES'],
  ['episode gap ', 'EPISODE_GAP_MINUTES'],
  ['lateness horizon ', 'LATENESS_HORIZON_DAYS'],
  ['unknown time zone', 'EXCHANGE_TIMEZONE'],
];

function detection(env: NodeJS.ProcessEnv): DetectionConfig {
  try {
    return detectionConfigFromEnv(env);
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    const variable = DETECTION_VARIABLES.find(([prefix]) => error.message.startsWith(prefix))?.[1];
    throw new ConfigError(`${variable ?? 'detection settings'}: ${error.message}`, { cause: error });
  }
}
