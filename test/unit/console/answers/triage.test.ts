/**
 * Triage rules (console/answers/triage.ts): which requests are valid, what a change writes, and that a withdrawn
 * episode takes none.
 */
import { describe, expect, it } from 'vitest';
import { Timestamp } from '@google-cloud/firestore';
import {
  parseTriageRequest,
  staleTriage,
  triageChange,
  triageStateOf,
  withdrawnTriage,
} from '../../../../console/answers/triage.js';

describe('parseTriageRequest', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'investigating', 'the body must be a JSON object'],
    ['an array', [], 'the body must be a JSON object'],
    ['no status', {}, 'status must be one of new, investigating, escalated, dismissed, confirmed'],
    [
      'an unknown status',
      { status: 'closed' },
      'status must be one of new, investigating, escalated, dismissed, confirmed',
    ],
    ['an unknown field', { status: 'new', severity: 3 }, "unknown field 'severity'"],
    ['a non-text assignee', { status: 'new', assignee: 7 }, 'assignee must be a string'],
    [
      'notes too long',
      { status: 'new', notes: 'x'.repeat(10_001) },
      'notes must be at most 10000 characters',
    ],
    [
      'dismissed without a comment',
      { status: 'dismissed' },
      'comment is required to close an episode as dismissed',
    ],
    [
      'confirmed with a blank comment',
      { status: 'confirmed', comment: '  \n' },
      'comment is required to close an episode as confirmed',
    ],
  ])('refuses %s, naming the field', (_name, body, error) => {
    expect(parseTriageRequest(body)).toEqual({ ok: false, error });
  });

  it.each<[string, unknown, unknown]>([
    ['an open status alone', { status: 'investigating' }, { status: 'investigating' }],
    [
      'a close with its comment, trimmed',
      { status: 'dismissed', comment: ' test print ' },
      { status: 'dismissed', comment: 'test print' },
    ],
    [
      'assignee and notes, null ones left out',
      { status: 'escalated', assignee: 'ana', notes: null },
      { status: 'escalated', assignee: 'ana' },
    ],
    ['an empty assignee (clears it)', { status: 'new', assignee: '' }, { status: 'new', assignee: '' }],
  ])('takes %s', (_name, body, value) => {
    expect(parseTriageRequest(body)).toEqual({ ok: true, value });
  });
});

describe('triageChange', () => {
  const AT = Date.parse('2024-03-01T10:00:00Z');

  it('writes the new status, keeps the assignee and notes not given, and records from and to', () => {
    const change = triageChange(
      { status: 'investigating', assignee: 'ana', notes: 'check' },
      { status: 'dismissed', comment: 'test trade' },
      'bo',
      AT,
    );
    expect(change).toEqual({
      triage: { status: 'dismissed', assignee: 'ana', notes: 'check', updatedAt: AT, updatedBy: 'bo' },
      history: {
        at: AT,
        by: 'bo',
        from: 'investigating',
        to: 'dismissed',
        assignee: 'ana',
        notes: 'check',
        comment: 'test trade',
      },
    });
  });

  it('clears an assignee given as empty, and records a change of assignee alone', () => {
    const change = triageChange(
      { status: 'new', assignee: 'ana' },
      { status: 'new', assignee: '' },
      'bo',
      AT,
    );
    expect(change.triage).toEqual({ status: 'new', updatedAt: AT, updatedBy: 'bo' });
    expect(change.history).toEqual({ at: AT, by: 'bo', from: 'new', to: 'new' });
  });
});

describe('triageStateOf', () => {
  it('reads an absent triage as new', () => {
    expect(triageStateOf({ symbol: 'ACME' })).toEqual({ status: 'new' });
    expect(triageStateOf(undefined)).toEqual({ status: 'new' });
    expect(triageStateOf({ triage: { status: 'escalated', assignee: 'ana', notes: '' } })).toEqual({
      status: 'escalated',
      assignee: 'ana',
    });
  });
});

describe('staleTriage', () => {
  const at = Date.parse('2017-01-05T10:00:00Z');
  const triaged = {
    triage: { status: 'investigating', updatedAt: Timestamp.fromMillis(at), updatedBy: 'ana' },
  };

  it('agrees with what the caller saw, or with no check at all', () => {
    expect(staleTriage(undefined, triaged)).toBeUndefined();
    expect(staleTriage('2017-01-05T10:00:00.000Z', triaged)).toBeUndefined();
    expect(staleTriage(null, { symbol: 'X' })).toBeUndefined();
  });

  it('names who changed it and when, for a caller who saw it untriaged or older', () => {
    expect(staleTriage(null, triaged)).toEqual({ conflict: { by: 'ana', at: '2017-01-05T10:00:00.000Z' } });
    expect(staleTriage('2017-01-05T09:00:00Z', triaged)?.conflict.by).toBe('ana');
    expect(staleTriage('2017-01-05T09:00:00Z', { symbol: 'X' })).toEqual({
      conflict: { by: 'someone', at: 'unknown' },
    });
  });
});

describe('withdrawnTriage', () => {
  const at = Timestamp.fromMillis(Date.UTC(2024, 2, 1, 10, 0, 5));

  it('refuses an episode a late bar withdrew, saying when and the episode it merged into (or none)', () => {
    const withdrawn = { at, into: 'ACME@2017-01-02T04:40:00Z', object: 'late.csv', generation: '7' };
    expect(withdrawnTriage({ symbol: 'ACME', withdrawn, triage: { status: 'escalated' } })).toEqual({
      withdrawn: { at: '2024-03-01T10:00:05Z', into: 'ACME@2017-01-02T04:40:00Z' },
    });
    expect(withdrawnTriage({ symbol: 'ACME', withdrawn: { ...withdrawn, into: null } })).toEqual({
      withdrawn: { at: '2024-03-01T10:00:05Z', into: null },
    });
  });

  it('lets a standing episode be triaged: no mark, or a null one', () => {
    expect(withdrawnTriage({ symbol: 'ACME' })).toBeUndefined();
    expect(withdrawnTriage({ symbol: 'ACME', withdrawn: null })).toBeUndefined();
    expect(withdrawnTriage(undefined)).toBeUndefined();
  });
});
