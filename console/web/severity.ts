/**
 * A severity as a bar and a number. The bar is logarithmic and bounded, ln(1 + s) / ln(1 + 20), so that it
 * reads the same on every page and still tells 0.5 from 3 from 8 (20 and beyond fill it); the number is exact.
 */
import { h } from './dom.js';
import { formatSeverity } from './format.js';

/** The severity that fills the bar. */
export const SEVERITY_FULL = 20;

export function severityFill(severity: number): number {
  if (!Number.isFinite(severity) || severity <= 0) return 0;
  return Math.min(1, Math.log1p(severity) / Math.log1p(SEVERITY_FULL));
}

export function severityCell(severity: number | null): HTMLElement {
  if (severity === null) return h('span', { class: 'sev sev-none', title: 'no severity' }, '—');
  const bar = h('span', { class: 'sev-bar' });
  bar.style.width = `${(severityFill(severity) * 100).toFixed(1)}%`;
  return h(
    'span',
    { class: 'sev', title: `severity ${severity}` },
    h('span', { class: 'sev-track', 'aria-hidden': 'true' }, bar),
    h('span', { class: 'num' }, formatSeverity(severity)),
  );
}
