/** `drop`: upload files into the local stack's bucket, where the pipeline picks them up. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { readVariable } from '../../shared/config/variables.js';
import { skipReason } from '../../shared/pipeline/objectFilter.js';
import type { CliContext } from '../context.js';
import { clients, stackError, type StackClients } from '../stackClients.js';

export function registerDropCommand(program: Command, context: CliContext): void {
  program
    .command('drop')
    .description("upload files to the local stack's bucket (object name = the file's base name)")
    .argument('<files...>')
    .action(async (files: string[]) => {
      await dropFiles(clients(context), files, context);
    });
}

export async function dropFiles(stack: StackClients, files: string[], context: CliContext): Promise<void> {
  for (const file of files) {
    const name = basename(file);
    const skip = skipReason(name, {
      uploadPrefix: readVariable('UPLOAD_PREFIX', context.env),
      quarantinePrefix: readVariable('QUARANTINE_PREFIX', context.env),
    });
    try {
      const [object] = await stack.storage
        .bucket(stack.bucket)
        .upload(file, { destination: name, resumable: false });
      context.stderr.write(
        `dropped ${name} (generation ${object.metadata.generation})${skip ? `: note, ingest skips it: ${skip}` : ''}\n`,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        context.stderr.write(`${file}: no such file\n`);
        context.exitCode = 1;
        continue;
      }
      throw stackError(error);
    }
  }
}
