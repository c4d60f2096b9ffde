/**
 * The `stock-anomalies` command. Each subcommand lives in cli/commands/ and registers itself here.
 * Exit codes: 0 success, 1 a problem with the input or the stack (stderr names it), 2 a usage error.
 */
import { Command, CommanderError } from 'commander';
import { processContext, type CliContext } from './context.js';
import { UsageError } from './usageError.js';

type Register = (program: Command, context: CliContext) => void;

/**
 * Each command's module, loaded only when that command runs (or for the overall help): the stack and
 * pipeline commands pull in the Google Cloud and Kafka clients, which take longer to load than `detect`
 * takes to read a small file.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  detect: async () => (await import('./commands/detect.js')).registerDetectCommand,
  calibrate: async () => (await import('./commands/calibrate.js')).registerCalibrateCommand,
  generate: async () => {
    const { registerGenerateCommand } = await import('./commands/generate.js');
    return (program) => void registerGenerateCommand(program);
  },
  stack: async () => {
    const [{ registerStackCommand }, { appComponents }] = await Promise.all([
      import('./commands/stack.js'),
      import('../stack/appComponents.js'),
    ]);
    return (program, context) =>
      void registerStackCommand(program, {
        extraComponents: [appComponents],
        env: context.env,
        out: (line) => context.stdout.write(`${line}\n`),
        log: (line) => context.stderr.write(`${line}\n`),
      });
  },
  drop: async () => (await import('./commands/drop.js')).registerDropCommand,
  replay: async () => (await import('./commands/replay.js')).registerReplayCommand,
  wait: async () => (await import('./commands/wait.js')).registerWaitCommand,
  alerts: async () => (await import('./commands/alerts.js')).registerAlertsCommand,
  reports: async () => (await import('./commands/reports.js')).registerReportsCommand,
  redrive: async () => (await import('./commands/redrive.js')).registerRedriveCommand,
  demo: async () => (await import('./commands/demo.js')).registerDemoCommand,
};

export async function buildProgram(context: CliContext, argv: string[] = []): Promise<Command> {
  const program = new Command('stock-anomalies')
    .description('Find suspicious trades (price moves A1, volume spikes A2) in minute-bar CSVs.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();
  const named = argv.find((arg) => !arg.startsWith('-'));
  const loaders =
    named !== undefined && COMMANDS[named] ? [COMMANDS[named]] : [...new Set(Object.values(COMMANDS))];
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program, context);
  return program;
}

/** Runs the CLI and returns its exit code; never throws for bad input or usage. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = await buildProgram(context, argv);
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
