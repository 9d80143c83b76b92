import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 80, write: (t: string) => out.push(t) } };
}

describe('CLI progress', () => {
  it('writes plain lines with percentage and stage when stderr is not a terminal', () => {
    const { out, stream } = fakeStream(false);
    let t = 0;
    const bar = createProgressBar('Analysing', true, stream, () => t);
    bar.update(0, 'nodules');
    for (let i = 1; i <= 50; i++) {
      t += 100;
      bar.update(i / 100, 'nodules');
    }
    bar.update(0.5, 'tumor');
    bar.done();
    expect(out).toEqual([
      'progress: Analysing 0% nodules\n',
      'progress: Analysing 10% nodules\n',
      'progress: Analysing 20% nodules\n',
      'progress: Analysing 30% nodules\n',
      'progress: Analysing 40% nodules\n',
      'progress: Analysing 50% nodules\n',
      'progress: Analysing 50% tumor\n',
    ]);
  });

  it('holds back a 10 % step that comes within 200 ms of the last line, never a new stage', () => {
    const { out, stream } = fakeStream(false);
    const bar = createProgressBar('Scanning', true, stream, () => 0);
    bar.update(0, 'read');
    bar.update(0.5, 'read');
    bar.update(0.6, 'decode');
    expect(out).toEqual(['progress: Scanning 0% read\n', 'progress: Scanning 60% decode\n']);
  });

  it('draws one bar in place on a terminal and clears it when done', () => {
    const { out, stream } = fakeStream(true);
    const bar = createProgressBar('Demo', true, stream);
    bar.update(0.25, 'bone');
    bar.update(0.25, 'bone');
    bar.done();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\rDemo \[#{7}-{21}\] {2}25% bone/);
    expect(out[1]).toBe('\r\x1b[K');
  });

  it('says nothing when disabled (--quiet)', () => {
    const { out, stream } = fakeStream(false);
    const bar = createProgressBar('Analysing', false, stream);
    bar.update(0.5, 'x');
    bar.done();
    expect(out).toEqual([]);
  });
});
