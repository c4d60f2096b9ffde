/**
 * The analysts' console server as a process (`node dist/console/server.js`, which the image, the local stack and
 * the bench run): the API of docs/console-api.md and the web app's files, over node:http with no framework.
 * This file only reads the settings, makes the clients and starts server/start.ts; see README "The console".
 *
 * Settings: server/settings.ts (PORT, which the local stack passes too; CONSOLE_HOST; the collections and Kafka
 * names of the registry, shared/config/variables.ts; the detection thresholds).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createFirestore, getFirestore, getPubSub, getStorage } from '../shared/clients/google.js';
import { createLogger } from '../shared/logging/logger.js';
import { consoleSettingsFromEnv, type ConsoleSettings } from './server/settings.js';
import { startConsole } from './server/start.js';
import { consoleKafka } from './sources/kafkaClient.js';

async function main(): Promise<void> {
  let settings: ConsoleSettings;
  try {
    settings = consoleSettingsFromEnv(process.env);
  } catch (error) {
    // No settings, so no project for trace ids: none is needed to say why it stops.
    createLogger('console').error('the console cannot start: its settings are invalid', { error });
    process.exit(2);
  }
  const logger = createLogger('console', {
    ...(settings.project !== undefined && { project: settings.project }),
  });
  const running = await startConsole(
    settings,
    {
      firestore: getFirestore(),
      audit: createFirestore(process.env, settings.auditDatabase),
      storage: getStorage(),
      kafka: consoleKafka(process.env),
      pubsub: getPubSub(),
    },
    logger,
  );
  logger.info(`listening on ${running.url}`, { url: running.url });
  const stop = () => {
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) await main();
