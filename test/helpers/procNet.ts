/**
 * Listening sockets and the processes that hold them, read from Linux's /proc: /proc/net/tcp{,6} for the
 * sockets, /proc/<pid>/fd for which process holds which socket inode, /proc/<pid>/stat for the process tree.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcSocket {
  /** The local address as text: `127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `0.0.0.0`, `::`. */
  address: string;
  port: number;
  /** The TCP state in hex as the kernel writes it; `0A` is LISTEN. */
  state: string;
  inode: number;
}

export const LISTEN = '0A';

/** `0100007F` → `127.0.0.1`: each 32-bit word is written in the host's (little-endian) byte order. */
function word(hex: string): number[] {
  return [6, 4, 2, 0].map((at) => parseInt(hex.slice(at, at + 2), 16));
}

function ipv6Text(bytes: number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // The longest run of two or more zero groups becomes `::`.
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  const text = (from: number[]) => from.map((group) => group.toString(16)).join(':');
  if (best.at < 0) return text(groups);
  return `${text(groups.slice(0, best.at))}::${text(groups.slice(best.at + best.length))}`;
}

/** `0100007F:1F90` → 127.0.0.1:8080; 32 hex digits before the colon are an IPv6 address. */
export function parseAddress(field: string): { address: string; port: number } {
  const [hex, portHex] = field.split(':') as [string, string];
  const port = parseInt(portHex, 16);
  if (hex.length === 8) return { address: word(hex).join('.'), port };
  if (hex.length !== 32) throw new Error(`not a /proc/net/tcp address: ${field}`);
  const bytes = [0, 8, 16, 24].flatMap((at) => word(hex.slice(at, at + 8)));
  return { address: ipv6Text(bytes), port };
}

/** The sockets of a /proc/net/tcp or /proc/net/tcp6 text (its header line is skipped). */
export function parseProcNetTcp(text: string): ProcSocket[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 10)
    .map((fields) => ({ ...parseAddress(fields[1]!), state: fields[3]!, inode: Number(fields[9]) }));
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Every listening TCP socket of the machine (IPv4 and IPv6). */
export function listeningSockets(): ProcSocket[] {
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => parseProcNetTcp(readFileSync(file, 'utf8')))
    .filter((socket) => socket.state === LISTEN);
}

/** The parent pid in a /proc/<pid>/stat text (the field after the state; the name may hold spaces). */
export function parentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `roots` and every descendant of them, from the parent pid of each process in /proc. */
export function processTree(roots: readonly number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = parentPid(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // it ended meanwhile
    }
  }
  const tree = new Set<number>();
  const visit = (pid: number) => {
    if (tree.has(pid)) return;
    tree.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  roots.forEach(visit);
  return tree;
}

/** The socket inodes a process holds open (`socket:[inode]` links in /proc/<pid>/fd). */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}
