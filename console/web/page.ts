/**
 * A page: it renders into the main element for its route, and everything it starts (requests, timers, the
 * change feed's listener, its chart) stops when `signal` aborts, which main.ts does when the route changes:
 * no page needs an unmount of its own, nor a flag saying it is gone. Its keys are set through
 * keyboard.setPageKeys when it mounts.
 */
import type { Route } from './hashRoutes.js';

export type PageFactory = (root: HTMLElement, route: Route, signal: AbortSignal) => void;

/** Sets the document title as `<page> · stock-anomalies console`. */
export function setTitle(title: string): void {
  document.title = `${title} · stock-anomalies console`;
}
