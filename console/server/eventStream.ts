/**
 * The `/api/events` stream (server-sent events): a `change` event, debounced, whenever the read model
 * changes, carrying the totals and the newest alert time; one at connection; and a comment every 15 s, so
 * that proxies keep the connection open and a dead client is noticed.
 */
import type { ServerResponse } from 'node:http';
import type { ChangeEvent } from '../api/contract.js';
import { SECURITY_HEADERS } from './http/respond.js';

export interface EventStreamOptions {
  debounceMs: number;
  pingMs: number;
}

export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  #pending: NodeJS.Timeout | undefined;
  readonly #ping: NodeJS.Timeout;

  constructor(
    private readonly summary: () => ChangeEvent,
    private readonly options: EventStreamOptions = { debounceMs: 250, pingMs: 15_000 },
  ) {
    this.#ping = setInterval(() => this.#send(': ping\n\n'), options.pingMs);
    this.#ping.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Something changed: one event goes out at most every debounce interval. */
  changed(): void {
    if (this.#pending !== undefined || this.#clients.size === 0) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#send(this.#event());
    }, this.options.debounceMs);
  }

  attach(response: ServerResponse): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 2000\n${this.#event()}`);
    this.#clients.add(response);
    response.on('close', () => this.#clients.delete(response));
  }

  close(): void {
    clearInterval(this.#ping);
    clearTimeout(this.#pending);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #event(): string {
    return `event: change\ndata: ${JSON.stringify(this.summary())}\n\n`;
  }

  #send(text: string): void {
    for (const client of this.#clients) client.write(text);
  }
}
