/**
 * Global setup of the tests that need the local stack (test/integration, test/e2e): brings the whole stack up
 * (provisioning it on a fresh machine), and stops it afterwards if it was not running before.
 */
import { appComponents } from '../stack/appComponents.js';
import { createStackContext, stackComponents } from '../stack/components.js';
import { stackDown, stackStatus, stackUp } from '../stack/orchestrate.js';

export default async function setup(): Promise<() => Promise<void>> {
  const ctx = createStackContext({ log: (line) => process.stderr.write(`[stack] ${line}\n`) });
  const components = stackComponents(ctx, [appComponents]);
  const before = await stackStatus(components, ctx);
  const wasUp = before.every((status) => status.state === 'up' || status.state === 'external');
  await stackUp(components, ctx);
  return async () => {
    if (!wasUp) await stackDown(components, ctx);
  };
}
