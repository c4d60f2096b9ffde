/**
 * The set-aside rows of one or more objects as CSV: object, line, reason, detail, raw.
 *
 * People open this file in a spreadsheet, and its text cells hold whatever the uploaded object held: a cell
 * such as `=HYPERLINK(...)` or `@SUM(...)` would be run as a formula there (CSV injection). As OWASP advises,
 * such a cell is prefixed with a single quote, which makes a spreadsheet show it as text, and quoted.
 */
import { csvField, spreadsheetText } from './csvText.js';
import type { SetAsideRow } from './report.js';

export function quarantineCsv(rows: Iterable<{ object: string; row: SetAsideRow }>): string {
  const lines = ['object,line,reason,detail,raw'];
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
  return `${lines.join('\n')}\n`;
}
