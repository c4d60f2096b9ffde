/**
 * `detect` over files whose bars do not come in minute order (contract §2): the alerts, episodes and counts are
 * those of each symbol's accepted bars sorted by minute, whatever the order of the files. Small cases computed
 * by hand, and generated data cut into pieces, shuffled and re-sent, against one sorted file.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nseCsv } from '../../helpers/read.js';
import { runCli } from '../../helpers/runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'detect-arrival-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Counts {
  processed: number;
  late: number;
  repeats: number;
  tooLate: number;
  a1: number;
  a2: number;
  alerts: number;
}

/** Runs detect, and gives its alerts (JSON), episodes (JSON), per-object counts and stderr. */
async function detect(files: string[], options: string[] = []) {
  const out = mkdtempSync(join(dir, 'run-'));
  const episodes = join(out, 'episodes.jsonl');
  const report = join(out, 'report.json');
  const run = await runCli([
    'detect',
    '--format',
    'jsonl',
    '--episodes',
    episodes,
    '--report',
    report,
    ...options,
    ...files,
  ]);
  expect(run.code, run.stderr).toBe(0);
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    alerts: lines(run.stdout),
    episodes: lines(readFileSync(episodes, 'utf8')),
    counts: (JSON.parse(readFileSync(report, 'utf8')) as Array<{ detection: Counts }>).map(
      (entry) => entry.detection,
    ),
  };
}

const counts = (partial: Partial<Counts>): Counts => ({
  processed: 0,
  late: 0,
  repeats: 0,
  tooLate: 0,
  a1: 0,
  a2: 0,
  alerts: 0,
  ...partial,
});

