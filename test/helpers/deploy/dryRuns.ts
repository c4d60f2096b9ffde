/**
 * The dry runs the deploy tests read: three deploy configurations and two teardowns. Each test file runs the
 * ones it needs once, in parallel, in its beforeAll.
 */
import { PROJECT, runDeploy, type ScriptRun } from './script.js';

/** The Google group of the analysts who may open the console (deploy.sh --console-group). */
export const CONSOLE_GROUP = 'anomaly-analysts@example.com';
export const CONSOLE_SERVICE = 'stock-anomalies-console';

const EXISTING_KAFKA = [
  '--kafka-bootstrap=broker-1.example.com:9093,broker-2.example.com:9093',
  '--kafka-sasl=plain',
  '--kafka-username=svc-anomalies',
];

export const CONFIGURATIONS = {
  /** The default: Managed Service for Apache Kafka. */
  managed: ['--dry-run', `--project=${PROJECT}`, `--console-group=${CONSOLE_GROUP}`],
  /** An existing cluster with SASL/PLAIN, plus the other options that change the command list. */
  existing: [
    '--dry-run',
    `--project=${PROJECT}`,
    ...EXISTING_KAFKA,
    '--alert-ttl-days=30',
    '--partitions=12',
    '--dispatcher-instances=3',
    '--set=A1_THRESHOLD=0.01',
    '--set=MAX_OBJECT_BYTES=4294967296',
    `--console-group=${CONSOLE_GROUP}`,
  ],
  /** An existing cluster reachable from the internet: no VPC at all; and no --console-group. */
  internet: ['--dry-run', `--project=${PROJECT}`, ...EXISTING_KAFKA, '--no-vpc'],
  teardown: ['--dry-run', `--project=${PROJECT}`, '--teardown', '--delete-data'],
  teardownExisting: ['--dry-run', `--project=${PROJECT}`, '--teardown', ...EXISTING_KAFKA],
};
export type Configuration = keyof typeof CONFIGURATIONS;

export interface DryRuns {
  /** Only the configurations asked for are filled in. */
  runs: Record<Configuration, ScriptRun>;
  /** How long they took together. */
  seconds: number;
}

/** Runs the given configurations in parallel (all of them by default). */
export async function dryRuns(
  names: readonly Configuration[] = Object.keys(CONFIGURATIONS) as Configuration[],
): Promise<DryRuns> {
  const started = Date.now();
  const results = await Promise.all(
    names.map(async (name) => [name, await runDeploy(CONFIGURATIONS[name])] as const),
  );
  const runs = {} as Record<Configuration, ScriptRun>;
  for (const [name, run] of results) runs[name] = run;
  return { runs, seconds: (Date.now() - started) / 1000 };
}
