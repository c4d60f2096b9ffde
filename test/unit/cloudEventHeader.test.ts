import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue } from '../../shared/pipeline/cloudEventHeader.js';

describe('CloudEvent header values (HTTP binding §3.1.3.2)', () => {
  it('leaves visible ASCII as it is', () => {
    expect(encodeHeaderValue('BAJAJ-AUTO.NS_1&co')).toBe('BAJAJ-AUTO.NS_1&co');
  });

  it("percent-encodes space, '\"', '%' and every byte outside visible ASCII, as the binding's examples do", () => {
    // The binding's own example: "Euro € 😀" -> "Euro%20%E2%82%AC%20%F0%9F%98%80".
    expect(encodeHeaderValue('Euro € 😀')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80');
    expect(encodeHeaderValue('50% "off"')).toBe('50%25%20%22off%22');
    expect(encodeHeaderValue('株式\uFFFD')).toBe('%E6%A0%AA%E5%BC%8F%EF%BF%BD');
  });

  it('decodes what it encoded, and takes malformed encoding as plain text', () => {
    for (const value of ['ACME', 'Euro € 😀', '50% "off"', 'objects/a b/✓.csv', '%zz']) {
      expect(decodeHeaderValue(encodeHeaderValue(value))).toBe(value);
    }
    expect(decodeHeaderValue('100%')).toBe('100%');
  });

  it('gives text fetch accepts as a header', () => {
    expect(() => new Headers({ 'ce-key': encodeHeaderValue('株✓ \u00e9') })).not.toThrow();
  });
});
