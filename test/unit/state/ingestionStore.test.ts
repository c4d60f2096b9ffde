/** Whether a delivery may take an ingestion: the claim and lease decision, case by case. */
import { describe, expect, it } from 'vitest';
import { decideClaim, type Ingestion } from '../../../shared/state/ingestionStore.js';

const NOW = Date.parse('2024-03-01T10:00:00Z');
const LEASE_MS = 60_000;
const at = (iso: string) => new Date(iso);

describe('decideClaim', () => {
  it.each<[string, Pick<Ingestion, 'status' | 'leaseUntil'> | undefined, ReturnType<typeof decideClaim>]>([
    ['no ingestion yet', undefined, { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') }],
    ['done', { status: 'done' }, { claim: false, reason: 'already done', busy: false }],
    ['rejected', { status: 'rejected' }, { claim: false, reason: 'already rejected', busy: false }],
    [
      'running under a live lease',
      { status: 'running', leaseUntil: at('2024-03-01T10:00:00.001Z') },
      { claim: false, reason: 'running elsewhere until 2024-03-01T10:00:00.001Z', busy: true },
    ],
    [
      'running, the lease expiring this very millisecond',
      { status: 'running', leaseUntil: at('2024-03-01T10:00:00Z') },
      { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') },
    ],
    [
      'running under an expired lease',
      { status: 'running', leaseUntil: at('2024-03-01T09:50:00Z') },
      { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') },
    ],
    [
      'running without a lease',
      { status: 'running' },
      { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') },
    ],
    ['failed', { status: 'failed' }, { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') }],
    [
      'failed, even with a lease left on it',
      { status: 'failed', leaseUntil: at('2024-03-01T11:00:00Z') },
      { claim: true, leaseUntil: at('2024-03-01T10:01:00Z') },
    ],
  ])('%s', (_, current, expected) => {
    expect(decideClaim(current, NOW, LEASE_MS)).toEqual(expected);
  });
});
