/**
 * CloudEvent attribute values in HTTP headers, as the CloudEvents HTTP binding (1.0.2, §3.1.3.2) writes them:
 * a header carries only visible ASCII, so every other character (a unicode symbol or object name), and space,
 * `"` and `%`, is sent as its UTF-8 bytes percent-encoded, and read back by decoding. Unencoded, such a value
 * makes `fetch` refuse the request before it is sent, and the record behind it would be retried for ever.
 */

/** The header text for an attribute value. */
export function encodeHeaderValue(value: string): string {
  if (/^[\x21\x23\x24\x26-\x7e]*$/.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const visible = byte >= 0x21 && byte <= 0x7e && byte !== 0x22 && byte !== 0x25;
    out += visible ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The attribute value of a header; text that is not valid percent-encoding is taken as it is. */
export function decodeHeaderValue(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
