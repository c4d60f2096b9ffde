/** Derived figures (percent moves, means, ratios) as alerts report them. */

/** Rounds a derived figure for display; the rules themselves compare exactly. */
export function roundFigure(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
