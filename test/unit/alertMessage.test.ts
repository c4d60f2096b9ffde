/** The messages detect cuts a batch's alerts into. */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/core/alert.js';
import { chunkAlerts } from '../../shared/pipeline/alertMessage.js';
import { ALERTS_PER_COMMIT } from '../../shared/pipeline/alertCommits.js';

const alert = (minute: number) =>
  ({ symbol: 'ACME', timestamp: new Date(minute * 60_000).toISOString(), rules: ['A2'] }) as unknown as Alert;

describe('chunkAlerts', () => {
  it('cuts messages of four whole notify commits of 498 alerts, none of them a sliver', () => {
    expect(ALERTS_PER_COMMIT).toBe(498);
    const alerts = Array.from({ length: 2 * 1992 + 7 }, (_, i) => alert(i));
    const messages = chunkAlerts(
      alerts.map((a) => ({ alert: a, change: 'new' as const })),
      1,
    );
    expect(messages.map((message) => message.alerts.length)).toEqual([1992, 1992, 7]);
    expect(messages.flatMap((message) => message.alerts)).toEqual(alerts);
  });
});
