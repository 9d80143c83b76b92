import { describe, expect, it } from 'vitest';
import {
  clip,
  ctNormalize,
  histogram,
  normalize,
  percentileClip,
  percentiles,
  window,
  zscore,
} from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume } from '../../src/core/volume.js';

/** numpy.percentile(method='linear') on a sorted copy. */
function refPercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (p / 100) * (s.length - 1);
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

describe('intensity', () => {
  const rng = new Rng(9);
  const f = createVolume([17, 13, 7], Float32Array);
  for (let i = 0; i < f.data.length; i++) f.data[i] = rng.normal() * 100 + 20;
  const ints = createVolume([17, 13, 7], Int16Array);
  for (let i = 0; i < ints.data.length; i++) ints.data[i] = Math.round(rng.uniform(-1024, 3000));
  const mask = createVolume([17, 13, 7], Uint8Array);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = i % 3 === 0 ? 1 : 0;

  it('percentiles equal the sorted-array definition (float selection and integer counting), masked too', () => {
    const ps = [0, 0.5, 1, 25, 50, 73.3, 99.5, 100];
    for (const vol of [f, ints]) {
      const all = Array.from(vol.data as ArrayLike<number>);
      const got = percentiles(vol, ps);
      for (const [k, p] of ps.entries()) expect(got[k]).toBeCloseTo(refPercentile(all, p), 3);
      const inMask = all.filter((_, i) => mask.data[i]);
      const gotM = percentiles(vol, ps, { mask });
      for (const [k, p] of ps.entries()) expect(gotM[k]).toBeCloseTo(refPercentile(inMask, p), 3);
    }
  });

  it('histogram follows numpy conventions (last bin closed)', () => {
    const v = createVolume([6, 1, 1], Float32Array.from([0, 1, 2, 2.5, 3, 4]));
    const h = histogram(v, { bins: 4 });
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(h.counts)).toEqual([1, 1, 2, 2]);
    const r = histogram(f, { bins: 10, range: [0, 50], mask });
    const ref = new Array(10).fill(0);
    for (let i = 0; i < f.data.length; i++) {
      const x = f.data[i]!;
      if (!mask.data[i] || x < 0 || x > 50) continue;
      ref[Math.min(9, Math.floor(x / 5))]++;
    }
    expect(Array.from(r.counts)).toEqual(ref);
  });

  it('window, clip, normalize', () => {
    const v = createVolume([5, 1, 1], Int16Array.from([-1000, -160, 40, 240, 2000]));
    expect(Array.from(window(v, { center: 40, width: 400 }).data)).toEqual([0, 0, 0.5, 1, 1]);
    expect(Array.from(window(v, { min: -160, max: 240 }, { outMin: -1, outMax: 1 }).data)).toEqual([-1, -1, 0, 1, 1]);
    expect(Array.from(clip(v, -200, 300).data)).toEqual([-200, -160, 40, 240, 300]);
    expect(Array.from(normalize(v).data)).toEqual([0, 840 / 3000, 1040 / 3000, 1240 / 3000, 1].map(Math.fround));
    expect(() => window(v, { center: 0, width: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('z-score inside a mask has mean 0 and std 1 there', () => {
    const z = zscore(f, { mask });
    let s = 0;
    let ss = 0;
    let n = 0;
    for (let i = 0; i < z.data.length; i++) {
      if (!mask.data[i]) continue;
      s += z.data[i]!;
      ss += z.data[i]! ** 2;
      n++;
    }
    expect(s / n).toBeCloseTo(0, 5);
    expect(Math.sqrt(ss / n - (s / n) ** 2)).toBeCloseTo(1, 5);
    expect(() => zscore(f, { mask: createVolume([17, 13, 7], Uint8Array) })).toThrow(
      expect.objectContaining({ code: 'EMPTY_MASK' }),
    );
  });

  it('percentile clipping and nnU-Net CT normalisation', () => {
    const [lo, hi] = percentiles(ints, [0.5, 99.5], { mask });
    const c = percentileClip(ints, { mask });
    expect(Math.min(...c.data)).toBe(Math.fround(lo!));
    expect(Math.max(...c.data)).toBe(Math.fround(hi!));
    const { image, stats } = ctNormalize(ints, { mask });
    expect(stats.lower).toBe(lo);
    expect(stats.upper).toBe(hi);
    const clipped = Array.from(ints.data)
      .filter((_, i) => mask.data[i])
      .map((v) => Math.min(hi!, Math.max(lo!, v)));
    const mean = clipped.reduce((a, b) => a + b, 0) / clipped.length;
    expect(stats.mean).toBeCloseTo(mean, 6);
    const i0 = 3;
    expect(image.data[i0]).toBeCloseTo((Math.min(hi!, Math.max(lo!, ints.data[i0]!)) - stats.mean) / stats.std, 4);
    const fixed = ctNormalize(ints, { stats: { lower: -100, upper: 100, mean: 0, std: 50 } });
    expect(fixed.image.data.every((v) => v >= -2 && v <= 2)).toBe(true);
  });
});
