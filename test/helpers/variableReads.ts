/**
 * What each deployed component reads from its environment when it starts, recorded rather than listed by hand:
 * its settings and the start-up readers beside them, called with a Proxy env that notes every name asked for.
 */
import { consoleKafka } from '../../console/sources/kafkaClient.js';
import { consoleSettingsFromEnv } from '../../console/server/settings.js';
import { healthPort } from '../../shared/clients/healthServer.js';
import { detectSettings } from '../../shared/config/detectSettings.js';
import { escalateSettings } from '../../shared/config/escalationSettings.js';
import { dispatcherSettings } from '../../shared/config/dispatcherSettings.js';
import { ingestSettings } from '../../shared/config/ingestSettings.js';
import { notifySettings } from '../../shared/config/notifySettings.js';
import { PLATFORM_VARIABLES, type Component } from '../../shared/config/variables.js';
import { deliveryTraceFromEnv } from '../../shared/deliveryTrace.js';
import { faultInjectorFromEnv } from '../../shared/faultInjection.js';

/**
 * What each entry point reads at start-up from its environment (functions/<name>/index.ts, functions/dispatcher/
 * main.ts, console/server.ts's main), besides what its Google clients read (the registry's PLATFORM_VARIABLES).
 */
const START_UP: Record<Component, (env: NodeJS.ProcessEnv) => unknown> = {
  ingest: (env) => [ingestSettings(env), deliveryTraceFromEnv(env)],
  detect: (env) => [detectSettings(env), faultInjectorFromEnv(env), deliveryTraceFromEnv(env)],
  notify: (env) => [notifySettings(env), faultInjectorFromEnv(env), deliveryTraceFromEnv(env)],
  escalate: (env) => [escalateSettings(env), deliveryTraceFromEnv(env)],
  dispatcher: (env) => [dispatcherSettings(env), healthPort(env)],
  // The console's Kafka client reads the connection settings beside its settings (console/server.ts).
  console: (env) => [consoleSettingsFromEnv(env), consoleKafka(env)],
};

/**
 * The names `component` reads at start-up from an environment holding `values`, sorted, but the platform's (the
 * console's settings read GOOGLE_CLOUD_PROJECT for its log entries' trace ids, as every component's logger does).
 */
export function recordedReads(component: Component, values: NodeJS.ProcessEnv = {}): string[] {
  const names = new Set<string>();
  const env = new Proxy(
    { ...values },
    {
      get(target, key) {
        if (typeof key === 'string') names.add(key);
        return Reflect.get(target, key) as unknown;
      },
      has(target, key) {
        if (typeof key === 'string') names.add(key);
        return Reflect.has(target, key);
      },
    },
  );
  START_UP[component](env);
  return [...names].filter((name) => !Object.hasOwn(PLATFORM_VARIABLES, name)).sort();
}
