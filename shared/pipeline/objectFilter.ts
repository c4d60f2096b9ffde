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
