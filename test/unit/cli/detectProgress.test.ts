/** `detect`'s progress bar: what someone watching a long run at a terminal sees, and where it never shows. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DetectProgress } from '../../../cli/detect/detectProgress.js';

function terminal(): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 300 });
  const written: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => written.push(chunk));
  return { stream, text: () => Buffer.concat(written).toString() };
}

describe('DetectProgress', () => {
  it('shows the objects and bars done, bars a second and the time left', async () => {
    const { stream, text } = terminal();
    const progress = await DetectProgress.start(stream, true, 300e6, 3);
    expect(progress).toBeDefined();
    progress!.read(100e6);
    progress!.objectDone('A__EQ__NSE__NSE__MINUTE.csv', 281_000);
    progress!.stop();
    const shown = text();
    expect(shown).toContain('1/3 objects');
    expect(shown).toContain('281,000 bars');
    expect(shown).toMatch(/\| [\d,]+ bars\/s \|/);
    expect(shown).toContain('ETA');
    expect(shown).toContain('A__EQ__NSE__NSE__MINUTE.csv');
  });

  it('counts the files read a second time in the objects to do', async () => {
    const { stream, text } = terminal();
    const progress = await DetectProgress.start(stream, true, 100e6, 2);
    progress!.read(100e6);
    progress!.objectDone('A.csv', 10);
    progress!.objectDone('B.csv', 10);
    progress!.more(50e6, 1);
    progress!.stop();
    expect(text()).toContain('2/3 objects');
  });

  it('is not shown off a terminal, for a small input, or with --no-progress', async () => {
    const { stream } = terminal();
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    expect(await DetectProgress.start(pipe, true, 300e6, 3)).toBeUndefined();
    expect(await DetectProgress.start(stream, true, 1e6, 3)).toBeUndefined();
    expect(await DetectProgress.start(stream, false, 300e6, 3)).toBeUndefined();
  });
});
