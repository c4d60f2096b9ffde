/** A delivery's claim on an episode's marker: posts when nobody did, never after a settled outcome. */
import { describe, expect, it } from 'vitest';
import { decideEscalationClaim, type EscalationMarker } from '../../../shared/state/escalationStore.js';

const NOW = Date.parse('2017-01-02T05:10:00Z');

describe('decideEscalationClaim', () => {
  it.each<[string, EscalationMarker | undefined, ReturnType<typeof decideEscalationClaim>]>([
    ['no marker: the first delivery', undefined, { claim: true, takeover: false }],
    [
      'retrying after a 5xx or no answer',
      { status: 'retrying', attempts: 1 },
      { claim: true, takeover: false },
    ],
    ['sent', { status: 'sent', attempts: 1 }, { claimed: false, settled: 'sent' }],
    ['failed for good (a 4xx)', { status: 'failed', attempts: 2 }, { claimed: false, settled: 'failed' }],
    [
      'sending under a lease still running: another delivery is posting',
      { status: 'sending', attempts: 1, leaseUntil: new Date(NOW + 1) },
      { claimed: false, busy: new Date(NOW + 1) },
    ],
    [
      'sending under a lease run out: its delivery died, this one takes over',
      { status: 'sending', attempts: 1, leaseUntil: new Date(NOW) },
      { claim: true, takeover: true },
    ],
  ])('%s', (_name, marker, expected) => {
    expect(decideEscalationClaim(marker, NOW)).toEqual(expected);
  });
});
