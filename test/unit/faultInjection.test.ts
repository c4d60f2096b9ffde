import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/variables.js';
import { classify } from '../../shared/errors.js';
import {
  FaultInjector,
  InjectedFault,
  parseFaults,
  faultInjectorFromEnv,
} from '../../shared/faultInjection.js';

describe('FAULTS', () => {
  it('reads each point and action', () => {
    expect([
      ...parseFaults(
        'detect.after-publish=fail/3, notify.after-write=exit/20,notify.before-write=fail-for/15000',
      ),
    ]).toEqual([
      ['detect.after-publish', { kind: 'fail', every: 3 }],
      ['notify.after-write', { kind: 'exit', at: 20 }],
      ['notify.before-write', { kind: 'fail-for', ms: 15000 }],
    ]);
  });

  it('refuses an unknown point, an unknown action or no number, naming the item', () => {
    expect(() => parseFaults('detect.after-lunch=fail/3')).toThrow(/FAULTS: 'detect.after-lunch=fail\/3'/);
    expect(() => parseFaults('detect.after-load=explode/3')).toThrow(ConfigError);
    expect(() => parseFaults('detect.after-load=fail/0')).toThrow(/positive/);
    expect(() => parseFaults('detect.after-load=fail')).toThrow(ConfigError);
    expect(() => parseFaults('detect.after-load=fail/2,detect.after-load=exit/3')).toThrow(
      "FAULTS: 'detect.after-load' is given more than once",
    );
  });

  it('is off when unset or empty', () => {
    expect(() => faultInjectorFromEnv({}).at('detect.after-load')).not.toThrow();
    expect(() => faultInjectorFromEnv({ FAULTS: ' ' }).at('detect.after-load')).not.toThrow();
  });
});

describe('FaultInjector', () => {
  it('fails every Nth arrival at its point with a retriable error, and no other point', () => {
    const injector = new FaultInjector(parseFaults('detect.after-commit=fail/3'));
    const outcomes = Array.from({ length: 7 }, () => {
      try {
        injector.at('detect.after-commit');
        injector.at('detect.after-load');
        return 'ok';
      } catch (error) {
        expect(error).toBeInstanceOf(InjectedFault);
        expect(classify(error)).toBe('retriable');
        return (error as Error).message;
      }
    });
    expect(outcomes).toEqual([
      'ok',
      'ok',
      'injected fault at detect.after-commit (arrival 3; FAULTS)',
      'ok',
      'ok',
      'injected fault at detect.after-commit (arrival 6; FAULTS)',
      'ok',
    ]);
  });

  it('kills the process at the Nth arrival only', () => {
    const kills: number[] = [];
    let arrival = 0;
    const injector = new FaultInjector(parseFaults('notify.after-write=exit/2'), {
      kill: () => {
        kills.push(arrival);
        throw new Error('killed');
      },
    });
    for (arrival = 1; arrival <= 4; arrival++) {
      try {
        injector.at('notify.after-write');
      } catch {
        // the stand-in for the kill
      }
    }
    expect(kills).toEqual([2]);
  });

  it('fails every arrival for a while after start, then none', () => {
    let now = 1_000;
    const injector = new FaultInjector(parseFaults('notify.before-write=fail-for/500'), { now: () => now });
    expect(() => injector.at('notify.before-write')).toThrow(InjectedFault);
    now = 1_499;
    expect(() => injector.at('notify.before-write')).toThrow(InjectedFault);
    now = 1_500;
    expect(() => injector.at('notify.before-write')).not.toThrow();
  });
});
