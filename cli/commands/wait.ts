/** `wait`: wait until everything dropped into the local stack has been ingested and its alerts written. */
import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import { countDeadLetters } from '../../shared/clients/deadLetterMessages.js';
import { readVariable } from '../../shared/config/variables.js';
import { formatAge } from '../../shared/core/age.js';
import { WaitingSince } from '../../shared/kafka/waitingSince.js';
import { ingestionId } from '../../shared/pipeline/documentIds.js';
import { SETTLED_STATUSES } from '../../shared/state/ingestionStore.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import type { CliContext } from '../context.js';
import { describeProblems, hasProblems, pipelineProblems } from '../pipelineProblems.js';
import { readConsumerLag, totalLag, type PartitionLag } from '../../shared/kafka/consumerLag.js';
import { stackPubSub, type StackPubSub } from '../stackPubSub.js';
import {
  clients,
  stackAlertStore,
  stackError,
  stackIngestionStore,
  stackScoreStore,
  stackStateStore,
  type StackClients,
} from '../stackClients.js';
import { UsageError } from '../usageError.js';
import { describeUndetected } from '../undetected.js';
import { hasUndetected, undetectedOf } from '../../shared/core/undetected.js';
import { readReports } from './reports.js';

/** `wait`'s exit code when everything settled but some bars were too late or rows set aside as future or symbol. */
export const UNDETECTED_EXIT = 3;

export function registerWaitCommand(program: Command, context: CliContext): void {
  program
    .command('wait')
    .description(
      'wait until every dropped object is ingested and every alert is written (exit 3: settled, but some bars ' +
        'too late or rows set aside as future or symbol)',
    )
    .option('--timeout <seconds>', 'give up after this long (exit 1)', '600')
    .action(async (options: { timeout: string }) => {
      const timeout = Number(options.timeout);
      if (!(timeout > 0))
        throw new UsageError(`--timeout must be a number of seconds, got '${options.timeout}'`);
      await waitForIdle(clients(context), timeout, context);
    });
}

/**
 * Polls until nothing is pending. Then, if records are parked on the dead-letter topic or symbols held behind
 * one, says which objects they belong to and sets exit code 1: those will not pass by waiting. Records that
 * expired unhandled and notify's dead letters stop it at once, as soon as a poll finds them, with exit code 1:
 * the alerts they hold will never come by themselves. On timeout, says what is still pending and sets exit
 * code 1. Once settled, names the objects with bars that will never be detected (too late, future, symbol)
 * and sets exit code 3, and the objects with late bars (detected).
 */
