/**
 * The suspicion score drawn (score.ts says it in words): a list cell (the score, marked provisional, or "not
 * scored"), the top factor's cell, and "Why it ranks here": the score, provisional or settled, the baseline, and a
 * table of each factor's points and the figures behind them. Pages pass what their ctrl holds.
 */
import type { EpisodeScore } from '../api/contract.js';
import { h } from './dom.js';
import { BASELINE_TEXT, FACTOR_LABELS, formatPoints, formatScore, scoreState, topFactor } from './score.js';

/** The score in a list: `63.4`, marked `prov.` while provisional, or `not scored`. */
export function scoreCell(value: number | undefined, provisional = false): HTMLElement {
  if (value === undefined)
    return h('span', { class: 'score score-none', 'data-testid': 'score' }, 'not scored');
  return h(
    'span',
    { class: 'score', 'data-testid': 'score' },
    h('span', { class: 'num' }, formatScore(value)),
    provisional
      ? h(
          'span',
          { class: 'badge provisional', title: 'provisional: the market’s minute was incomplete' },
          'prov.',
        )
      : null,
  );
}

/** The factor that added most, with its points; empty when not scored or none added anything. */
export function topFactorCell(score: EpisodeScore | undefined): HTMLElement | string {
  const top = topFactor(score);
  if (top === undefined) return '';
  return h(
    'span',
    { class: 'top-factor', 'data-testid': 'top-factor', title: top.detail },
    `${FACTOR_LABELS[top.factor]} `,
    h('span', { class: 'num points' }, formatPoints(top.points)),
  );
}

/**
 * "Why it ranks here": the score and its state, the baseline, each factor's points (negative ones marked) and
 * detail; `alertPart`, on an alert's page, adds that alert's part. Says "not scored" for an episode without one.
 */
export function whyItRanks(score: EpisodeScore | undefined, alertPart?: number): HTMLElement {
  const heading = h('h2', {}, 'Why it ranks here');
  if (score === undefined) {
    return h(
      'section',
      { class: 'why-ranks', 'data-testid': 'why-ranks' },
      heading,
      h(
        'p',
        { class: 'score-line', 'data-testid': 'score-line' },
        'Not scored: this episode was stored before suspicion scores; it ranks after every scored one.',
      ),
    );
  }
  const state = scoreState(score);
  return h(
    'section',
    { class: 'why-ranks', 'data-testid': 'why-ranks' },
    heading,
    h(
      'p',
      { class: 'score-line', 'data-testid': 'score-line' },
      'Score ',
      h('strong', { 'data-testid': 'score-value' }, formatScore(score.score)),
      ' of 100 ',
      h('span', { class: `badge score-${state}`, 'data-testid': 'score-state' }, state),
      state === 'provisional' ? ' (the market’s minute was incomplete: it may change)' : '',
    ),
    h(
      'p',
      { class: 'baseline', 'data-testid': 'score-baseline' },
      `Measured ${BASELINE_TEXT[score.baseline]}.`,
    ),
    alertPart === undefined
      ? null
      : h('p', { 'data-testid': 'alert-points' }, `This alert's part: ${formatPoints(alertPart)} points.`),
    h(
      'table',
      { class: 'grid factors', 'data-testid': 'score-factors' },
      h('caption', { class: 'visually-hidden' }, 'Score factors'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Factor'),
          h('th', { scope: 'col', class: 'num' }, 'Points'),
          h('th', { scope: 'col' }, 'Why'),
        ),
      ),
      h(
        'tbody',
        {},
        score.factors.length === 0
          ? h('tr', { class: 'empty' }, h('td', { colspan: 3 }, 'No factors stored.'))
          : score.factors.map((factor) =>
              h(
                'tr',
                { 'data-testid': 'score-factor', 'data-factor': factor.factor },
                h('td', {}, FACTOR_LABELS[factor.factor]),
                h(
                  'td',
                  {
                    class: `num points ${factor.points < 0 ? 'negative' : factor.points > 0 ? 'positive' : ''}`,
                    'data-testid': 'factor-points',
                  },
                  formatPoints(factor.points),
                ),
                h('td', { class: 'detail' }, factor.detail),
              ),
            ),
      ),
    ),
  );
}
