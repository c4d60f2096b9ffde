/** Writing CSV text: a field is quoted per RFC 4180 only when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvField).join(',');
}

/**
 * What a spreadsheet takes for the start of a formula (=, +, -, @), and tab and carriage return, which hide
 * one behind leading whitespace (OWASP, CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell of text that came from an uploaded object, as a spreadsheet shows it and never runs it: one that would
 * start a formula is prefixed with a single quote, and quoted (OWASP's advice against CSV injection).
 */
export function spreadsheetText(text: string): string {
  return FORMULA_START.test(text) ? `"'${text.replaceAll('"', '""')}"` : csvField(text);
}