export async function waitForIdle(
  stack: StackClients,
  timeoutSeconds: number,
  context: CliContext,
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  const check = new IdleCheck(stack);
  try {
    for (;;) {
      const pending = await check.pending().catch((error: unknown) => {
        // A broker that has just started again answers "coordinator loading" for a few seconds: that passes.
        if ((error as { retriable?: unknown }).retriable === true) {
          return [`Kafka not answering yet (${(error as Error).message})`];
        }
        throw stackError(error);
      });
      if (pending.length === 0 || check.blocked) {
        const problems = await pipelineProblems(stack).catch((error) => {
          throw stackError(error);
        });
        if (hasProblems(problems)) {
          const lines = describeProblems(problems, readVariable('KAFKA_DEAD_LETTER_TOPIC', stack.env));
          context.stderr.write(`not every record became alerts:\n${lines.join('\n')}\n`);
          context.exitCode = 1;
          return false;
        }
        // Blocked a moment ago but not now (redriven meanwhile): keep waiting for what is pending.
        if (pending.length === 0) {
          context.stderr.write('all dropped objects ingested, all alerts written\n');
          const undetected = undetectedOf(await readReports(stack));
          const told = describeUndetected(undetected);
          if (told.length > 0) context.stderr.write(`${told.join('\n')}\n`);
          if (hasUndetected(undetected)) {
            // Settled, but not everything sent was detected: a script must not take that for success.
            context.exitCode = UNDETECTED_EXIT;
            return false;
          }
          return true;
        }
      }
      const line = pending.join('; ');
      if (Date.now() > deadline) {
        const waiting = check.waiting.map((entry) => `  ${entry}\n`).join('');
        context.stderr.write(`timed out after ${timeoutSeconds} s; still pending: ${line}\n${waiting}`);
        context.exitCode = 1;
        return false;
      }
      if (line !== last && context.stderr.isTTY) context.stderr.write(`waiting: ${line}\n`);
      last = line;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await check.close();
  }
}

/**
 * One poll of `wait`: what is not finished yet, in words, empty when the pipeline is idle with everything
 * delivered. Every poll reads the bucket's listing, the objects' ingestions, the bar topic's lag (and, while
 * records wait, how long the oldest has: shared/kafka/waitingSince.ts, a record read at most every
 * WAITING_SINCE_INTERVAL_MS), notify's dead letters and, per symbol, the state's and the tally's alert counts:
 * no read grows with the alerts. The Kafka admin connection is kept for every poll: a fresh one's first read
 * costs some 300 ms (metadata, a connection per broker), later ones about 10 ms; a failed read drops it, so
 * that a broker restarted meanwhile is met afresh.
 */
export class IdleCheck {
  #admin: Admin | undefined;
  #pubsub: StackPubSub | undefined;
  readonly #waitingSince: WaitingSince;
  /**
   * Whether the last poll found what no waiting resolves: records of the bar topic expired unhandled, or
   * alert messages dead-lettered by notify's subscription.
   */
  blocked = false;
  /** Per partition with lag at the last poll, what waits there and since when (waitingLines). */
  waiting: string[] = [];

  constructor(private readonly stack: StackClients) {
    this.#waitingSince = new WaitingSince(stack.kafka, readVariable('KAFKA_TOPIC', stack.env), {
      minIntervalMs: WAITING_SINCE_INTERVAL_MS,
    });
  }

  async pending(): Promise<string[]> {
    const { stack } = this;
    const pending: string[] = [];
    const [files] = await stack.storage.bucket(stack.bucket).getFiles();
    const objects = files.filter(
      (file) =>
        skipReason(file.name, {
          uploadPrefix: readVariable('UPLOAD_PREFIX', stack.env),
          quarantinePrefix: readVariable('QUARANTINE_PREFIX', stack.env),
        }) === undefined,
    );
    const statuses = await stackIngestionStore(stack).statuses(
      objects.map((file) => ingestionId(file.name, String(file.metadata.generation))),
    );
    const unfinished = [...statuses.values()].filter(
      (status) => status === undefined || !SETTLED_STATUSES.includes(status),
    );
    if (unfinished.length > 0)
      pending.push(`${unfinished.length} of ${objects.length} objects not ingested yet`);

    const lags = await this.#lags();
    const lag = totalLag(lags);
    if (lag > 0) pending.push(`${lag} Kafka records not yet detected${await this.#oldestWaiting(lags)}`);
    this.#pubsub ??= stackPubSub(stack);
    const notify = await countDeadLetters(this.#pubsub.pubsub, this.#pubsub.deadLetterSubscription);
    this.blocked = lags.some((entry) => entry.expired > 0) || notify.count > 0;

    const [states, tallies] = await Promise.all([
      stackStateStore(stack).summaries(),
      stackAlertStore(stack).writtenBySymbol(),
    ]);
    const { detected, written, behind } = alertsBehind(states, tallies);
    if (behind > 0) pending.push(`${written} of ${detected} alerts written (${behind} symbols behind)`);
    // The scores settle once detect has caught up (contract §6): wait for them too, at most a page read.
    const unsettled = await stackScoreStore(stack).unsettledDays(100);
    if (unsettled > 0)
      pending.push(`${unsettled === 100 ? '100+' : unsettled} days of bars with scores not yet settled`);
    return pending;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.disconnect().catch(() => undefined);
    const pubsub = this.#pubsub;
    this.#pubsub = undefined;
    await pubsub?.pubsub.close().catch(() => undefined);
  }

  async #lags(): Promise<PartitionLag[]> {
    if (this.#admin === undefined) {
      const admin = this.stack.kafka.admin();
      await admin.connect();
      this.#admin = admin;
    }
    try {
      return await readConsumerLag(
        this.#admin,
        readVariable('KAFKA_TOPIC', this.stack.env),
        readVariable('KAFKA_GROUP_ID', this.stack.env),
      );
    } catch (error) {
      const admin = this.#admin;
      this.#admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** `, the oldest waiting 3 min` (the oldest waiting record's age), or '' while it is not known. */
  async #oldestWaiting(lags: readonly PartitionLag[]): Promise<string> {
    // Only a hint on a progress line: a failed read says nothing, and is tried again at its interval.
    const times = await this.#waitingSince.of(lags).catch(() => new Map<number, number | null>());
    this.waiting = waitingLines(lags, times, Date.now());
    const known = [...times.values()].filter((time): time is number => time !== null);
    return known.length === 0 ? '' : `, the oldest waiting ${formatAge(Date.now() - Math.min(...known))}`;
  }
}

/**
 * One line per partition with lag: `partition 3: 12 records, the oldest waiting 2 h 5 min` (without the age
 * while it is not known).
 */
export function waitingLines(
  lags: readonly PartitionLag[],
  times: ReadonlyMap<number, number | null>,
  now: number,
): string[] {
  return lags
    .filter((lag) => lag.lag > 0)
    .map((lag) => {
      const since = times.get(lag.partition);
      const age =
        since === undefined || since === null ? '' : `, the oldest waiting ${formatAge(now - since)}`;
      return `partition ${lag.partition}: ${lag.lag} record${lag.lag === 1 ? '' : 's'}${age}`;
    });
}

/** How often `wait` may read a waiting record again to tell its age (a throwaway consumer group's join). */
const WAITING_SINCE_INTERVAL_MS = 10_000;

/**
 * Symbol by symbol, the alerts detect counted in its state against those notify counted in its tally: a
 * symbol is behind while fewer are written. More written than detected is not waited on: an alert published
 * twice in differently cut messages (a crash between publishing and committing, then another split of the
 * object) is counted twice, but it is there.
 */
export function alertsBehind(
  states: readonly { symbol: string; alertCount: number }[],
  tallies: ReadonlyMap<string, number>,
): { detected: number; written: number; behind: number } {
  let detected = 0;
  let written = 0;
  let behind = 0;
  for (const { symbol, alertCount } of states) {
    const tally = tallies.get(symbol) ?? 0;
    detected += alertCount;
    written += Math.min(tally, alertCount);
    if (tally < alertCount) behind++;
  }
  return { detected, written, behind };
}

/** Records of the bar topic the dispatcher's group has not committed yet (over `admin`, else a connection of its own). */
export async function kafkaLag(stack: StackClients, admin?: Admin): Promise<number> {
  const own = admin === undefined ? stack.kafka.admin() : undefined;
  await own?.connect();
  try {
    const lags = await readConsumerLag(
      (admin ?? own)!,
      readVariable('KAFKA_TOPIC', stack.env),
      readVariable('KAFKA_GROUP_ID', stack.env),
    );
    return totalLag(lags);
  } finally {
    await own?.disconnect();
  }
}
