/**
 * An alert written afterwards (with writtenAt, as notify writes it, and its episode, as detect writes it) appears
 * in the list and on the event stream without a restart (across the follower's reads that found nothing new). The
 * lists go by the episodes (an alert is listed once its episode document is read), so the episode is written too.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import { alertId } from '../../../shared/pipeline/documentIds.js';
import { FieldValue } from '@google-cloud/firestore';
import { FirestoreAlertStore } from '../../../shared/state/alertStore.js';
import { alertAndEpisodeRecords, episodeData } from '../../helpers/consoleFixture.js';
import { COLLECTIONS, db, url, get, seededConsole } from './consoleUnderTest.js';
import { HAND_ALERT, THRESHOLDS, allAlerts } from './seeds.js';

seededConsole();

describe('the console server on the real emulator: live updates', () => {
  it('shows an alert written afterwards in the list and on the event stream, without a restart', async () => {
    const events = await fetch(url('/api/events'));
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextEvent = async (): Promise<{ alerts: number; episodes: number; newest: string | null }> => {
      for (;;) {
        const end = text.indexOf('\n\n');
        if (end >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: change') && data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextEvent();
    expect(first.alerts).toBe(allAlerts.length);
    // Past a few reads of the feed that found nothing new.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const fresh: Alert = {
      ...HAND_ALERT,
      symbol: 'NEWCO',
      timestamp: '2017-01-05T04:00:00Z',
      episodeStart: '2017-01-05T04:00:00Z',
    };
    // Written as notify writes it (the alert and the feed entry the console follows) and as detect writes its
    // episode (after it: notify may write an alert before detect commits, and the console waits for the episode).
    await new FirestoreAlertStore(db, COLLECTIONS.ALERTS_COLLECTION).write([fresh]);
    const [episode] = alertAndEpisodeRecords([fresh], THRESHOLDS).episodes;
    await db
      .collection(COLLECTIONS.EPISODES_COLLECTION)
      .doc(episode!.id)
      .set(episodeData(episode!, FieldValue.serverTimestamp()));
    let event = await nextEvent();
    while (event.alerts < allAlerts.length + 1) event = await nextEvent();
    expect(event).toMatchObject({ alerts: allAlerts.length + 1, newest: '2017-01-05T04:00:00Z' });
    await reader.cancel();

    const { body } = await get('/api/alerts?sort=newest&limit=1');
    expect(body.items[0].id).toBe(alertId(fresh));
    expect(body.total).toBe(allAlerts.length + 1);
    const meta = (await get('/api/meta')).body;
    expect(meta.symbols).toContain('NEWCO');
    expect(meta).toMatchObject({ user: 'tester', timeZone: 'Asia/Kolkata' });
  }, 60_000);
});
