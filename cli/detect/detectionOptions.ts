/**
 * The detection settings of the commands that run the rules on local files (`detect`, `calibrate`), from their
 * options and the environment, each mistake a usage error naming the setting.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../shared/config/variables.js';
import {
  compileParameters,
  DEFAULT_PARAMETERS,
  ParameterError,
  type DetectionConfig,
} from '../../shared/core/detectionParameters.js';
import {
  NO_PEER_GROUPS,
  parsePeerGroups,
  PeerGroupsError,
  type PeerGroups,
} from '../../shared/core/suspicion/peerGroups.js';
import { UsageError } from '../usageError.js';

/**
 * Adds the options both commands take the same way: A2's window, the episode gap, the lateness horizon, and the
 * suspicion score's peer groups.
 */
export function withDetectionOptions(command: Command): Command {
  return command
    .option('--window <minutes>', 'A2: minutes of history averaged', String(DEFAULT_PARAMETERS.windowMinutes))
    .option(
      '--episode-gap <minutes>',
      'episodes: most minutes between two alerts of one episode',
      String(DEFAULT_PARAMETERS.episodeGapMinutes),
    )
    .option(
      '--lateness-horizon <days>',
      "a bar more days than this before its symbol's latest minute is too late to detect",
      String(DEFAULT_PARAMETERS.latenessHorizonDays),
    )
    .option(
      '--peer-groups <file>',
      "suspicion score: each symbol's peers, a group a line: name=SYMBOL,SYMBOL,… (default: the whole market)",
    );
}

/** @throws UsageError naming the file, and what is wrong with it */
export async function readPeerGroups(file: string | undefined): Promise<PeerGroups> {
  if (file === undefined) return NO_PEER_GROUPS;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--peer-groups ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    return parsePeerGroups(text);
  } catch (error) {
    if (error instanceof PeerGroupsError) throw new UsageError(`--peer-groups ${file}: ${error.message}`);
    throw error;
  }
}

/** The options, as given on the command line. */
export interface DetectionOptions {
  timezone: string;
  /** Thresholds as fractions (0.005 is 0.5%), decimal text. */
  a1: string;
  a2: string;
  window: string;
  episodeGap: string;
  latenessHorizon: string;
  /** The peer groups' file (--peer-groups). */
  peerGroups?: string;
}

function wholeMinutes(what: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`${what} must be a whole number of minutes ≥ 1, got '${text}'`);
  }
  return Number(text);
}

export function wholeNumber(what: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new UsageError(`${what} must be a whole number ≥ 1, got '${text}'`);
  }
  return Number(text);
}

/** @throws UsageError naming the setting at fault */
export function compileOptions(options: DetectionOptions): DetectionConfig {
  const windowMinutes = wholeMinutes('window', options.window);
  const episodeGapMinutes = wholeMinutes('episode gap', options.episodeGap);
  const latenessHorizonDays = wholeNumber('lateness horizon', options.latenessHorizon);
  try {
    return compileParameters({
      a1: options.a1,
      a2: options.a2,
      windowMinutes,
      episodeGapMinutes,
      latenessHorizonDays,
      timezone: options.timezone,
    });
  } catch (error) {
    if (error instanceof ParameterError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The pipeline's ingest settings, from the same variables and with the same defaults, so that an object ingest
 * would reject the command rejects too, and a bar ingest would set aside as `future` the command does too.
 */
export function fromEnv<T>(read: (env: NodeJS.ProcessEnv) => T, env: NodeJS.ProcessEnv): T {
  try {
    return read(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
