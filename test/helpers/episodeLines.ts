/**
 * Stored episodes as `detect --episodes` writes them (contract §5 and §6): the episode, and the score the pipeline
 * settled on it, to compare with the batch CLI's lines.
 */
import type { DocumentData } from '@google-cloud/firestore';
import { fromEpisodeDocument } from '../../shared/state/episodeStore.js';

export function storedEpisodeLine(data: DocumentData): Record<string, unknown> {
  return {
    ...fromEpisodeDocument(data),
    score: data.score,
    scoreBaseline: data.scoreBaseline,
    scoreFactors: data.scoreFactors,
    scoreAlerts: data.scoreAlerts,
    // Only a settled score is the batch CLI's; an unsettled one shows here as a difference.
    ...(data.scoreSettled !== true && { scoreSettled: data.scoreSettled ?? 'missing' }),
  };
}

/** By symbol (code-unit order), then start: the order `detect --episodes` writes them in. */
export function sortedEpisodeLines(lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const key = (line: Record<string, unknown>) => [line.symbol as string, line.start as string] as const;
  return lines.sort((a, b) => {
    const [sa, ta] = key(a);
    const [sb, tb] = key(b);
    return sa !== sb ? (sa < sb ? -1 : 1) : ta < tb ? -1 : ta > tb ? 1 : 0;
  });
}
