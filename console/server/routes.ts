/**
 * The API's endpoints (docs/console-api.md), each a function of the request's parameters and the console's
 * parts. Lists come from the read model (the alerts' from the alerts of the episodes a page reaches,
 * readModel/alertPages.ts) and then one getAll of their documents;
 * everything else asks the sources (sources/: Firestore, Cloud Storage, Kafka) and builds its answer with answers/.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DocumentData } from '@google-cloud/firestore';
import { formatMinute } from '../../shared/core/timestamp.js';
import type {
  Ingestion,
  IngestionCursor,
  IngestionPage,
  IngestionStatus,
} from '../../shared/state/ingestionStore.js';
import { dayOf } from '../../shared/pipeline/barBytes.js';
import { barDaysRange } from '../../shared/pipeline/documentIds.js';
import { alertIdParts, barsOf, chartOf, scoreContextOf } from '../answers/alertChart.js';
import {
  decodeIngestionCursor,
  downloadName,
  encodeIngestionCursor,
  listedIngestions,
  objectAddress,
} from '../answers/ingestions.js';
import { alertRowOf, episodeRowOf, episodeStatusOf, historyEntryOf } from '../answers/rows.js';
import { scoreValueOf } from '../../shared/state/episodeScore.js';
import { parseTriageRequest, type TriageConflict, type TriageWithdrawn } from '../answers/triage.js';
import { alertsPage, type CountAlerts } from '../readModel/alertPages.js';
import type { EpisodeAlerts } from '../readModel/episodeAlerts.js';
import { rulesOf } from '../readModel/ruleBits.js';
import type { ReadModel } from '../readModel/readModel.js';
import { STATUSES, statusOfCode } from '../readModel/statuses.js';
import type { ConsoleSettings } from './settings.js';
import type { Documents } from '../sources/documents.js';
import type { TriageResult } from '../sources/triageStore.js';
import type { EventStream } from './eventStream.js';
import { readJsonBody } from './http/body.js';
import { badParameter, HttpError, notFound } from './http/httpError.js';
import { SECURITY_HEADERS } from './http/respond.js';
import type { Route } from './http/router.js';
import { StreamSlots } from './callerLimits.js';
import type { CallerIdentity } from './identity.js';
import { sendCaseReport } from './caseReportRoute.js';
import type {
  AlertDetail,
  AlertRow,
  EpisodeDetail,
  EpisodeRow,
  Health,
  MergedEpisode,
  IngestionRow,
  Meta,
  Page,
  SessionAlert,
  TriageAnswer,
  TriageRequest,
} from '../api/contract.js';
import { DEFAULT_LIMIT, listQueryOf, MAX_LIMIT } from './listParameters.js';

/** What the endpoints work with; start.ts makes the real ones, the tests their own. */
export interface ConsoleParts {
  settings: ConsoleSettings;
  model: ReadModel;
  /** The alerts of episodes, read when a page needs them, and counts of alerts (alertPages.ts). */
  alerts: { held: EpisodeAlerts; count: CountAlerts };
  documents: Documents;
  triage: {
    apply(
      id: string,
      request: TriageRequest,
      by: string,
      now: number,
    ): Promise<TriageResult | TriageConflict | TriageWithdrawn | undefined>;
    history(id: string): Promise<DocumentData[]>;
  };
  ingestions: {
    page(request: {
      status?: IngestionStatus;
      limit: number;
      after?: IngestionCursor;
    }): Promise<IngestionPage>;
    get(id: string): Promise<Ingestion | undefined>;
  };
  /** The set-aside object, if it exists, as a stream. */
  openObject(bucket: string, name: string): Promise<Readable | undefined>;
  health(): Promise<Health>;
  events: EventStream;
  now(): number;
  /** Who calls (identity.ts); app.ts makes it from the settings when absent. */
  identity?: CallerIdentity;
}

export interface Call {
  request: IncomingMessage;
  response: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Who calls: the verified caller on Cloud Run, the configured user locally (app.ts). */
  caller: string;
}

/** A handler's answer: a JSON body, or STREAMED when it wrote the response itself. */
export const STREAMED = Symbol('streamed');
export type Handler = (call: Call) => Promise<unknown>;

const MINUTES_PER_DAY = 1440;

const INGESTION_STATUSES = ['running', 'done', 'rejected', 'gone', 'failed'];

function onlyParameters(query: URLSearchParams, allowed: string[]): void {
  for (const name of query.keys()) if (!allowed.includes(name)) throw badParameter(name, 'unknown parameter');
}

