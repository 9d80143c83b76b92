import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { kthSmallest } from '../../src/core/select.js';

describe('kthSmallest', () => {
  it('gives the value a sort puts at k, and leaves smaller values before k and larger after', () => {
    const rng = new Rng(7);
    for (const n of [1, 2, 3, 10, 101, 4096]) {
      for (const levels of [3, 1000]) {
        // few distinct values (many ties) and many
        const a = Float64Array.from({ length: n }, () => Math.floor(rng.next() * levels) - levels / 2);
        const sorted = Float64Array.from(a).sort();
        for (const k of [0, n >> 1, n - 1]) {
          const b = Float64Array.from(a);
          const v = kthSmallest(b, k);
          expect(v).toBe(sorted[k]);
          for (let i = 0; i < k; i++) expect(b[i]).toBeLessThanOrEqual(v);
          for (let i = k + 1; i < n; i++) expect(b[i]).toBeGreaterThanOrEqual(v);
          expect(Float64Array.from(b).sort()).toEqual(sorted);
        }
      }
    }
  });

  it('works on float32 arrays and on a subarray view', () => {
    const a = new Float32Array([9, 1, 8, 2, 7, 3, 6, 4, 5, 100, -100]);
    expect(kthSmallest(a.subarray(0, 9), 4)).toBe(5);
    expect(a[9]).toBe(100);
    expect(a[10]).toBe(-100);
  });
});
