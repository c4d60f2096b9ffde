/**
 * GET /api/episodes/:id/report's edge (console/server/caseReportRoute.ts) over documents held in memory: it reads
 * the symbol's bars documents of the report's UTC days (one range of ids, over two days when the minutes cross
 * midnight), answers HTML whose one
 * inline style sheet is the one its Content-Security-Policy allows (the hash recomputed here from the body),
 * loads nothing else, and passes the detail's own errors (404) through.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentData } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import type { EpisodeDetail, EpisodeRow } from '../../../../console/api/contract.js';
import { sendCaseReport } from '../../../../console/server/caseReportRoute.js';
import { HttpError } from '../../../../console/server/http/httpError.js';
import type { Call, ConsoleParts } from '../../../../console/server/routes.js';
import { consoleSettingsFromEnv } from '../../../../console/server/settings.js';
import { encodeBars, type StoredBar } from '../../../../shared/pipeline/barBytes.js';
import type { IdRange } from '../../../../shared/pipeline/documentIds.js';

const minute = (day: number, h: number, m: number) => Date.UTC(2024, 0, day, h, m) / 60_000;

function episodeOf(start: number, end: number): EpisodeRow {
  const iso = (min: number) => `${new Date(min * 60_000).toISOString().slice(0, 19)}Z`;
  return {
    id: `A/B@${iso(start)}`,
    symbol: 'A/B',
    start: iso(start),
    end: iso(end),
    count: 1,
    a1: 1,
    a2: 0,
    peakSeverity: 1.2,
    status: 'new',
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function report(episode: EpisodeRow, stored: Map<string, DocumentData>) {
  const asked: IdRange[] = [];
  const parts = {
    settings: consoleSettingsFromEnv({ CONSOLE_USER: 'ana' }),
    documents: {
      // As Firestore answers a range of ids: those inside, in id order.
      bars: async (range: IdRange) => {
        asked.push(range);
        return [...stored.keys()]
          .filter((id) => id >= range.from && id <= range.to)
          .sort()
          .map((id) => stored.get(id)!);
      },
    },
    now: () => Date.UTC(2024, 0, 5, 6, 0),
  } as unknown as ConsoleParts;
  const answer: Answer = { status: 0, headers: {}, body: '' };
  const response = {
    writeHead(status: number, headers: Record<string, string>) {
      answer.status = status;
      answer.headers = headers;
    },
    end(text: string) {
      answer.body = text;
    },
  } as unknown as ServerResponse;
  const call: Call = {
    request: { headers: {} } as IncomingMessage,
    response,
    params: { id: episode.id },
    query: new URLSearchParams(),
    caller: 'ana',
  };
  const detail: EpisodeDetail = { episode, alerts: [], history: [], merged: [] };
  await sendCaseReport(parts, call, async () => detail);
  return { answer, asked };
}

const barsDocument = (bars: StoredBar[]): DocumentData => ({
  symbol: 'A/B',
  count: bars.length,
  bars: encodeBars(bars),
});

describe('sendCaseReport', () => {
  it("reads the bars of the report's day, and shows those of its minutes", async () => {
    const at = minute(2, 5, 0);
    // A document an hour: 04:44 and 04:45 in one, 05:00 in the next.
    const stored = new Map([
      [
        'A%2FB@2024-01-02T04',
        barsDocument([
          [at - 16, 1, 1, 1, 1, 1],
          [at - 15, 2, 2, 2, 2, 2],
        ]),
      ],
      ['A%2FB@2024-01-02T05', barsDocument([[at, 3, 3, 3, 3, 3]])],
    ]);
    const { answer, asked } = await report(episodeOf(at, at), stored);
    // The symbol as ids write it ('/' percent-encoded), one UTC day.
    expect(asked).toEqual([{ from: 'A%2FB@2024-01-02', to: 'A%2FB@2024-01-02\uffff' }]);
    expect(answer.status).toBe(200);
    // Made for the caller who asked (the verified caller on Cloud Run).
    expect(answer.body).toMatch(/\) for ana by the stock-anomalies console /);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe(
      'inline; filename="case-report-A_B_2024-01-02T05_00_00Z.html"',
    );
    // 15 minutes before: the bar at −15 is shown, the one at −16 is not.
    const rows = answer.body.match(/<tr( class="[^"]*")?><td>2024-01-02 [^<]*<\/td>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
  });

  it('reads both UTC days when its minutes cross midnight', async () => {
    const { asked } = await report(episodeOf(minute(2, 23, 50), minute(2, 23, 55)), new Map());
    expect(asked).toEqual([{ from: 'A%2FB@2024-01-02', to: 'A%2FB@2024-01-03\uffff' }]);
  });

  it('allows its one inline style sheet by hash, and nothing else to load', async () => {
    const { answer } = await report(episodeOf(minute(2, 5, 0), minute(2, 5, 0)), new Map());
    const style = /<style>([\s\S]*?)<\/style>/.exec(answer.body)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    const policy = answer.headers['content-security-policy']!;
    expect(policy).toContain(`style-src 'sha256-${hash}'`);
    expect(policy).toMatch(/^default-src 'none';/);
    expect(policy).not.toMatch(/script-src|'self'|unsafe/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it("passes the detail's refusal through, writing nothing", async () => {
    const parts = { settings: consoleSettingsFromEnv({}), now: () => 0 } as unknown as ConsoleParts;
    let written = false;
    const call = {
      response: { writeHead: () => (written = true), end: () => (written = true) },
      params: { id: 'X@1' },
    } as unknown as Call;
    await expect(
      sendCaseReport(parts, call, async () => {
        throw new HttpError(404, "episode 'X@1' not found");
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(written).toBe(false);
  });
});
