/**
 * How many alerts notify writes in one Firestore commit. The alert store cuts its writes by it, and the alert
 * message (alertMessage.ts) holds whole commits of them; it lives apart from both so that the message format,
 * which detect and notify share, does not depend on the store that writes the alerts.
 */

/** Firestore's most writes in one commit. */
export const WRITES_PER_COMMIT = 500;

/**
 * Alerts in one commit of the alert store's write(): the room left beside the commit's feed entry and its
 * symbol's tally.
 */
export const ALERTS_PER_COMMIT = WRITES_PER_COMMIT - 2;