/** 503 while the read model is loading: its lists would be incomplete. */
function requireLoaded(model: ReadModel): void {
  if (model.ready) return;
  const { episodes } = model.progress;
  throw new HttpError(
    503,
    `loading episodes ${episodes.read} of ${episodes.expected ?? '?'}: the console reads every episode once at start`,
    { 'retry-after': '1' },
  );
}

export function consoleRoutes(parts: ConsoleParts): Route<Handler>[] {
  const { model, documents, settings } = parts;
  // Per caller on Cloud Run only, as the request rate (app.ts): locally every page is the one user's, and a
  // session of tests opens many; the instance's total holds everywhere.
  const { total, perCaller } = settings.limits.streams;
  const streams = new StreamSlots({
    total,
    perCaller: settings.identity.platformIdentity ? perCaller : total,
  });

  const listAlerts: Handler = async ({ query }) => {
    const list = listQueryOf(query);
    requireLoaded(model);
    const page = await alertsPage(model, parts.alerts.held, list, parts.alerts.count);
    const found = await documents.alerts(page.facts.map((fact) => fact.id));
    const items: AlertRow[] = [];
    for (const { id, episode } of page.facts) {
      const data = found.get(id);
      if (data && data.withdrawn == null)
        items.push(
          alertRowOf(id, data, statusOfCode(model.statusOfEpisode(episode)), model.scoreOfEpisode(episode)),
        );
      // Deleted without the feeds saying so (a TTL policy deletes old alerts), or withdrawn by a late bar before
      // the feed said so: left out, and its episode's alerts read again for the next page.
      else parts.alerts.held.drop(episode);
    }
    return {
      items,
      ...(page.next !== undefined && { next: page.next }),
      total: page.total,
    } satisfies Page<AlertRow>;
  };

  const listEpisodes: Handler = async ({ query }) => {
    const list = listQueryOf(query);
    requireLoaded(model);
    const page = model.listEpisodes(list);
    const ids = page.rows.map((row) => model.episodes.id(row));
    const found = await documents.episodes(ids);
    const items = ids.flatMap((id) => {
      const data = found.get(id);
      if (data === undefined) model.removeEpisode(id, parts.now()); // deleted unseen, as alerts above
      return data ? [episodeRowOf(id, data)] : [];
    });
    return {
      items,
      ...(page.next !== undefined && { next: page.next }),
      total: page.total,
    } satisfies Page<EpisodeRow>;
  };

  const episodeDetail: Handler = async ({ params, query }) => {
    onlyParameters(query, []);
    const id = params.id!;
    // The alerts naming the episode, as held for the lists or read by one query on `episode` (503 while the model
    // loads, as the lists: the episode's count, which says whether what is held is current, is not known yet).
    requireLoaded(model);
    const facts = (await parts.alerts.held.of([id], (key) => model.countOf(key))).get(id) ?? [];
    const ids = [...facts].sort((a, b) => a.minute - b.minute).map((fact) => fact.id);
    const [episode, found, history, merged] = await Promise.all([
      documents.episode(id),
      documents.alerts(ids),
      parts.triage.history(id),
      mergedEpisodes(id),
    ]);
    if (episode === undefined) throw notFound(`episode '${id}'`);
    const status = episodeStatusOf(episode);
    const score = scoreValueOf(episode.score);
    const alerts = ids.flatMap((key) => {
      const data = found.get(key);
      // The document is the truth: one that no longer names the episode, or that a late bar withdrew (the model
      // not told yet), is left out.
      return data !== undefined && data.episode === id && data.withdrawn == null
        ? [alertRowOf(key, data, status, score)]
        : [];
    });
    return {
      episode: episodeRowOf(id, episode),
      alerts,
      history: history.map(historyEntryOf),
      merged,
    } satisfies EpisodeDetail;
  };

  /**
   * The withdrawn episodes a late bar's revision merged into `id`, in order of start, each with its history: the
   * triage recorded on them is shown where their alerts now are. Usually none; one query and a read per history.
   */
  async function mergedEpisodes(id: string): Promise<MergedEpisode[]> {
    const found = [...(await documents.mergedInto(id))].map(([key, data]) => episodeRowOf(key, data));
    found.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
    const histories = await Promise.all(found.map((row) => parts.triage.history(row.id)));
    return found.map((row, i) => ({ episode: row, history: histories[i]!.map(historyEntryOf) }));
  }

  const triage: Handler = async ({ request, params, query, caller }) => {
    onlyParameters(query, []);
    const id = params.id!;
    const parsed = parseTriageRequest(await readJsonBody(request, settings.maxBodyBytes));
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    const result = await parts.triage.apply(id, parsed.value, caller, parts.now());
    if (result === undefined) throw notFound(`episode '${id}'`);
    if ('withdrawn' in result) {
      const { at, into } = result.withdrawn;
      throw new HttpError(
        409,
        `episode '${id}' was withdrawn at ${at}: a late bar regrouped its alerts, ` +
          (into === null
            ? 'and it is no longer an episode; nothing was written'
            : `merging it into episode '${into}': triage that one; nothing was written`),
      );
    }
    if ('conflict' in result) {
      const { by: who, at } = result.conflict;
      throw new HttpError(
        409,
        `episode '${id}' was triaged by ${who} at ${at} since you loaded it: reload to see it`,
      );
    }
    model.setEpisodeStatus(id, parsed.value.status);
    return {
      episode: episodeRowOf(id, result.episode),
      history: result.history.map(historyEntryOf),
    } satisfies TriageAnswer;
  };

  const alertDetail: Handler = async ({ params, query }) => {
    onlyParameters(query, []);
    const id = params.id!;
    const alert = await documents.alert(id);
    if (alert === undefined) throw notFound(`alert '${id}'`);
    const episode = typeof alert.episode === 'string' ? await documents.episode(alert.episode) : undefined;
    return {
      alert: alertRowOf(id, alert, episodeStatusOf(episode), scoreValueOf(episode?.score)),
      episode: episode === undefined ? null : episodeRowOf(String(alert.episode), episode),
    } satisfies AlertDetail;
  };

  const chart: Handler = async ({ params, query }) => {
    onlyParameters(query, []);
    const id = params.id!;
    const located = alertIdParts(id);
    if (located === undefined) throw notFound(`alert '${id}'`);
    requireLoaded(model);
    // The episode (for its score's context) is read beside the alert and its bars, as the model names it; the
    // alert document is the truth, so an episode it names otherwise is read after it.
    const modelEpisode = episodeOfAlertId(located.symbolPart, located.minute);
    const [[alert, bars], guessed] = await Promise.all([
      documents.alertAndBars(
        id,
        barDaysRange(located.symbolPart, dayOf(located.minute), dayOf(located.minute)),
      ),
      modelEpisode === undefined ? undefined : documents.episode(modelEpisode),
    ]);
    if (alert === undefined) throw notFound(`alert '${id}'`);
    const episodeId = typeof alert.episode === 'string' ? alert.episode : undefined;
    const episode =
      episodeId === undefined
        ? undefined
        : episodeId === modelEpisode
          ? guessed
          : await documents.episode(episodeId);
    const symbol = String(alert.symbol);
    const sessionAlerts: SessionAlert[] = (await sameDayAlerts(symbol, located.minute)).map((fact) => ({
      id: fact.id,
      timestamp: formatMinute(fact.minute),
      rules: rulesOf(fact.rules),
      severity: Number.isNaN(fact.severity) ? null : fact.severity,
    }));
    const status = statusOfCode(episodeId === undefined ? 0 : model.statusOfEpisode(episodeId));
    return chartOf(
      alertRowOf(id, alert, status, scoreValueOf(episode?.score)),
      barsOf(bars),
      sessionAlerts,
      settings.thresholds,
      settings.timeZone,
      scoreContextOf(episode),
    );
  };

  /** `symbol`'s alerts of the UTC day holding `minute`, in time order: those of its episodes that day. */
  async function sameDayAlerts(symbol: string, minute: number) {
    const first = Math.floor(minute / MINUTES_PER_DAY) * MINUTES_PER_DAY;
    const ids = model.episodesOver(symbol, first * 60_000, (first + MINUTES_PER_DAY) * 60_000 - 1);
    const found = await parts.alerts.held.of(ids, (key) => model.countOf(key));
    return [...found.values()]
      .flat()
      .filter((fact) => fact.minute >= first && fact.minute < first + MINUTES_PER_DAY)
      .sort((a, b) => a.minute - b.minute);
  }

  /** The episode the model says holds the alert (as its id names it): the symbol's episode over its minute. */
  function episodeOfAlertId(symbolPart: string, minute: number): string | undefined {
    // The id's symbol is percent-encoded (shared/pipeline/documentIds.ts: '%', '/', a lone '.' or '..').
    let symbol: string;
    try {
      symbol = decodeURIComponent(symbolPart);
    } catch {
      return undefined;
    }
    return model.episodesOver(symbol, minute * 60_000, minute * 60_000)[0];
  }

  /** A page of the ingestions, newest first: a bounded read whatever their number. */
  const ingestions: Handler = async ({ query }) => {
    onlyParameters(query, ['status', 'limit', 'after']);
    const status = query.get('status') ?? undefined;
    if (status !== undefined && !INGESTION_STATUSES.includes(status)) {
      throw badParameter('status', `must be one of ${INGESTION_STATUSES.join(', ')}`);
    }
    const limitText = query.get('limit') ?? String(DEFAULT_LIMIT);
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT)
      throw badParameter('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
    const afterText = query.get('after') ?? undefined;
    const after = afterText === undefined ? undefined : decodeIngestionCursor(afterText);
    if (afterText !== undefined && after === undefined)
      throw badParameter('after', 'not a cursor of the ingestions list');
    const page = await parts.ingestions.page({
      limit,
      ...(status !== undefined && { status: status as IngestionStatus }),
      ...(after !== undefined && { after }),
    });
    return {
      items: listedIngestions(page.items),
      ...(page.next !== undefined && { next: encodeIngestionCursor(page.next) }),
    } satisfies { items: IngestionRow[]; next?: string };
  };

  const setAside: Handler = async ({ params, query, response }) => {
    onlyParameters(query, []);
    const id = params.id!;
    const ingestion = await parts.ingestions.get(id);
    if (ingestion === undefined) throw notFound(`ingestion '${id}'`);
    const address = objectAddress(ingestion.quarantine);
    if (address === undefined) throw new HttpError(404, `ingestion '${id}' set no rows aside`);
    // The report names the object; only this deployment's set-aside objects are served, whatever it says.
    const { bucket, prefix } = settings.setAside;
    if (address.bucket !== bucket || !address.name.startsWith(prefix)) {
      throw new HttpError(404, `ingestion '${id}': its set-aside rows are not in gs://${bucket}/${prefix}`);
    }
    const stream = await parts.openObject(address.bucket, address.name);
    if (stream === undefined)
      throw new HttpError(404, `the set-aside rows of '${id}' are no longer in the bucket`);
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${downloadName(address.name)}"`,
      'cache-control': 'no-store',
    });
    await pipeline(stream, response);
    return STREAMED;
  };

  const health: Handler = async ({ query }) => {
    onlyParameters(query, []);
    return parts.health();
  };

  const meta: Handler = async ({ query, caller }) => {
    onlyParameters(query, []);
    return {
      symbols: model.listedSymbols(),
      statuses: [...STATUSES],
      user: caller,
      version: settings.version,
      // The exchange zone of the detection settings (EXCHANGE_TIMEZONE): the web app shows every time in it.
      timeZone: settings.timeZone,
    } satisfies Meta;
  };

  const events: Handler = async ({ response, query, caller }) => {
    onlyParameters(query, []);
    const slot = streams.acquire(caller);
    if (!slot.ok) {
      throw new HttpError(429, `too many event streams: ${slot.why}`, {
        'retry-after': String(slot.retryAfterSeconds),
      });
    }
    response.once('close', slot.release);
    parts.events.attach(response);
    return STREAMED;
  };

  return [
    { method: 'GET', pattern: '/api/alerts', handler: listAlerts },
    { method: 'GET', pattern: '/api/alerts/:id', handler: alertDetail },
    { method: 'GET', pattern: '/api/alerts/:id/chart', handler: chart },
    { method: 'GET', pattern: '/api/episodes', handler: listEpisodes },
    { method: 'GET', pattern: '/api/episodes/:id', handler: episodeDetail },
    { method: 'POST', pattern: '/api/episodes/:id/triage', handler: triage },
    {
      method: 'GET',
      pattern: '/api/episodes/:id/report',
      handler: async (call) => {
        await sendCaseReport(parts, call, (asked) => episodeDetail(asked) as Promise<EpisodeDetail>);
        return STREAMED;
      },
    },
    { method: 'GET', pattern: '/api/ingestions', handler: ingestions },
    { method: 'GET', pattern: '/api/ingestions/:id/set-aside', handler: setAside },
    { method: 'GET', pattern: '/api/health', handler: health },
    { method: 'GET', pattern: '/api/meta', handler: meta },
    { method: 'GET', pattern: '/api/events', handler: events },
  ];
}
