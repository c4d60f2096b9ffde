/** Peer groups' text (contract §6 The market): what `--peer-groups FILE` and PEER_GROUPS hold. */
import { describe, expect, it } from 'vitest';
import { detectSettings } from '../../../../shared/config/detectSettings.js';
import { ConfigError } from '../../../../shared/config/variables.js';
import { parsePeerGroups, PeerGroupsError } from '../../../../shared/core/suspicion/peerGroups.js';

describe('peer groups', () => {
  it('reads a group a line or a group between semicolons, spaces and blank lines aside', () => {
    const expected = new Map([
      ['HDFCBANK', 'banks'],
      ['SBIN', 'banks'],
      ['M&M', 'autos'],
      ['BAJAJ-AUTO', 'autos'],
    ]);
    expect(parsePeerGroups('banks=HDFCBANK,SBIN\r\n\n autos = M&M , BAJAJ-AUTO\n')).toEqual(expected);
    expect(parsePeerGroups('banks=HDFCBANK,SBIN;autos=M&M,BAJAJ-AUTO')).toEqual(expected);
    expect(parsePeerGroups('')).toEqual(new Map());
  });

  it.each([
    ['banks HDFCBANK', "peer group 1 ('banks HDFCBANK') must be name=SYMBOL,SYMBOL,…"],
    ['bank s=A,B', "peer group 1 ('bank s=A,B'): its name must be letters, digits, '.', '_' and '-'"],
    ['a=X,Y;a=Z', "peer group 2 ('a=Z'): the group a is given twice"],
    ['a=X,,Y', "peer group 1 ('a=X,,Y'): an empty symbol (two commas in a row?)"],
    ['a=X;b=Y,X', "peer group 2 ('b=Y,X'): X is already in the group a"],
    ['a=X Y', "peer group 1 ('a=X Y'): the symbol 'X Y' holds a character other than letters"],
  ])('refuses %j, naming the group and what is wrong', (text, message) => {
    expect(() => parsePeerGroups(text)).toThrow(PeerGroupsError);
    expect(() => parsePeerGroups(text)).toThrow(message);
  });

  it("is detect's PEER_GROUPS setting, a mistake a ConfigError naming the variable", () => {
    const env = { PEER_GROUPS: 'it=TCS,INFY;banks=SBIN' };
    expect(detectSettings(env).peerGroups).toEqual(
      new Map([
        ['TCS', 'it'],
        ['INFY', 'it'],
        ['SBIN', 'banks'],
      ]),
    );
    expect(detectSettings({}).peerGroups.size).toBe(0);
    expect(() => detectSettings({ PEER_GROUPS: 'it=TCS;banks=TCS' })).toThrow(ConfigError);
    expect(() => detectSettings({ PEER_GROUPS: 'it=TCS;banks=TCS' })).toThrow(
      "PEER_GROUPS: peer group 2 ('banks=TCS'): TCS is already in the group it",
    );
  });
});
