/**
 * A severity as a bar and a number. The bar is bounded (s / (s + 1): 0.05 fills 5%, 1 half, 3 three quarters)
 * so that it reads the same on every page; the number is exact.
 */
import { h } from './dom.js';
import { formatSeverity } from './format.js';

export function severityFill(severity: number): number {
  if (!Number.isFinite(severity) || severity <= 0) return 0;
  return severity / (severity + 1);
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
