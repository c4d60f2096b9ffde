/** `alerts`: read the alerts the pipeline wrote back from the local stack's Firestore. */
import { Option, type Command } from 'commander';
import type { Alert, RuleId } from '../../shared/core/alert.js';
import { writeText, type CliContext } from '../context.js';
import { alertOutput, isAlertFormat } from '../output/alertFormats.js';
import { clients, stackAlertStore, stackError, type StackClients } from '../stackClients.js';

export function registerAlertsCommand(program: Command, context: CliContext): void {
  program
    .command('alerts')
    .description('read the alerts back from Firestore (same fields as detect)')
    .addOption(
      new Option('--format <format>', 'jsonl, csv or table (default: table on a terminal)').choices([
        'jsonl',
        'csv',
        'table',
      ]),
    )
    .option('--symbol <symbol>', 'only this symbol')
    .addOption(new Option('--rule <rule>', 'only alerts where this rule fired').choices(['A1', 'A2']))
    .action(async (options: { format?: string; symbol?: string; rule?: string }) => {
      const format =
        options.format && isAlertFormat(options.format)
          ? options.format
          : context.stdout.isTTY
            ? 'table'
            : 'jsonl';
      const stack = clients(context);
      const alerts = await readAlerts(stack, options).catch((error) => {
        throw stackError(error);
      });
      const output = alertOutput(format);
      for (const alert of alerts) output.add(alert);
      try {
        for (const chunk of output.chunks()) await writeText(context.stdout, chunk);
      } finally {
        output.close();
      }
    });
}

/** The alerts the local stack's pipeline wrote. */
/** In order of symbol, then minute. */
export async function readAlerts(
  stack: StackClients,
  filter: { symbol?: string; rule?: string },
): Promise<Alert[]> {
  return stackAlertStore(stack).all({
    ...(filter.symbol ? { symbol: filter.symbol } : {}),
    // commander has checked the rule against its choices
    ...(filter.rule ? { rule: filter.rule as RuleId } : {}),
  });
}