/** Times are IST on 2017-01-02 (nseCsv); 09:15 IST is 03:45Z. Volumes are 10 unless a case is about them. */
describe('detect with a late bar', () => {
  it("detects it in its place: its own alert fires, the next bar's does not change", async () => {
    const first = file(
      'OWN__1.csv',
      nseCsv([
        ['09:15', '100', '100', '100', '100', '10'],
        ['09:17', '100.5', '100.5', '100.5', '100.5', '10'],
      ]),
    );
    const late = file('OWN__2.csv', nseCsv([['09:16', '101', '101', '101', '101', '10']]));
    const { alerts, counts: objects, stderr } = await detect([first, late]);
    // 09:16: 100 → 101 is +1%, severity 2. 09:17: 100.5 against 101 is −0.495%, quiet (against 100 it is +0.5%
    // exactly, also quiet). No volume beats 1.02 × 10.
    expect(alerts).toEqual([
      {
        symbol: 'OWN',
        timestamp: '2017-01-02T03:46:00Z',
        rules: ['A1'],
        open: 101,
        high: 101,
        low: 101,
        close: 101,
        volume: 10,
        a1: { prevClose: 100, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 1, severity: 2 },
        severity: 2,
        episodeStart: '2017-01-02T03:46:00Z',
        source: { object: 'OWN__2.csv', line: 2 },
      },
    ]);
    expect(objects).toEqual([counts({ processed: 2 }), counts({ processed: 1, late: 1, a1: 1, alerts: 1 })]);
    expect(stderr).toContain('OWN__2.csv: 1 accepted, 1 late, alerts 1 (A1 1, A2 0)\n');
    expect(stderr).toContain(
      'total: 2 objects, 3 bars accepted, 0 rows set aside, 1 late, alerts 1 (A1 1, A2 0)\n',
    );
  });

  it("withdraws the next bar's A1 when the late bar comes between it and the bar it moved from", async () => {
    const first = file(
      'MOVE__1.csv',
      nseCsv([
        ['09:15', '100', '100', '100', '100', '10'],
        ['09:17', '101', '101', '101', '101', '10'],
      ]),
    );
    const late = file('MOVE__2.csv', nseCsv([['09:16', '100.5', '100.5', '100.5', '100.5', '10']]));
    // Alone, the first file fires A1 at 09:17 (+1%).
    expect((await detect([first])).alerts.map((alert) => alert.timestamp)).toEqual(['2017-01-02T03:47:00Z']);
    // With 09:16 in its place: +0.5% exactly, then 101 / 100.5 = +0.4975%: nothing fires.
    const { alerts, episodes, counts: objects } = await detect([first, late]);
    expect(alerts).toEqual([]);
    expect(episodes).toEqual([]);
    expect(objects).toEqual([counts({ processed: 2 }), counts({ processed: 1, late: 1 })]);
  });

  it('enters the A2 window of the bars after it', async () => {
    const first = file(
      'WINDOW__1.csv',
      nseCsv([
        ['09:15', '100', '100', '100', '100', '10'],
        ['09:17', '100', '100', '100', '100', '10.1'],
      ]),
    );
    const late = file('WINDOW__2.csv', nseCsv([['09:16', '100', '100', '100', '100', '0']]));
    // Alone: 10.1 against a window of 10 is not above 10.2.
    expect((await detect([first])).alerts).toEqual([]);
    // With 09:16: the window of 09:17 holds 10 and 0, mean 5; 10.1 > 5.1 fires, ratio 2.02, severity
    // 10.1 / (5 × 1.02) = 1.980392.
    const { alerts, counts: objects } = await detect([first, late]);
    expect(alerts).toEqual([
      expect.objectContaining({
        timestamp: '2017-01-02T03:47:00Z',
        rules: ['A2'],
        a2: { avgVolume: 5, windowBars: 2, volumeRatio: 2.02, severity: 1.980392 },
        source: { object: 'WINDOW__1.csv', line: 3 },
      }),
    ]);
    // The alert is counted for the object that brought its bar.
    expect(objects).toEqual([counts({ processed: 2, a2: 1, alerts: 1 }), counts({ processed: 1, late: 1 })]);
  });

  it('makes one episode of two that its alert bridges, in either order of the files', async () => {
    // 09:20 (+1% on 100) and 09:30 are ten minutes apart: two episodes with the default gap of 5.
    const first = file(
      'BRIDGE__1.csv',
      nseCsv([
        ['09:15', '100', '100', '100', '100', '10'],
        ['09:20', '101', '101', '101', '101', '10'],
        ['09:30', '103.05', '103.05', '103.05', '103.05', '10'],
      ]),
    );
    const late = file('BRIDGE__2.csv', nseCsv([['09:25', '102', '102', '102', '102', '10']]));
    expect((await detect([first])).episodes.map((episode) => episode.start)).toEqual([
      '2017-01-02T03:50:00Z',
      '2017-01-02T04:00:00Z',
    ]);
    // 09:25: 102 / 101 = +0.990099% (severity 1.980198); 09:30: 103.05 / 102 = +1.029412% (2.058824).
    const episode = {
      symbol: 'BRIDGE',
      start: '2017-01-02T03:50:00Z',
      end: '2017-01-02T04:00:00Z',
      count: 3,
      a1: 3,
      a2: 0,
      peakSeverity: 2.058824,
    };
    const scores: unknown[] = [];
    for (const order of [
      [first, late],
      [late, first],
    ]) {
      const { alerts, episodes } = await detect(order);
      expect(episodes).toEqual([expect.objectContaining(episode)]);
      scores.push(episodes[0].scoreFactors);
      expect(alerts.map((alert) => [alert.timestamp, alert.a1.severity, alert.episodeStart])).toEqual([
        ['2017-01-02T03:50:00Z', 2, '2017-01-02T03:50:00Z'],
        ['2017-01-02T03:55:00Z', 1.980198, '2017-01-02T03:50:00Z'],
        ['2017-01-02T04:00:00Z', 2.058824, '2017-01-02T03:50:00Z'],
      ]);
    }
    // The score follows the bars in minute order too: the same whichever file came first.
    expect(scores[1]).toEqual(scores[0]);
  });
});

