/** The messages detect cuts a batch's alerts into. */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/core/alert.js';
import { ALERTS_PER_MESSAGE, chunkAlerts } from '../../shared/pipeline/alertMessage.js';
import { ALERTS_PER_COMMIT } from '../../shared/state/alertStore.js';

const alert = (minute: number) =>
  ({ symbol: 'ACME', timestamp: new Date(minute * 60_000).toISOString(), rules: ['A2'] }) as unknown as Alert;

describe('chunkAlerts', () => {
  it('cuts messages of whole notify commits, none of them a sliver', () => {
    expect(ALERTS_PER_MESSAGE % ALERTS_PER_COMMIT).toBe(0);
    const alerts = Array.from({ length: 2 * ALERTS_PER_MESSAGE + 7 }, (_, i) => alert(i));
    const messages = chunkAlerts(alerts);
    expect(messages.map((message) => message.alerts.length)).toEqual([
      ALERTS_PER_MESSAGE,
      ALERTS_PER_MESSAGE,
      7,
    ]);
    expect(messages.flatMap((message) => message.alerts)).toEqual(alerts);
  });
});
