/** An alert's rules as bits, as the lists filter on them. */
export const RULE_A1 = 1;
export const RULE_A2 = 2;

export function rulesBits(rules: readonly string[]): number {
  return (rules.includes('A1') ? RULE_A1 : 0) | (rules.includes('A2') ? RULE_A2 : 0);
}

export function rulesOf(bits: number): Array<'A1' | 'A2'> {
  return [...(bits & RULE_A1 ? (['A1'] as const) : []), ...(bits & RULE_A2 ? (['A2'] as const) : [])];
}
