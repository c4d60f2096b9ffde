/**
 * The read model's triage statuses, which come from the audit database apart from the episodes (docs/records.md):
 * a status read before its episode applies when the episode comes; a version of the episode without a status
 * (the pipeline's documents hold none) leaves it as it is; an older version of the triage never replaces a newer
 * one; the console's own write counts at once and the feed's later read of it still applies.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ReadModel, type EpisodeEntry } from '../../../console/readModel/readModel.js';

const M0 = Date.UTC(2024, 0, 2, 4, 0);
const episode = (start: number): EpisodeEntry => ({
  symbol: 'ACME',
  start,
  end: start,
  count: 1,
  a1: 1,
  a2: 0,
  peakSeverity: 1,
  score: null,
});

let model: ReadModel;
beforeEach(() => {
  model = new ReadModel();
});

const listed = (status: string) =>
  model
    .listEpisodes({ sort: 'newest', limit: 50, status } as Parameters<ReadModel['listEpisodes']>[0])
    .rows.map((row) => model.episodes.id(row));

describe('ReadModel: triage statuses from the audit database', () => {
  it('applies a status read before its episode once the episode comes, and keeps it across its versions', () => {
    model.putEpisodeStatus('ACME@1', 'escalated', 100);
    model.putEpisode('ACME@1', episode(M0), 1);
    model.putEpisode('ACME@2', episode(M0 + 60_000), 1);
    expect(listed('escalated')).toEqual(['ACME@1']);
    // detect writes the episode again (an alert joined it): no triage in it, the status stays.
    model.putEpisode('ACME@1', { ...episode(M0), count: 2 }, 5);
    expect(listed('escalated')).toEqual(['ACME@1']);
    expect(listed('new')).toEqual(['ACME@2']);
  });

  it('never lets an older triage document replace a newer one', () => {
    model.putEpisode('ACME@1', episode(M0), 1);
    model.putEpisodeStatus('ACME@1', 'dismissed', 200);
    model.putEpisodeStatus('ACME@1', 'investigating', 150);
    expect(listed('dismissed')).toEqual(['ACME@1']);
    model.putEpisodeStatus('ACME@1', 'confirmed', 300);
    expect(listed('confirmed')).toEqual(['ACME@1']);
  });

  it("counts the console's own write at once, and the feed's later read of it (or of another's) after", () => {
    model.putEpisode('ACME@1', episode(M0), 1);
    model.putEpisodeStatus('ACME@1', 'investigating', 100);
    model.setEpisodeStatus('ACME@1', 'escalated');
    expect(listed('escalated')).toEqual(['ACME@1']);
    model.putEpisodeStatus('ACME@1', 'dismissed', 400);
    expect(listed('dismissed')).toEqual(['ACME@1']);
  });
});
