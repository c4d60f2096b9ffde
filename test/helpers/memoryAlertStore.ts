/** An in-memory stand-in for FirestoreAlertStore with the same semantics, for unit tests. */
import type { Alert } from '../../shared/core/alert.js';
import { serviceError } from '../../shared/errors.js';
import { alertId } from '../../shared/pipeline/documentIds.js';
import { ALERT_MESSAGE_VERSION, revisionsOf, type AlertMessage } from '../../shared/pipeline/alertMessage.js';
import { bySymbolAndMinute, type AlertFilter, type AlertStore } from '../../shared/state/alertStore.js';

export interface StoredAlert {
  alert: Alert;
  expireAt?: Date;
  version: number;
  withdrawn: boolean;
}

export class MemoryAlertStore implements AlertStore {
  /** By document id (alertId). */
  readonly documents = new Map<string, StoredAlert>();
  /** Failures the next calls meet, as the Firestore client would throw them (wrapped the same way). */
  readonly failures: unknown[] = [];

  async write(alerts: readonly Alert[], expireAt?: Date): Promise<void> {
    await this.writeMessage({ v: ALERT_MESSAGE_VERSION, alerts: [...alerts] }, expireAt);
  }

  /** Like the store: an alert is written unless a version at least as late is stored. */
  async writeMessage(message: AlertMessage, expireAt?: Date): Promise<void> {
    this.#failure();
    const version = message.version ?? 0;
    for (const { alert, change } of revisionsOf(message)) {
      const id = alertId(alert);
      const stored = this.documents.get(id);
      if (stored !== undefined && stored.version >= version) continue;
      this.documents.set(id, {
        alert: structuredClone(change === 'withdrawn' && stored ? stored.alert : alert),
        ...(expireAt ? { expireAt } : {}),
        version,
        withdrawn: change === 'withdrawn',
      });
    }
  }

  async writtenBySymbol(): Promise<Map<string, number>> {
    this.#failure();
    // A message written again is not counted again, as the store's feed entries see to.
    const written = new Map<string, number>();
    for (const { alert, withdrawn } of this.documents.values()) {
      if (!withdrawn) written.set(alert.symbol, (written.get(alert.symbol) ?? 0) + 1);
    }
    return written;
  }

  async all(filter: AlertFilter = {}): Promise<Alert[]> {
    this.#failure();
    return this.#matching(filter);
  }

  #matching(filter: AlertFilter): Alert[] {
    return [...this.documents.values()]
      .filter((stored) => !stored.withdrawn)
      .map((stored) => structuredClone(stored.alert))
      .filter((alert) => filter.symbol === undefined || alert.symbol === filter.symbol)
      .filter((alert) => filter.rule === undefined || alert.rules.includes(filter.rule))
      .sort(bySymbolAndMinute);
  }

  #failure(): void {
    if (this.failures.length > 0) throw serviceError('Firestore', this.failures.shift());
  }
}
