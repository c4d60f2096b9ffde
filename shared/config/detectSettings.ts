/** detect's settings, read once when an instance starts (see variables.ts for the names and defaults). */
import type { DetectionConfig } from '../core/detectionParameters.js';
import { detectionConfigFromEnv } from './detectionParameterSettings.js';
import { escalationSettings, type EscalationSettings } from './escalationSettings.js';
import { parsePeerGroups, PeerGroupsError, type PeerGroups } from '../core/suspicion/peerGroups.js';
import { ConfigError, readVariable } from './variables.js';

export interface DetectSettings {
  anomaliesTopic: string;
  stateCollection: string;
  ingestionsCollection: string;
  /** Where detect keeps each symbol's episodes and its bars by day (docs/records.md). */
  episodesCollection: string;
  barsCollection: string;
  detection: DetectionConfig;
  /** When an episode is escalated (ESCALATION_SCORE), and where to (ESCALATIONS_TOPIC). */
  escalation: EscalationSettings;
  /** Who is whose peer, for the suspicion score's market (PEER_GROUPS). */
  peerGroups: PeerGroups;
}

/** @throws ConfigError naming the variable that is malformed and what it expects */
export function detectSettings(env: NodeJS.ProcessEnv): DetectSettings {
  return {
    anomaliesTopic: readVariable('ANOMALIES_TOPIC', env),
    stateCollection: readVariable('STATE_COLLECTION', env),
    ingestionsCollection: readVariable('INGESTIONS_COLLECTION', env),
    episodesCollection: readVariable('EPISODES_COLLECTION', env),
    barsCollection: readVariable('BARS_COLLECTION', env),
    detection: detectionConfigFromEnv(env),
    escalation: escalationSettings(env),
    peerGroups: readPeerGroups(env),
  };
}

function readPeerGroups(env: NodeJS.ProcessEnv): PeerGroups {
  try {
    return parsePeerGroups(readVariable('PEER_GROUPS', env));
  } catch (error) {
    if (error instanceof PeerGroupsError) throw new ConfigError(`PEER_GROUPS: ${error.message}`);
    throw error;
  }
}