describe('detect with a repeated bar', () => {
  const first = file(
    'REPEAT__1.csv',
    nseCsv([
      ['09:15', '100', '100', '100', '100', '10'],
      ['09:16', '100.2', '100.2', '100.2', '100.2', '10'],
    ]),
  );
  // 09:16 again, with other values that would fire A1 (+5%).
  const again = file(
    'REPEAT__2.csv',
    nseCsv([
      ['09:16', '105', '105', '105', '105', '10'],
      ['09:17', '100.2', '100.2', '100.2', '100.2', '10'],
    ]),
  );

  it('keeps the first arrival and never detects the repeat, whatever its values', async () => {
    const { alerts, counts: objects, stderr } = await detect([first, again]);
    // 09:16 stays 100.2 (+0.2%), and 09:17 is flat on it.
    expect(alerts).toEqual([]);
    expect(objects).toEqual([counts({ processed: 2 }), counts({ processed: 1, repeats: 1 })]);
    expect(stderr).toContain('REPEAT__2.csv: 2 accepted, 1 repeats, alerts 0 (A1 0, A2 0)\n');
  });

  it('keeps the first arrival when it is in the later minutes file', async () => {
    const { alerts, counts: objects } = await detect([again, first]);
    // 09:15 100 (late), 09:16 105 (+5%, severity 10), 09:17 100.2 (−4.571429%, severity 9.142857).
    expect(
      alerts.map((alert) => [alert.timestamp, alert.close, alert.a1.changePct, alert.source.object]),
    ).toEqual([
      ['2017-01-02T03:46:00Z', 105, 5, 'REPEAT__2.csv'],
      ['2017-01-02T03:47:00Z', 100.2, -4.571429, 'REPEAT__2.csv'],
    ]);
    expect(objects).toEqual([
      counts({ processed: 2, a1: 2, alerts: 2 }),
      counts({ processed: 1, late: 1, repeats: 1 }),
    ]);
  });
});

describe('detect with a bar past the lateness horizon', () => {
  const csv = (rows: string[]) => `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`;
  const latest = file('HORIZON__1.csv', csv(['2017-01-03 09:15:00+05:30,100,100,100,100,10']));
  // 1441 and 1440 minutes before the latest minute.
  const old = file(
    'HORIZON__2.csv',
    csv(['2017-01-02 09:14:00+05:30,50,50,50,50,10', '2017-01-02 09:15:00+05:30,110,110,110,110,10']),
  );

  it('counts it too late and never detects it; one day before exactly is late, and detected', async () => {
    const { alerts, counts: objects, stderr } = await detect([latest, old], ['--lateness-horizon', '1']);
    // 2017-01-03 09:15: 100 against 110 the day before is −9.090909%; the too-late 50 is nowhere.
    expect(alerts.map((alert) => [alert.timestamp, alert.a1])).toEqual([
      [
        '2017-01-03T03:45:00Z',
        { prevClose: 110, prevTimestamp: '2017-01-02T03:45:00Z', changePct: -9.090909, severity: 18.181818 },
      ],
    ]);
    expect(objects).toEqual([
      counts({ processed: 1, a1: 1, alerts: 1 }),
      counts({ processed: 1, late: 1, tooLate: 1 }),
    ]);
    expect(stderr).toContain('HORIZON__2.csv: 2 accepted, 1 late, 1 too late, alerts 0 (A1 0, A2 0)\n');
  });

  it('detects both within the default horizon of 7 days', async () => {
    const { alerts } = await detect([latest, old]);
    // 50 → 110 is +120% (severity 240).
    expect(alerts.map((alert) => [alert.timestamp, alert.a1.prevClose])).toEqual([
      ['2017-01-02T03:45:00Z', 50],
      ['2017-01-03T03:45:00Z', 110],
    ]);
  });
});

