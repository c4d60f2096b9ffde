/** A hold's bookkeeping as records are queued and taken off, against hand-written expectations. */
import { describe, expect, it } from 'vitest';
import { holdWith, holdWithout } from '../../../shared/state/symbolStateStore.js';

const record = (identity: string) => ({ identity, eventId: identity, value: Buffer.alloc(0) });
const now = new Date('2026-12-01T10:00:00.000Z');

describe('holdWith', () => {
  it('starts a hold with the record at its head, at position 0', () => {
    expect(holdWith(null, record('a'), 'BarBatchError: not JSON', now)).toEqual({
      hold: {
        reason: 'BarBatchError: not JSON',
        head: 'a',
        since: '2026-12-01T10:00:00.000Z',
        waiting: 1,
        nextSeq: 1,
        lastQueued: 'a',
      },
      seq: 0,
    });
  });

  it('queues behind: the head, reason and start stay; the count and next position move on', () => {
    const first = holdWith(null, record('a'), 'r', now).hold;
    const later = new Date('2026-12-01T11:00:00.000Z');
    expect(holdWith({ ...first, waiting: 1, nextSeq: 7 }, record('b'), 'other', later)).toEqual({
      hold: {
        reason: 'r',
        head: 'a',
        since: '2026-12-01T10:00:00.000Z',
        waiting: 2,
        nextSeq: 8,
        lastQueued: 'b',
      },
      seq: 7,
    });
  });
});

describe('holdWithout', () => {
  const hold = { reason: 'r', head: 'a', since: now.toISOString(), waiting: 3, nextSeq: 9, lastQueued: 'c' };

  it('counts one fewer waiting, positions unchanged', () => {
    expect(holdWithout(hold)).toEqual({ ...hold, waiting: 2 });
  });

  it('releases the symbol when the last record leaves', () => {
    expect(holdWithout({ ...hold, waiting: 1 })).toBeNull();
    expect(holdWithout(null)).toBeNull();
  });
});
