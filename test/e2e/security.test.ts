/**
 * The local stack's own security, on the real stack: after the sample files have gone through the pipeline,
 * no log of any component holds a credential (test/helpers/credentials.ts, the detector the tracked-files
 * test uses, plus request headers), and every component, with each process it started, listens on the
 * loopback interface only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackPaths } from '../../stack/paths.js';
import { findCredentials, LOG_RULES } from '../helpers/credentials.js';
import { isLoopback, listeningSockets, processTree, socketInodes } from '../helpers/procNet.js';
import { cli } from '../helpers/faultRun.js';

const paths = stackPaths();
const sampleDir = new URL('../../data/sample/', import.meta.url).pathname;

beforeAll(async () => {
  // Traffic through every component, so that their logs hold what a run writes (the files are the samples
  // the pipeline test drops: dropping them again changes no alert).
  const samples = readdirSync(sampleDir)
    .filter((file) => file.endsWith('.csv'))
    .map((file) => join(sampleDir, file));
  expect((await cli('drop', ...samples)).code).toBe(0);
  const waited = await cli('wait', '--timeout', '120');
  expect(waited.stderr).toContain('all dropped objects ingested, all alerts written');
});

describe('the stack logs', () => {
  it('hold no credential', () => {
    const logs = readdirSync(paths.logs).filter((file) => file.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(5);
    const findings: string[] = [];
    for (const log of logs) {
      const text = readFileSync(join(paths.logs, log), 'utf8');
      for (const finding of findCredentials(text, LOG_RULES, log)) {
        findings.push(`${log}:${finding.line}: ${finding.rule} (${finding.excerpt})`);
      }
    }
    expect(findings).toEqual([]);
  });
});

/** Each component's pid, from the stack's pid files (first line). */
function componentPids(): Map<string, number> {
  const pids = new Map<string, number>();
  for (const file of readdirSync(paths.run).filter((name) => name.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(paths.run, file), 'utf8').split('\n')[0]!.trim());
    if (Number.isInteger(pid) && pid > 0) pids.set(file.slice(0, -'.pid'.length), pid);
  }
  return pids;
}

describe('the stack processes', () => {
  it('listen on 127.0.0.1 or ::1 only, extra ports (JMX, websockets) included', () => {
    const pids = componentPids();
    expect([...pids.keys()]).toEqual(expect.arrayContaining(['kafka', 'firestore', 'pubsub', 'fake-gcs']));
    const sockets = listeningSockets();
    const exposed: string[] = [];
    for (const [name, pid] of pids) {
      const inodes = new Set([...processTree([pid])].flatMap((member) => [...socketInodes(member)]));
      const listening = sockets.filter((socket) => inodes.has(socket.inode));
      // Every component serves something: a component with no listener found means the scan missed it.
      expect(listening.length, `${name} (pid ${pid}) listens on nothing`).toBeGreaterThan(0);
      for (const socket of listening) {
        if (!isLoopback(socket.address)) exposed.push(`${name}: ${socket.address}:${socket.port}`);
      }
    }
    expect(exposed).toEqual([]);
  });
});