describe('detect over pieces in any order', () => {
  /** A little generator of its own (xorshift), so that the orders are the same on every run. */
  function shuffled<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const j = (state >>> 0) % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  it('gives the alerts, episodes and counts of one file of the accepted bars sorted', async () => {
    const data = join(dir, 'generated');
    const generated = await runCli([
      'generate',
      '--out',
      data,
      '--symbols',
      '3',
      '--days',
      '3',
      '--seed',
      '3',
      '--fault-rate',
      '0',
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    // Each symbol's rows, as written (clean: every row is a bar, in minute order).
    const symbols = readdirSync(data)
      .filter((name) => name.endsWith('.csv'))
      .sort()
      .map((name) => {
        const [, ...rows] = readFileSync(join(data, name), 'utf8').trimEnd().split('\n');
        return { symbol: name.split('__')[0]!, header: 'timestamp,open,high,low,close,volume', rows };
      });
    // Pieces: each symbol's rows in five cuts, one cut across two days sent again, and a run of the middle
    // day sent again with every close 1% higher (repeats with other values).
    const pieces: Array<{ name: string; symbol: string; rows: string[] }> = [];
    for (const { symbol, rows } of symbols) {
      const cuts = [0, 200, 375, 700, 900, rows.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        pieces.push({ name: `${symbol}__part${i}.csv`, symbol, rows: rows.slice(cuts[i], cuts[i + 1]) });
      }
      pieces.push({ name: `${symbol}__again.csv`, symbol, rows: rows.slice(300, 450) });
      const changed = rows.slice(400, 500).map((row) => {
        const fields = row.split(',');
        fields[4] = (Number(fields[4]) * 1.01).toFixed(4);
        return fields.join(',');
      });
      pieces.push({ name: `${symbol}__changed.csv`, symbol, rows: changed });
    }
    const paths = new Map(
      pieces.map((piece) => [piece, file(piece.name, `${symbols[0]!.header}\n${piece.rows.join('\n')}\n`)]),
    );

    for (const seed of [1, 7, 42]) {
      const order = shuffled(pieces, seed);
      // The accepted bars: the first arrival of each (symbol, minute), in the order sent; and what each piece
      // must count (the three days are within the horizon: nothing is too late).
      const firstArrivals = new Map<string, string>();
      const latest = new Map<string, string>();
      const expected = order.map(({ symbol, rows }) => {
        const latestBefore = latest.get(symbol) ?? '';
        let repeats = 0;
        let late = 0;
        for (const row of rows) {
          const minute = row.split(',')[0]!;
          const key = `${symbol},${minute}`;
          if (firstArrivals.has(key)) repeats++;
          else {
            firstArrivals.set(key, `${symbol},${row}`);
            if (minute < latestBefore) late++;
            if (minute > (latest.get(symbol) ?? '')) latest.set(symbol, minute);
          }
        }
        return { processed: rows.length - repeats, late, repeats, tooLate: 0 };
      });
      const sorted = file(
        `SORTED-${seed}.csv`,
        `symbol,${symbols[0]!.header}\n${[...firstArrivals.values()].sort().join('\n')}\n`,
      );

      const once = await detect([sorted]);
      const pieced = await detect(order.map((piece) => paths.get(piece)!));
      const withoutSource = (alerts: Array<Record<string, unknown>>) =>
        alerts.map(({ source: _source, ...alert }) => alert);
      expect(pieced.alerts.length).toBeGreaterThan(100);
      expect(withoutSource(pieced.alerts)).toEqual(withoutSource(once.alerts));
      expect(pieced.episodes).toEqual(once.episodes);
      expect(
        pieced.counts.map(({ processed, late, repeats, tooLate }) => ({ processed, late, repeats, tooLate })),
      ).toEqual(expected);
      const total = (key: 'alerts' | 'a1' | 'a2') => pieced.counts.reduce((sum, c) => sum + c[key], 0);
      expect([total('alerts'), total('a1'), total('a2')]).toEqual([
        once.counts[0]!.alerts,
        once.counts[0]!.a1,
        once.counts[0]!.a2,
      ]);
      // Each alert names the piece that brought its bar first.
      for (const alert of pieced.alerts) {
        const piece = order.find((p) => p.name === alert.source.object)!;
        const row = piece.rows[alert.source.line - 2]!;
        expect(firstArrivals.get(`${piece.symbol},${row.split(',')[0]}`)).toBe(`${piece.symbol},${row}`);
      }
    }
  });
});
