/**
 * Until the pipeline writes them itself (docs/records.md: severity and `episode` on alerts by notify, episodes
 * and `bars/` by detect; main is adding them), the console's browser tests write those fields over what the
 * real pipeline stored, so that the real console server has something to list, chart and triage. It does
 * nothing once the pipeline writes episodes: `seedPipelineFields` checks first and says whether it seeded.
 *
 * What it writes, provisionally (the contract's §4 and §5 are main's to define):
 * - severity: each rule's distance past its threshold (A1: |change| / threshold − 1; A2: ratio / 1.02 − 1), the
 *   alert's the larger;
 * - episodes: a symbol's alerts no more than ten minutes apart, `SYMBOL@start`;
 * - bars: every accepted bar of the dropped files, read by the project's own reader (shared/core), by UTC day.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../shared/core/barTable.js';
import { ingestLimitsFromEnv } from '../../shared/config/ingestLimits.js';
import { readObject } from '../../shared/core/readObject.js';
import { ZoneOffsets } from '../../shared/core/timestamp.js';
import { alertId, symbolStateId } from '../../shared/pipeline/documentIds.js';

const A1 = 0.005;
const A2 = 0.02;
const EPISODE_GAP_MINUTES = 10;

interface StoredAlert {
  id: string;
  symbol: string;
  minute: number;
  rules: string[];
  a1?: { changePct: number };
  a2?: { volumeRatio: number | null };
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export function severityParts(alert: Pick<StoredAlert, 'a1' | 'a2'>): {
  a1: number | null;
  a2: number | null;
  severity: number | null;
} {
  const a1 = alert.a1 ? round6(Math.abs(alert.a1.changePct) / (A1 * 100) - 1) : null;
  const a2 = alert.a2 && alert.a2.volumeRatio !== null ? round6(alert.a2.volumeRatio / (1 + A2) - 1) : null;
  const parts = [a1, a2].filter((part): part is number => part !== null);
  return { a1, a2, severity: parts.length === 0 ? null : Math.max(...parts) };
}

/** Writes severity, episodes and bars unless the pipeline already writes episodes; true when it seeded. */
export async function seedPipelineFields(
  db: Firestore,
  files: string[],
  zone = 'Asia/Kolkata',
): Promise<boolean> {
  const existing = await db.collection('episodes').limit(1).get();
  if (!existing.empty) return false;
  const alertDocs = await db.collection('alerts').get();
  const alerts: StoredAlert[] = alertDocs.docs.map((doc) => {
    const data = doc.data();
    return {
      id: doc.id,
      symbol: String(data.symbol),
      minute: Math.floor((data.timestamp as Timestamp).toMillis() / 60_000),
      rules: data.rules as string[],
      ...(data.a1 ? { a1: { changePct: Number(data.a1.changePct) } } : {}),
      ...(data.a2
        ? { a2: { volumeRatio: data.a2.volumeRatio === null ? null : Number(data.a2.volumeRatio) } }
        : {}),
    };
  });
  alerts.sort((a, b) => (a.symbol === b.symbol ? a.minute - b.minute : a.symbol < b.symbol ? -1 : 1));

  let batch = db.batch();
  let writes = 0;
  const flush = async (force = false) => {
    if (writes >= 400 || (force && writes > 0)) {
      await batch.commit();
      batch = db.batch();
      writes = 0;
    }
  };

  // Episodes and the alerts' severity and episode.
  let run: StoredAlert[] = [];
  const closeRun = async () => {
    if (run.length === 0) return;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const startIso = new Date(first.minute * 60_000).toISOString().replace('.000Z', 'Z');
    const episodeId = alertId({ symbol: first.symbol, timestamp: startIso });
    const severities = run
      .map((alert) => severityParts(alert).severity)
      .filter((s): s is number => s !== null);
    batch.set(db.collection('episodes').doc(episodeId), {
      symbol: first.symbol,
      start: Timestamp.fromMillis(first.minute * 60_000),
      end: Timestamp.fromMillis(last.minute * 60_000),
      count: run.length,
      a1: run.filter((alert) => alert.rules.includes('A1')).length,
      a2: run.filter((alert) => alert.rules.includes('A2')).length,
      peakSeverity: severities.length === 0 ? null : Math.max(...severities),
      updatedAt: FieldValue.serverTimestamp(),
    });
    writes++;
    for (const alert of run) {
      const parts = severityParts(alert);
      batch.update(db.collection('alerts').doc(alert.id), {
        severity: parts.severity,
        ...(alert.a1 ? { 'a1.severity': parts.a1 } : {}),
        ...(alert.a2 ? { 'a2.severity': parts.a2 } : {}),
        episode: episodeId,
        writtenAt: FieldValue.serverTimestamp(),
      });
      writes++;
      await flush();
    }
    run = [];
  };
  for (const alert of alerts) {
    const previous = run[run.length - 1];
    if (
      previous &&
      (previous.symbol !== alert.symbol || alert.minute - previous.minute > EPISODE_GAP_MINUTES)
    ) {
      await closeRun();
    }
    run.push(alert);
  }
  await closeRun();

  // Bars by symbol and UTC day.
  const offsets = new ZoneOffsets(zone);
  for (const file of files) {
    const bars = await readObject([readFileSync(file)], {
      objectName: basename(file),
      zone: offsets,
      limits: ingestLimitsFromEnv({}),
    });
    for (const symbolRun of bars.runs) {
      const days = new Map<string, Record<string, number[]>>();
      for (const row of symbolRun.rows) {
        const minute = bars.table.minute(row);
        const day = new Date(minute * 60_000).toISOString().slice(0, 10);
        let minutes = days.get(day);
        if (!minutes) days.set(day, (minutes = {}));
        minutes[String(minute)] = [OPEN, HIGH, LOW, CLOSE, VOLUME].map((column) =>
          bars.table.value(row, column),
        );
      }
      for (const [day, minutes] of days) {
        batch.set(db.collection('bars').doc(`${symbolStateId(symbolRun.symbol)}@${day}`), {
          symbol: symbolRun.symbol,
          day,
          minutes,
        });
        writes++;
        await flush();
      }
    }
  }
  await flush(true);
  return true;
}
