import { describe, expect, it, vi } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { type ProgressEvent, Stages, YIELD_INTERVAL_MS } from '../../src/core/progress.js';

function busy(ms: number): void {
  const t = performance.now();
  while (performance.now() - t < ms) {
    // spin: synchronous work
  }
}

describe('Stages', () => {
  it('maps stage steps to overall fractions by the plan weights, in whole percents', async () => {
    const events: ProgressEvent[] = [];
    const s = new Stages({ onProgress: (e) => events.push(e) }, [
      ['a', 1],
      ['b', 3],
    ]);
    await s.start('a');
    for (let i = 1; i <= 1000; i++) await s.step(i, 1000);
    await s.start('b');
    await s.step(1, 2);
    s.finish();
    expect(events[0]).toEqual({ stage: 'a', fraction: 0, done: 0, total: 1 });
    // 1000 steps over 25 percent: at most 26 events for stage a
    const a = events.filter((e) => e.stage === 'a');
    expect(a.length).toBeLessThanOrEqual(26);
    expect(a.at(-1)!.fraction).toBeCloseTo(0.25, 10);
    expect(events.find((e) => e.stage === 'b' && e.done === 1)!.fraction).toBeCloseTo(0.25 + 0.75 / 2, 10);
    expect(events.at(-1)).toEqual({ stage: 'done', fraction: 1 });
    const f = events.map((e) => e.fraction);
    expect(f).toEqual([...f].sort((x, y) => x - y));
  });

  it('nested calls fill the current stage share and name it', async () => {
    const events: ProgressEvent[] = [];
    const s = new Stages({ onProgress: (e) => events.push(e) }, [
      ['a', 1],
      ['b', 1],
    ]);
    await s.start('b');
    s.nested().onProgress!({ stage: 'inner', fraction: 0.5 });
    expect(events.at(-1)).toEqual({ stage: 'b: inner', fraction: 0.75 });
  });

  it('yields to the event loop during long synchronous work, so a timer (and an abort) gets in', async () => {
    const ac = new AbortController();
    const s = new Stages({ signal: ac.signal }, [['work', 1]]);
    let fired = false;
    setTimeout(() => {
      fired = true;
      ac.abort();
    }, 0);
    await s.start('work');
    let steps = 0;
    const run = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        busy(YIELD_INTERVAL_MS / 5);
        steps++;
        await s.step(i, 100);
      }
    };
    const e = await run().then(
      () => null,
      (err: unknown) => err,
    );
    expect(fired).toBe(true);
    expect(isMedImgError(e, 'ABORTED')).toBe(true);
    // stopped at the first yield (about YIELD_INTERVAL_MS of work), not after all 100 steps
    expect(steps).toBeLessThan(100);
  });

  it('does not yield before the interval: quick steps stay synchronous', async () => {
    // the clock stands still: on a busy machine the OS may pause this process for longer than the
    // interval between construction and step, which would make a real-clock test flaky
    const clock = vi.spyOn(performance, 'now').mockReturnValue(1000);
    try {
      const s = new Stages(undefined, [['work', 1]]);
      let fired = false;
      const t = setTimeout(() => {
        fired = true;
      }, 0);
      clock.mockReturnValue(1000 + YIELD_INTERVAL_MS - 1);
      await s.step(1, 2);
      expect(fired).toBe(false);
      clearTimeout(t);
    } finally {
      clock.mockRestore();
    }
  });

  it('an aborted signal throws ABORTED at the next step', async () => {
    const ac = new AbortController();
    const s = new Stages({ signal: ac.signal }, [['work', 1]]);
    ac.abort();
    await expect(s.step(0, 1)).rejects.toSatisfy((e) => isMedImgError(e, 'ABORTED'));
  });
});
