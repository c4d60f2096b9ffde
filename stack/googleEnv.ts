/** Environment fixes for the Google clients the stack itself uses (Pub/Sub, Storage) against the emulators. */

/**
 * Google's auth library otherwise probes the metadata server (169.254.169.254), which a local machine does not
 * have: it waits for the probe and prints a MetadataLookupWarning. A value the user set is left alone.
 */
export function disableMetadataServerProbe(): void {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
}
