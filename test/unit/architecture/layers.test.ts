/**
 * The layers of docs/architecture.md, as `npm run lint` enforces them: each case is an import a newcomer might
 * write, linted as if it were in the file named, with whether the layers allow it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, specifier: string): Promise<boolean> {
  const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: path.join(root, file) });
  return result!.messages.some((message) => message.ruleId === 'no-restricted-imports');
}

const CASES: Array<[file: string, specifier: string, allowed: boolean]> = [
  // shared/ imports nothing above it.
  ['shared/state/x.ts', '../../cli/main.js', false],
  ['shared/state/x.ts', '../../stack/endpoints.js', false],
  ['shared/state/x.ts', '../../functions/detect/index.js', false],
  ['shared/state/x.ts', '../../console/server/x.js', false],
  ['shared/state/x.ts', '../core/rules.js', true],
  ['shared/state/x.ts', '../pipeline/documentIds.js', true],
  ['shared/state/x.ts', '@google-cloud/firestore', true],
  // The pure core: no settings, clients, stores, logging, no I/O.
  ['shared/core/x.ts', '../config/ingestSettings.js', false],
  ['shared/core/x.ts', '../clients/google.js', false],
  ['shared/core/x.ts', '../state/alertStore.js', false],
  ['shared/core/x.ts', '../logging/logger.js', false],
  ['shared/core/x.ts', 'node:zlib', false],
  ['shared/core/x.ts', '@google-cloud/firestore', false],
  ['shared/core/x.ts', 'kafkajs', false],
  ['shared/core/x.ts', '../../cli/main.js', false],
  ['shared/core/x.ts', '../repoRoot.js', false],
  ['shared/core/x.ts', '../faultInjection.js', false],
  ['shared/core/suspicion/x.ts', '../rules.js', true],
  ['shared/core/suspicion/x.ts', '../../errors.js', true],
  ['shared/core/suspicion/x.ts', '../../state/alertStore.js', false],
  ['shared/core/suspicion/x.ts', 'node:fs', false],
  ['shared/core/x.ts', '../objects/readObject.js', false],
  ['shared/core/x.ts', 'node:fs/promises', false],
  ['shared/core/x.ts', 'node:crypto', false],
  ['shared/core/x.ts', './timestamp.js', true],
  ['shared/core/x.ts', '../errors.js', true],
  // Messages and ids sit below the stores; settings below the clients.
  ['shared/pipeline/x.ts', '../state/alertStore.js', false],
  ['shared/pipeline/x.ts', '../core/alert.js', true],
  ['shared/pipeline/x.ts', '../deliveryTrace.js', false],
  ['shared/pipeline/x.ts', '../errors.js', true],
  ['shared/config/x.ts', '../clients/kafka.js', false],
  ['shared/config/x.ts', '../core/timestamp.js', true],
  ['shared/config/x.ts', '../logging/logger.js', false],
  ['shared/config/x.ts', '../objects/readObject.js', false],
  ['shared/config/x.ts', '../pipeline/objectFilter.js', true],
  // The logger sits beneath everything that logs.
  ['shared/logging/x.ts', '../state/alertStore.js', false],
  ['shared/logging/x.ts', '../config/variables.js', false],
  ['shared/logging/x.ts', '../errors.js', true],
  // The deployed parts import shared/ only.
  ['functions/detect/x.ts', '../../cli/stackClients.js', false],
  ['functions/detect/x.ts', '../../stack/endpoints.js', false],
  ['functions/detect/x.ts', '../../console/server/x.js', false],
  ['functions/detect/x.ts', '../../shared/state/alertStore.js', true],
  ['console/server/x.ts', '../../cli/main.js', false],
  ['console/server/x.ts', '../../stack/paths.js', false],
  ['console/server/x.ts', '../../bench/verdict.js', false],
  ['console/server/x.ts', '../../shared/state/barStore.js', true],
  ['console/x.ts', '../stack/endpoints.js', false],
  // The web app runs in the browser.
  ['console/web/x.ts', '../../shared/core/rules.js', false],
  ['console/web/x.ts', './format.js', true],
  // The stack and the CLI are local tools; benchmarks use the CLI through its interface.
  ['stack/x.ts', '../cli/main.js', false],
  ['stack/x.ts', '../shared/config/variables.js', true],
  ['cli/commands/x.ts', '../../bench/verdict.js', false],
  ['cli/commands/x.ts', '../../stack/endpoints.js', true],
  ['bench/x.ts', '../cli/commands/wait.js', false],
  ['bench/x.ts', '../cli/api.js', true],
  ['bench/x.ts', '../stack/endpoints.js', true],
  ['bench/x.ts', '../console/readModel/readModel.js', false],
  // bench:console at the seed's scale runs the console's own code on a store computed in process.
  ['bench/consoleScale.ts', '../console/readModel/readModel.js', true],
  ['bench/consoleScale.ts', '../functions/detect/index.js', false],
  // Only tests import tests.
  ['functions/notify/x.ts', '../../test/helpers/read.js', false],
  ['cli/x.ts', '../test/helpers/read.js', false],
];

describe('the layers, as lint enforces them', () => {
  it.each(CASES)('%s importing %s: allowed %s', async (file, specifier, allowed) => {
    expect(await restricted(file, specifier)).toBe(!allowed);
  });
});
