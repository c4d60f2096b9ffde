/**
 * The `stock-anomalies` command. Each subcommand lives in cli/commands/ and registers itself here.
 * Exit codes: 0 success, 1 a problem with the input or the stack (stderr names it), 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { appComponents } from '../stack/appComponents.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDetectCommand } from './commands/detect.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerPipelineCommands } from './commands/pipeline.js';
import { registerStackCommand } from './commands/stack.js';
import { processContext, type CliContext } from './context.js';
import { UsageError } from './usageError.js';

export function buildProgram(context: CliContext): Command {
  const program = new Command('stock-anomalies')
    .description('Find suspicious trades (price moves A1, volume spikes A2) in minute-bar CSVs.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();
  registerDetectCommand(program, context);
  registerGenerateCommand(program);
  registerPipelineCommands(program, context);
  registerDemoCommand(program, context);
  registerStackCommand(program, {
    extraComponents: [appComponents],
    env: context.env,
    out: (line) => context.stdout.write(`${line}\n`),
    log: (line) => context.stderr.write(`${line}\n`),
  });
  return program;
}

/** Runs the CLI and returns its exit code; never throws for bad input or usage. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
        ? 0
        : 2;
    }
    if (error instanceof UsageError) {
      context.stderr.write(`stock-anomalies: ${error.message}\n`);
      return 2;
    }
    context.stderr.write(`stock-anomalies: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
