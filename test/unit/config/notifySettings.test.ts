import { describe, expect, it } from 'vitest';
import { alertExpiry, notifySettings } from '../../../shared/config/notifySettings.js';
import { ConfigError } from '../../../shared/config/variables.js';
import { classify } from '../../../shared/errors.js';

describe('notifySettings', () => {
  it("takes the local stack's collection and keeps alerts for ever by default", () => {
    expect(notifySettings({})).toEqual({ alertsCollection: 'alerts', alertTtlDays: 0 });
    expect(notifySettings({ ALERT_TTL_DAYS: '', ALERTS_COLLECTION: '' })).toEqual({
      alertsCollection: 'alerts',
      alertTtlDays: 0,
    });
  });

  it('takes the values deploy.sh sets', () => {
    expect(notifySettings({ ALERTS_COLLECTION: 'alerts-eu', ALERT_TTL_DAYS: '30' })).toEqual({
      alertsCollection: 'alerts-eu',
      alertTtlDays: 30,
    });
  });

  it.each(['-1', '1.5', 'thirty', '1e3', '30 days'])(
    'refuses ALERT_TTL_DAYS=%s, naming the variable and what it expects',
    (value) => {
      const read = () => notifySettings({ ALERT_TTL_DAYS: value });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(`ALERT_TTL_DAYS must be a whole number of days, 0 for no expiry; got '${value}'`);
    },
  );

  it('reports a malformed setting as final: no retry can fix it', () => {
    let error: unknown;
    try {
      notifySettings({ ALERT_TTL_DAYS: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(classify(error)).toBe('final');
  });
});

describe('alertExpiry', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  it('is the write time plus the TTL in days', () => {
    expect(alertExpiry({ alertsCollection: 'alerts', alertTtlDays: 30 }, now)).toEqual(
      new Date('2026-12-25T12:00:00Z'),
    );
  });

  it('is absent when alerts are kept', () => {
    expect(alertExpiry({ alertsCollection: 'alerts', alertTtlDays: 0 }, now)).toBeUndefined();
  });
});
