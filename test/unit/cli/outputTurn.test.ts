/**
 * The turn to write to `detect`'s output, as the main thread and the read workers share it: who may write
 * when, that the turn never goes back, and that nothing goes out straight once stopped. (The workers writing
 * through it are in detectWorkers.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { OutputTurn } from '../../../cli/detect/outputTurn.js';

describe('Class: OutputTurn', () => {
  it('lets the first symbol go first, then each after the one before', () => {
    const turn = new OutputTurn();
    expect(turn.take(1, 0)).toBe(false);
    expect(turn.take(0, 0)).toBe(true);
    turn.passOn(0);
    expect(turn.take(2, 0)).toBe(false);
    expect(turn.take(1, 0)).toBe(true);
  });

  it('is the same turn on every thread that has its memory', () => {
    const main = new OutputTurn();
    const worker = new OutputTurn(main.buffer);
    main.reach(3);
    expect(worker.take(3, 0)).toBe(true);
    worker.passOn(3);
    expect(new OutputTurn(main.buffer).take(4, 0)).toBe(true);
  });

  it('waits for the symbol just before while another takes it out, and not for the main thread', () => {
    const turn = new OutputTurn();
    // Symbol 0's lines are the main thread's to copy (no worker took the turn): 1 does not wait.
    let started = performance.now();
    expect(turn.take(1, 500)).toBe(false);
    expect(performance.now() - started).toBeLessThan(400);
    // A worker writes symbol 0 out: 1 waits for it, here until the wait runs out (nobody passes it on).
    expect(turn.take(0, 0)).toBe(true);
    started = performance.now();
    expect(turn.take(1, 50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // Two symbols ahead is not waited for.
    started = performance.now();
    expect(turn.take(2, 500)).toBe(false);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('never moves the turn back when the main thread catches up', () => {
    const turn = new OutputTurn();
    turn.reach(2);
    expect(turn.take(2, 0)).toBe(true);
    turn.passOn(2);
    // The main thread learns of symbols 0 and 1 being out only now.
    turn.reach(2);
    expect(turn.take(2, 0)).toBe(false);
    expect(turn.take(3, 0)).toBe(true);
  });

  it('lets no one write out once stopped, even a worker that held the turn', () => {
    const turn = new OutputTurn();
    expect(turn.take(0, 0)).toBe(true);
    turn.stop();
    turn.passOn(0);
    turn.reach(5);
    for (const ticket of [0, 1, 5]) expect(turn.take(ticket, 0)).toBe(false);
  });
});
