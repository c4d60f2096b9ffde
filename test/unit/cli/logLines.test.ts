import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../cli/logLines.js';

describe('formatLogLine', () => {
  it.each([
    [
      'an entry: severity, component, message, then its labels (not the component again) and fields',
      '{"severity":"WARNING","message":"detect did not take the record; holding the partition and trying again","component":"dispatcher","attempt":1,"reason":"HTTP 503: nope","nextInMs":100,"logging.googleapis.com/labels":{"component":"dispatcher","topic":"minute-bars","partition":"3","offset":"17","event":"partition:3/offset:17"}}',
      'WARNING  dispatcher  detect did not take the record; holding the partition and trying again  topic=minute-bars partition=3 offset=17 event=partition:3/offset:17 attempt=1 reason="HTTP 503: nope" nextInMs=100',
    ],
    [
      'an entry with no field but its component label',
      '{"severity":"INFO","message":"dispatcher running","component":"dispatcher","logging.googleapis.com/labels":{"component":"dispatcher"}}',
      'INFO     dispatcher  dispatcher running',
    ],
    [
      'an error, flattened, and its stack last, escaped onto the one line',
      '{"severity":"ERROR","message":"ingestion failed","component":"ingest","id":"A.csv@7","error":{"name":"TypeError","message":"programming error: TypeError: x"},"stack_trace":"TypeError: x\\n    at f (a.js:1:2)","errorKind":"programming","logging.googleapis.com/labels":{"component":"ingest","event":"e-1","object":"A.csv","generation":"7"}}',
      'ERROR    ingest  ingestion failed  event=e-1 object=A.csv generation=7 id=A.csv@7 error.name=TypeError error.message="programming error: TypeError: x" errorKind=programming stack_trace="TypeError: x\\n    at f (a.js:1:2)"',
    ],
    [
      'the trace without its project, and the time first when the entry has one',
      '{"time":"2026-11-25T12:00:00.123Z","severity":"CRITICAL","message":"gave up","component":"notify","logging.googleapis.com/labels":{"component":"notify","messageId":"m-1"},"logging.googleapis.com/trace":"projects/p1/traces/4bf92f3577b34da6a3ce929d0e0e4736","logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace_sampled":true}',
      '2026-11-25T12:00:00.123Z CRITICAL notify  gave up  messageId=m-1 trace=4bf92f3577b34da6a3ce929d0e0e4736 spanId=00f067aa0ba902b7 trace_sampled=true',
    ],
    [
      'an entry without severity or component (an older line) as DEFAULT; arrays and null as JSON',
      '{"message":"skipped","symbols":["A","B"],"detail":null,"empty":""}',
      'DEFAULT   skipped  symbols=["A","B"] detail=null empty=""',
    ],
    [
      'a message over several lines, kept on one',
      '{"severity":"INFO","message":"first\\nsecond","component":"router"}',
      'INFO     router  first\\nsecond',
    ],
  ])('prints %s', (_, line, expected) => {
    expect(formatLogLine(line)).toBe(expected);
  });

  it.each([
    ['Kafka', '[2026-11-25 12:00:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)'],
    ['functions-framework', 'Serving function...'],
    ['an empty line', ''],
    ['JSON that is not an entry (no message)', '{"at":1764072000000,"id":"partition:3/offset:17"}'],
    ['a JSON array', '["message"]'],
    ['a broken JSON line', '{"severity":"INFO","message":"cut'],
  ])('passes %s through unchanged', (_, line) => {
    expect(formatLogLine(line)).toBe(line);
  });
});
