/**
 * A request's trace, read from the headers Google's front ends set: W3C `traceparent` (Cloud Run, Eventarc,
 * Pub/Sub push) or the older `X-Cloud-Trace-Context`. Pure: it only parses.
 */

export interface TraceContext {
  /** 32 hex digits. */
  traceId: string;
  /** The span, as Cloud Logging wants it: 16 hex digits. */
  spanId?: string;
  sampled: boolean;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const CLOUD_TRACE = /^([\da-f]{32})(?:\/(\d+))?(?:;o=([01]))?$/;

/** The trace in `traceparent` (`00-TRACE-SPAN-FLAGS`); undefined when absent or malformed (all-zero ids too). */
export function traceFromTraceparent(value: string | undefined): TraceContext | undefined {
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase());
  if (match === null || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

/** The trace in `X-Cloud-Trace-Context` (`TRACE/SPAN;o=1`, the span in decimal). */
function traceFromCloudTraceContext(value: string | undefined): TraceContext | undefined {
  const match = value === undefined ? null : CLOUD_TRACE.exec(value.trim().toLowerCase());
  if (match === null) return undefined;
  const span = match[2] === undefined ? undefined : BigInt(match[2]).toString(16).padStart(16, '0');
  return {
    traceId: match[1]!,
    ...(span !== undefined && span.length === 16 && { spanId: span }),
    sampled: match[3] === '1',
  };
}

/** The trace of a request's headers (lower-case names, as node:http gives them); `traceparent` first. */
export function traceFromHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): TraceContext | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return (
    traceFromTraceparent(first('traceparent')) ?? traceFromCloudTraceContext(first('x-cloud-trace-context'))
  );
}
