/** Which bucket objects ingest takes: `.csv` / `.csv.gz` under the upload prefix, never the quarantine. */
import { readVariable } from '../config/runtime.js';

/** Why an object is not for ingest, or undefined when it is. */
export function skipReason(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uploadPrefix = readVariable('UPLOAD_PREFIX', env);
  const quarantinePrefix = readVariable('QUARANTINE_PREFIX', env);
  if (quarantinePrefix !== '' && name.startsWith(quarantinePrefix)) return 'in the quarantine prefix';
  if (!name.startsWith(uploadPrefix)) return `outside the upload prefix '${uploadPrefix}'`;
  if (!/\.csv(\.gz)?$/i.test(name)) return 'not a .csv or .csv.gz object';
  return undefined;
}
