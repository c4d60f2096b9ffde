/** Writing CSV text: a field is quoted per RFC 4180 only when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvField).join(',');
}
