import { describe, expect, it } from 'vitest';
import { traceFromHeaders } from '../../../shared/logging/trace.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceFromHeaders', () => {
  it('reads W3C traceparent: trace, span and the sampled flag', () => {
    expect(traceFromHeaders({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` })).toEqual({
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(traceFromHeaders({ traceparent: `00-${TRACE}-00f067aa0ba902b7-00` })?.sampled).toBe(false);
  });

  it("reads X-Cloud-Trace-Context, its decimal span as Cloud Logging's 16 hex digits", () => {
    // 2205310701640571284 = 0x1e9ad6661ea75994
    expect(traceFromHeaders({ 'x-cloud-trace-context': `${TRACE}/2205310701640571284;o=1` })).toEqual({
      traceId: TRACE,
      spanId: '1e9ad6661ea75994',
      sampled: true,
    });
    expect(traceFromHeaders({ 'x-cloud-trace-context': TRACE })).toEqual({ traceId: TRACE, sampled: false });
  });

  it('prefers traceparent, and ignores malformed or all-zero ids', () => {
    expect(
      traceFromHeaders({
        traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
        'x-cloud-trace-context': `${'c'.repeat(32)}/1;o=1`,
      })?.traceId,
    ).toBe(TRACE);
    expect(traceFromHeaders({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(traceFromHeaders({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceFromHeaders({})).toBeUndefined();
  });
});
