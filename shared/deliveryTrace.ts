/**
 * One line per delivery a component received, appended to the file `DELIVERY_TRACE` names (the local stack
 * sets it; deploy.sh never does), so that a fault test can count the deliveries each component really saw,
 * duplicates included, and prove that they happened and were absorbed rather than never happening; and so that
 * bench:latency can say where a live minute's time goes (each line carries the times of its stages).
 */
import { appendFileSync } from 'node:fs';
import { readVariable } from './config/variables.js';

export type DeliveryTrace = (entry: Record<string, unknown>) => void;

const untraced: DeliveryTrace = () => {};

/** The process's trace, from `DELIVERY_TRACE`, read once at start-up. */
export function deliveryTraceFromEnv(env: NodeJS.ProcessEnv): DeliveryTrace {
  const file = readVariable('DELIVERY_TRACE', env);
  if (file === '') return untraced;
  // Synchronous: a line is on disk before the delivery is answered, also when the process is killed next.
  return (entry) => appendFileSync(file, `${JSON.stringify({ at: Date.now(), ...entry })}\n`);
}
