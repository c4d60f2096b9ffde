/** The set-aside rows of one or more objects as CSV: object, line, reason, detail, raw. */
import { csvLine } from './csvText.js';
import type { SetAsideRow } from './report.js';

export function quarantineCsv(rows: Iterable<{ object: string; row: SetAsideRow }>): string {
  const lines = ['object,line,reason,detail,raw'];
  for (const { object, row } of rows)
    lines.push(csvLine([object, row.line, row.reason, row.detail, row.raw]));
  return `${lines.join('\n')}\n`;
}
