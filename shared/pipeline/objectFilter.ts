/** Which bucket objects ingest takes: `.csv` / `.csv.gz` under the upload prefix, never the quarantine. */

export interface ObjectPrefixes {
  uploadPrefix: string;
  /** Where ingest writes set-aside rows; '' for none. */
  quarantinePrefix: string;
}

/** Why an object is not for ingest, or undefined when it is. */
export function skipReason(
  name: string,
  { uploadPrefix, quarantinePrefix }: ObjectPrefixes,
): string | undefined {
  // The quarantine first: with the default empty upload prefix, it lies inside the upload space.
  if (quarantinePrefix !== '' && name.startsWith(quarantinePrefix)) return 'in the quarantine prefix';
  if (!name.startsWith(uploadPrefix)) return `outside the upload prefix '${uploadPrefix}'`;
  if (!/\.csv(\.gz)?$/i.test(name)) return 'not a .csv or .csv.gz object';
  return undefined;
}

/**
 * Where ingest sets aside the rows of an object generation: `{quarantinePrefix}{name}@{generation}.csv`, with
 * `%` and every `.` or `..` segment of the name percent-encoded (`a/../b.csv` gives `a/%2E%2E/b.csv`), so that
 * no path normalisation (a download to disk, a URL) moves it out of the quarantine prefix, where ingest would
 * take it for an upload.
 */
export function quarantineObjectName(quarantinePrefix: string, name: string, generation: string): string {
  const safe = name
    .replaceAll('%', '%25')
    .split('/')
    .map((segment) => (segment === '.' || segment === '..' ? segment.replaceAll('.', '%2E') : segment))
    .join('/');
  return `${quarantinePrefix}${safe}@${generation}.csv`;
}
