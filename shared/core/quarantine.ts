/**
 * The set-aside rows of one or more objects as CSV: object, line, reason, detail, raw.
 *
 * People open this file in a spreadsheet, and its text cells hold whatever the uploaded object held: a cell
 * such as `=HYPERLINK(...)` or `@SUM(...)` would be run as a formula there (CSV injection). As OWASP advises,
 * such a cell is prefixed with a single quote, which makes a spreadsheet show it as text, and quoted.
 */
import { csvField, spreadsheetText } from './csvText.js';
import type { SetAsideRow } from './report.js';

export const QUARANTINE_HEADER = 'object,line,reason,detail,raw\n';

export function quarantineCsv(rows: Iterable<{ object: string; row: SetAsideRow }>): string {
  return `${QUARANTINE_HEADER}${quarantineRows(rows)}`;
}

/**
 * The rows of {@link quarantineCsv} without its header, each line ending in a newline: one new string, which
 * holds none of the text the rows were read from (a row's raw text, a slice of it, kept it all alive).
 */
export function quarantineRows(rows: Iterable<{ object: string; row: SetAsideRow }>): string {
  const lines: string[] = [];
  for (const { object, row } of rows) {
    // `line` is a number and `reason` one of ours: only the other three can come from the object.
    lines.push(
      [
        spreadsheetText(object),
        csvField(row.line),
        csvField(row.reason),
        spreadsheetText(row.detail),
        spreadsheetText(row.raw),
      ].join(','),
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
