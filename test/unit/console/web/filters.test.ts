import { describe, expect, it } from 'vitest';
import { listSearch } from '../../../../console/web/api.js';
import { dayToIso, queryFromParams, withFilter } from '../../../../console/web/filters.js';

describe('console/web filters: the URL and the API query', () => {
  it('takes an exchange day as its first and last instant', () => {
    expect(dayToIso('2017-01-03', 'Asia/Kolkata')).toBe('2017-01-02T18:30:00.000Z');
    expect(dayToIso('2017-01-03', 'Asia/Kolkata', true)).toBe('2017-01-03T18:29:59.999Z');
    expect(dayToIso('2017-01-03T05:00:00Z', 'Asia/Kolkata')).toBe('2017-01-03T05:00:00.000Z');
    expect(dayToIso('soon', 'Asia/Kolkata')).toBeUndefined();
  });

  it('passes the set filters on, in the API names', () => {
    const params = new URLSearchParams(
      'symbol=TATASTEEL&rule=A1&from=2017-01-03&to=2017-01-03&sort=severity&limit=5',
    );
    const query = queryFromParams(params, 'Asia/Kolkata');
    expect(query).toEqual({
      sort: 'severity',
      symbol: 'TATASTEEL',
      rule: 'A1',
      from: '2017-01-02T18:30:00.000Z',
      to: '2017-01-03T18:29:59.999Z',
      limit: 5,
    });
    expect(listSearch({ ...query, after: 'abc' })).toBe(
      '?sort=severity&symbol=TATASTEEL&rule=A1&from=2017-01-02T18%3A30%3A00.000Z&to=2017-01-03T18%3A29%3A59.999Z&after=abc&limit=5',
    );
    expect(listSearch({})).toBe('');
  });

  it('passes the score order and the minimum score on', () => {
    const query = queryFromParams(new URLSearchParams('sort=score&minScore=40&minSeverity=1'), 'UTC');
    expect(query).toEqual({ sort: 'score', minSeverity: '1', minScore: '40' });
    expect(listSearch(query)).toBe('?sort=score&minSeverity=1&minScore=40');
    // No sort in the URL: the server's default (the score).
    expect(queryFromParams(new URLSearchParams('sort=oldest'), 'UTC')).toEqual({});
    expect(withFilter(new URLSearchParams('sort=newest&limit=5'), 'minScore', '12.5').toString()).toBe(
      'sort=newest&minScore=12.5&limit=5',
    );
  });

  it('changes one filter and keeps the others; an empty value removes it', () => {
    const params = new URLSearchParams('symbol=A&rule=A2');
    expect(withFilter(params, 'rule', '').toString()).toBe('symbol=A');
    expect(withFilter(params, 'minSeverity', '2.5').toString()).toBe('symbol=A&rule=A2&minSeverity=2.5');
  });
});
