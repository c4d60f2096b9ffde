import { describe, expect, it } from 'vitest';
import { encodeSegment, href, parseHash } from '../../../../console/web/hashRoutes.js';

describe('console/web hashRoutes', () => {
  it.each([
    ['', { page: 'episodes' }],
    ['#/', { page: 'episodes' }],
    ['#/alerts?symbol=X', { page: 'alerts' }],
    ['#/ingestions', { page: 'ingestions' }],
    ['#/health', { page: 'health' }],
    ['#/alerts/IDFCFIRSTB@2017-01-02T05:06:00Z', { page: 'alert', id: 'IDFCFIRSTB@2017-01-02T05:06:00Z' }],
    ['#/episodes/A%2FB@2017-01-02T05:06:00Z', { page: 'episode', id: 'A/B@2017-01-02T05:06:00Z' }],
    ['#/nowhere', { page: 'notFound' }],
    ['#/alerts/a/b', { page: 'notFound' }],
    ['#/alerts/%E0%A4', { page: 'notFound' }],
  ])('%s is %o', (hash, expected) => {
    expect(parseHash(hash)).toMatchObject(expected);
  });

  it('keeps the params of a list', () => {
    expect(parseHash('#/alerts?symbol=X&sort=severity').params.get('sort')).toBe('severity');
  });

  it('writes ids readable but safe, and reads them back', () => {
    expect(encodeSegment('IDFCFIRSTB@2017-01-02T05:06:00Z')).toBe('IDFCFIRSTB@2017-01-02T05:06:00Z');
    const odd = 'A B/?#%@2017-01-02T05:06:00Z';
    const route = parseHash(href.alert(odd));
    expect(route).toMatchObject({ page: 'alert', id: odd });
  });
});
