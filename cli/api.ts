/**
 * The CLI's programmatic interface: what a program outside cli/ (the benchmarks in bench/) may use of the CLI
 * besides its command line. The rest of cli/ belongs to the commands and changes with them; what a program
 * needs of them is added here, not imported from cli/commands/.
 *
 * `main` loads with this module. The pipeline commands' pieces (pipelineCommands) load when first asked for,
 * as main() loads a command only when it runs it: they pull in the Google Cloud and Kafka clients (about 50 MiB
 * and most of a second), which a benchmark of `detect` in a process of its own must not count as detect's.
 *
 * @example
 *   const code = await main(['detect', '--format', 'jsonl', 'data/sample'], context);
 *   const { clients, dropFiles, waitForIdle } = await pipelineCommands();
 *   const stack = clients(context);
 *   await dropFiles(stack, files, context);
 *   const idle = await waitForIdle(stack, 600, context);
 */
import type { GenerateOptions, Manifest } from './generate/index.js';

export { main } from './main.js';
export type { CliContext } from './context.js';
export { processContext } from './context.js';
export type { Manifest } from './generate/index.js';
export type { IngestionView } from './commands/reports.js';
export type { StackClients } from './stackClients.js';

/** Writes a generated data set and its manifest, as `stock-anomalies generate` does. */
export async function generateDataset(options: GenerateOptions): Promise<Manifest> {
  const generate = await import('./generate/index.js');
  return generate.generateDataset(options);
}

/**
 * The functions the pipeline commands are made of, for a program that drives the local stack as they do:
 * - `clients` (the stack's clients, a command's own) and `stackAlertStore`, `stackIngestionStore` over them;
 * - `dropFiles` (`drop`), `replay` (`replay`, with an uploader of the caller's);
 * - `waitForIdle` (`wait`), and its parts: `IdleCheck` (what is still pending) and `kafkaLag`;
 * - `readReports` (`reports`), and `alertOutput` (the formats `alerts` and `detect` print alerts in).
 */
export async function pipelineCommands() {
  const [stackClients, drop, replay, wait, reports, alertFormats] = await Promise.all([
    import('./stackClients.js'),
    import('./commands/drop.js'),
    import('./commands/replay.js'),
    import('./commands/wait.js'),
    import('./commands/reports.js'),
    import('./output/alertFormats.js'),
  ]);
  return {
    clients: stackClients.clients,
    stackAlertStore: stackClients.stackAlertStore,
    stackIngestionStore: stackClients.stackIngestionStore,
    dropFiles: drop.dropFiles,
    replay: replay.replay,
    waitForIdle: wait.waitForIdle,
    IdleCheck: wait.IdleCheck,
    kafkaLag: wait.kafkaLag,
    readReports: reports.readReports,
    alertOutput: alertFormats.alertOutput,
  };
}
