/**
 * What a page module gives main.ts: it renders into the main element for its route and cleans up (timers,
 * subscriptions) when the route changes. Its keys are set through keyboard.setPageKeys when it mounts.
 */
import type { Route } from './hashRoutes.js';

export interface PageHandle {
  unmount(): void;
}

export type PageFactory = (root: HTMLElement, route: Route) => PageHandle;

/** Sets the document title as `<page> · stock-anomalies console`. */
export function setTitle(title: string): void {
  document.title = `${title} · stock-anomalies console`;
}
