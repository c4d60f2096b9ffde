/**
 * GET /api/episodes/:id/report: the episode's case report (answers/caseReport.ts) as an HTML page. The episode,
 * its alerts and its history come as the episode's detail answers them; the bars of the report's minutes are one
 * query of the symbol's `bars/` documents of the UTC days they span (a document an hour). The page may apply its
 * own inline style sheet (allowed by its sha256) and nothing else: no script, no fetch.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { dayOf } from '../../shared/pipeline/barBytes.js';
import { barDaysRange, symbolStateId } from '../../shared/pipeline/documentIds.js';
import type { EpisodeDetail } from '../api/contract.js';
import { barsOf } from '../answers/alertChart.js';
import { caseReportHtml, reportMinutes } from '../answers/caseReport.js';
import { REPORT_STYLE } from '../answers/reportStyle.js';
import { SECURITY_HEADERS } from './http/respond.js';
import type { Call, ConsoleParts } from './routes.js';

const STYLE_HASH = `'sha256-${createHash('sha256').update(REPORT_STYLE).digest('base64')}'`;

/** What the page may load: its inline style sheet, nothing more (the rest of SECURITY_HEADERS as every answer). */
const REPORT_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-security-policy':
    `default-src 'none'; style-src ${STYLE_HASH}; img-src data:; base-uri 'none'; form-action 'none'; ` +
    "frame-ancestors 'none'",
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
};

/** A file name for a saved copy: the id's letters and digits, the rest as `_`. */
const fileNameOf = (id: string) => `case-report-${id.replace(/[^A-Za-z0-9.-]+/g, '_')}.html`;

/** Writes the report of the call's episode; `detailOf` answers as GET /api/episodes/:id does (404, 503, ...). */
export async function sendCaseReport(
  parts: ConsoleParts,
  call: Call,
  detailOf: (call: Call) => Promise<EpisodeDetail>,
): Promise<void> {
  const detail = await detailOf(call);
  const { settings } = parts;
  const { fromMinute, toMinute } = reportMinutes(detail.episode, settings.thresholds);
  const found = await parts.documents.bars(
    barDaysRange(symbolStateId(detail.episode.symbol), dayOf(fromMinute), dayOf(toMinute)),
  );
  const bars = barsOf(found);
  const html = caseReportHtml({
    detail,
    bars,
    timeZone: settings.timeZone,
    thresholds: settings.thresholds,
    generatedAt: parts.now(),
    generatedBy: call.caller,
    version: settings.version,
  });
  send(call.response, html, fileNameOf(detail.episode.id));
}

function send(response: ServerResponse, html: string, fileName: string): void {
  response.writeHead(200, {
    ...REPORT_HEADERS,
    // Inline: the browser shows it to print; saved, it keeps this name.
    'content-disposition': `inline; filename="${fileName}"`,
    'content-length': String(Buffer.byteLength(html)),
  });
  response.end(html);
}
