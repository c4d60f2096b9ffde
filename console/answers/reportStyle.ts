/**
 * The case report's one style sheet, inline in the document (answers/caseReport.ts): the server allows it by its
 * sha256 in the page's Content-Security-Policy (server/caseReportRoute.ts), so it must be the exact text sent.
 * For print: A4 pages, table heads repeated on each page, a row, an alert or the chart never split across
 * two, the screen's note left out.
 */
export const REPORT_STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #111; margin: 24px auto; max-width: 760px; padding: 0 16px; }
h1 { font-size: 17pt; margin: 0 0 4px; }
h2 { font-size: 12.5pt; margin: 22px 0 6px; border-bottom: 1px solid #999; padding-bottom: 2px; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 12px 0 4px; break-after: avoid; }
p { margin: 4px 0; }
.meta { color: #444; font-size: 9pt; }
.notice { border: 1px solid #a3221b; padding: 4px 8px; }
.screen-only { background: #eef3fb; border: 1px solid #b8c8e8; padding: 6px 10px; font-size: 9.5pt; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 4px 0; }
dl.facts dt { color: #444; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.in-episode td { background: #fdf6d8; }
.bars td:first-child, .history td:first-child { white-space: nowrap; }
tr.alerted td { font-weight: 600; }
thead { display: table-header-group; }
tr, .alert, figure, .factors { break-inside: avoid; }
.alert { border-left: 3px solid #6b21a8; padding: 2px 0 2px 10px; margin: 8px 0; }
.comment { white-space: pre-wrap; }
figure { margin: 6px 0; }
figcaption { font-size: 9pt; color: #444; }
svg.chart { width: 100%; height: auto; display: block; }
code { font-size: 9pt; word-break: break-all; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  .screen-only { display: none; }
  section.history { break-before: auto; }
}
`;
