/**
 * `stock-anomalies stack up | down | status | logs`: the local stack (Kafka, Firestore and Pub/Sub emulators,
 * fake-gcs-server, plus any components registered by the caller). Progress goes to stderr; stdout gets only
 * `NAME=value` lines (and `#` comments), so `stack status > .env` or `eval "$(... stack status)"` work; and,
 * from `logs`, the components' log lines.
 */
import type { Command } from 'commander';

import type { ComponentFactory, StackContext, StackLog } from '../../stack/component.js';
import { createStackContext, stackComponents } from '../../stack/components.js';
import { stackGlobalEnvLines } from '../../stack/endpoints.js';
import { StackUpError, stackDown, stackStatus, stackUp } from '../../stack/orchestrate.js';
import { showStackLogs } from '../stackLogs.js';

export interface StackCommandOptions {
  /** Factories of the components started after the infrastructure (functions, router, dispatcher). */
  readonly extraComponents?: readonly ComponentFactory[];
  /** The environment the stack variables are read from; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where environment lines go; defaults to stdout. */
  readonly out?: (line: string) => void;
  /** Where progress goes; defaults to stderr. */
  readonly log?: StackLog;
}

export function registerStackCommand(program: Command, options: StackCommandOptions = {}): Command {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const context = (): StackContext => createStackContext({ env: options.env, log: options.log });
  const components = (ctx: StackContext) => stackComponents(ctx, options.extraComponents ?? []);

  const stack = program
    .command('stack')
    .description('run the local stack: Kafka, Firestore and Pub/Sub emulators, fake-gcs-server (in .stack/)');

  stack
    .command('up')
    .description(
      'install what is missing into .stack/, start what is not running, create topics and the bucket',
    )
    .action(async (_options: object, command: Command) => {
      const ctx = context();
      const startedAt = Date.now();
      let results;
      try {
        results = await stackUp(components(ctx), ctx);
      } catch (error) {
        if (!(error instanceof StackUpError)) throw error;
        const hint =
          error.ready.length > 0
            ? `\n(left running: ${error.ready.map((r) => r.name).join(', ')}; 'stack down' stops the stack)`
            : '';
        command.error(`stack up failed:\n${error.message}${hint}`, { exitCode: 1, code: 'stack.up' });
      }
      const started = results.filter((result) => result.action === 'started').map((result) => result.name);
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      ctx.log(
        started.length > 0
          ? `stack up: ready in ${seconds} s (started ${started.join(', ')})`
          : `stack up: already running (checked in ${seconds} s)`,
      );
      for (const line of envLines(ctx, components(ctx))) out(line);
    });

  stack
    .command('down')
    .description('stop every component the stack started (SIGTERM, then SIGKILL after a timeout)')
    .option('--purge', "also delete kept data (Kafka's topics and offsets)")
    .action(async (flags: { purge?: boolean }) => {
      const ctx = context();
      const results = await stackDown(components(ctx), ctx, { purge: flags.purge === true });
      if (!results.some((result) => result.stopped)) ctx.log('stack down: nothing was running');
    });

  stack
    .command('status')
    .description("print each endpoint as NAME=value and each component's health; exit 1 if any is down")
    .action(async (_options: object, command: Command) => {
      const ctx = context();
      const list = components(ctx);
      const statuses = await stackStatus(list, ctx);
      for (const line of envLines(ctx, list)) out(line);
      for (const status of statuses) {
        const pid = status.pid === null ? '' : ` (pid ${status.pid})`;
        out(`# ${status.name}: ${status.state}${pid}`);
      }
      const down = statuses.filter((status) => status.state === 'down' || status.state === 'starting');
      if (down.length > 0) {
        command.error(`stack status: not healthy: ${down.map((status) => status.name).join(', ')}`, {
          exitCode: 1,
          code: 'stack.status',
        });
      }
    });

  stack
    .command('logs')
    .description(
      "print the components' logs (.stack/logs/), each JSON entry as one readable line, other lines as they are",
    )
    .argument('[component...]', 'the components whose logs to print (default: every one with a log)')
    .option('-f, --follow', 'keep printing what is appended, as tail -f does, until interrupted')
    .option('--json', 'print the lines as written, JSON entries unformatted (for jq)')
    .action(async (names: string[], flags: { follow?: boolean; json?: boolean }) => {
      const ctx = context();
      // Following ends on Ctrl-C with the lines printed so far, and exit code 0, as tail -f does.
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      if (flags.follow === true) process.once('SIGINT', interrupt);
      try {
        await showStackLogs(ctx.paths.logs, names, {
          follow: flags.follow === true,
          json: flags.json === true,
          out,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', interrupt);
      }
    });

  return stack;
}

function envLines(ctx: StackContext, list: ReturnType<typeof stackComponents>): string[] {
  return [...list.flatMap((component) => component.envLines()), ...stackGlobalEnvLines(ctx.endpoints)];
}
