/** Reading /proc/net/tcp lines written by hand. */
import { describe, expect, it } from 'vitest';
import { isLoopback, parentPid, parseAddress, parseProcNetTcp } from '../../helpers/procNet.js';

const header =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

describe('parseAddress', () => {
  it('reads IPv4 addresses in little-endian word order, and hex ports', () => {
    expect(parseAddress('0100007F:1F90')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseAddress('00000000:2384')).toEqual({ address: '0.0.0.0', port: 9092 });
    expect(parseAddress('0101A8C0:0050')).toEqual({ address: '192.168.1.1', port: 80 });
  });

  it('reads IPv6 addresses: loopback, any, IPv4-mapped and a full one', () => {
    expect(parseAddress('00000000000000000000000001000000:1F90')).toEqual({ address: '::1', port: 8080 });
    expect(parseAddress('00000000000000000000000000000000:0016')).toEqual({ address: '::', port: 22 });
    expect(parseAddress('0000000000000000FFFF00000100007F:2385')).toEqual({
      address: '::ffff:127.0.0.1',
      port: 9093,
    });
    expect(parseAddress('B80D0120000000000000000001000000:01BB').address).toBe('2001:db8::1');
  });
});

describe('parseProcNetTcp', () => {
  it('reads the local address, state and inode of each line after the header', () => {
    const text = [
      header,
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 123457 1 0000000000000000 20 4 30 10 -1',
      '',
    ].join('\n');
    expect(parseProcNetTcp(text)).toEqual([
      { address: '127.0.0.1', port: 8080, state: '0A', inode: 123456 },
      { address: '127.0.0.1', port: 8080, state: '01', inode: 123457 },
    ]);
  });
});

describe('isLoopback and parentPid', () => {
  it('tells loopback from any-address binds', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.1', '::ffff:0.0.0.0'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('reads the parent pid past a process name holding spaces and parentheses', () => {
    expect(parentPid('4242 (java (x) y) S 4200 4242 4242 0 -1 4194560')).toBe(4200);
  });
});
