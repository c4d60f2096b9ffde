/**
 * Peer groups (contract §6 Market): which symbols are each other's peers (a sector, an index's members), so that a
 * symbol's episode is judged against what its peers did, where enough of them traded, before the whole market.
 *
 * One text format, in a file (`detect --peer-groups FILE`) and in the pipeline's setting (`PEER_GROUPS`): a group
 * a line (or `;` between groups, as an environment variable holds them), its name, `=`, and its symbols separated
 * by commas:
 *
 *     banks=HDFCBANK,ICICIBANK,SBIN,KOTAKBANK
 *     it=TCS,INFY,WIPRO,HCLTECH
 *
 * A symbol is in one group at most; blank lines and spaces around names are ignored. Anything else wrong is an
 * error naming the group and what is wrong with it.
 */
import { FinalError } from '../../errors.js';
import { symbolProblem } from '../symbolGrammar.js';

/** Each grouped symbol's group; a symbol not in it has no peers (the whole market stands for them). */
export type PeerGroups = ReadonlyMap<string, string>;

export const NO_PEER_GROUPS: PeerGroups = new Map();

export class PeerGroupsError extends FinalError {
  override name = 'PeerGroupsError';
}

const GROUP = /^[A-Za-z0-9._-]+$/;

/** @throws PeerGroupsError naming the group (its position, 1 the first) and what is wrong with it */
export function parsePeerGroups(text: string): PeerGroups {
  const groups = new Map<string, string>();
  const seen = new Set<string>();
  const entries = text
    .split(/[\n;]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const where = `peer group ${index + 1} ('${entry.length > 40 ? `${entry.slice(0, 40)}…` : entry}')`;
    const equals = entry.indexOf('=');
    if (equals < 0) throw new PeerGroupsError(`${where} must be name=SYMBOL,SYMBOL,…`);
    const name = entry.slice(0, equals).trim();
    if (!GROUP.test(name)) {
      throw new PeerGroupsError(`${where}: its name must be letters, digits, '.', '_' and '-'`);
    }
    if (seen.has(name)) throw new PeerGroupsError(`${where}: the group ${name} is given twice`);
    seen.add(name);
    const symbols = entry
      .slice(equals + 1)
      .split(',')
      .map((symbol) => symbol.trim());
    for (const symbol of symbols) {
      if (symbol === '') throw new PeerGroupsError(`${where}: an empty symbol (two commas in a row?)`);
      const problem = symbolProblem(symbol);
      if (problem !== undefined) throw new PeerGroupsError(`${where}: the symbol '${symbol}' ${problem}`);
      const other = groups.get(symbol);
      if (other !== undefined) {
        throw new PeerGroupsError(`${where}: ${symbol} is already in the group ${other}`);
      }
      groups.set(symbol, name);
    }
  });
  return groups;
}
