import { describe, expect, it } from 'vitest';
import { squaredDistanceField } from '../../src/core/ops/distance.js';
import { distanceTransform } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

describe('distanceTransform', () => {
  it('of a point on an anisotropic grid is the exact Euclidean distance in mm', () => {
    const dims: Vec3 = [31, 25, 17];
    const sp: Vec3 = [0.7, 1.3, 2.9];
    const vol = createVolume(dims, Uint8Array, { spacing: sp });
    const p = [4, 20, 9];
    vol.data[p[0]! + 31 * (p[1]! + 25 * p[2]!)] = 1;
    const d = distanceTransform(vol).data;
    let maxRel = 0;
    for (let z = 0; z < 17; z++)
      for (let y = 0; y < 25; y++)
        for (let x = 0; x < 31; x++) {
          const e = Math.hypot((x - p[0]!) * sp[0], (y - p[1]!) * sp[1], (z - p[2]!) * sp[2]);
          const v = d[x + 31 * (y + 25 * z)]!;
          maxRel = Math.max(maxRel, Math.abs(v - e) / Math.max(1, e));
        }
    expect(maxRel).toBeLessThan(1e-6);
  });

  it('matches brute force on random masks for both targets, with and without the outside as target', () => {
    const dims: Vec3 = [14, 10, 8];
    const sp: Vec3 = [0.6, 1.7, 2.2];
    const rng = new Rng(3);
    const m = new Uint8Array(14 * 10 * 8);
    for (let i = 0; i < m.length; i++) m[i] = rng.next() < 0.05 ? 1 : 0;
    const vol = createVolume(dims, m, { spacing: sp });
    for (const target of ['foreground', 'background'] as const) {
      for (const outside of [false, true]) {
        const d = distanceTransform(vol, { target, outsideIsTarget: outside, squared: true }).data;
        for (let z = 0; z < 8; z++)
          for (let y = 0; y < 10; y++)
            for (let x = 0; x < 14; x++) {
              let best = Infinity;
              for (let c = 0; c < 8; c++)
                for (let b = 0; b < 10; b++)
                  for (let a = 0; a < 14; a++) {
                    const on = m[a + 14 * (b + 10 * c)] !== 0;
                    if (on === (target === 'foreground')) {
                      best = Math.min(best, ((a - x) * sp[0]) ** 2 + ((b - y) * sp[1]) ** 2 + ((c - z) * sp[2]) ** 2);
                    }
                  }
              if (outside) {
                for (const [i, n, s] of [
                  [x, 14, sp[0]],
                  [y, 10, sp[1]],
                  [z, 8, sp[2]],
                ] as const) {
                  best = Math.min(best, ((i + 1) * s) ** 2, ((n - i) * s) ** 2);
                }
              }
              const v = d[x + 14 * (y + 10 * z)]!;
              expect(Math.abs(v - best)).toBeLessThanOrEqual(1e-6 * Math.max(1, best));
            }
      }
    }
  });

  it('capped (as morphology asks) keeps every value at or under the cap bit for bit, and the rest above it', () => {
    // Anisotropic, a z spacing that makes partial sums round, lines of 1 to 40 voxels on each axis.
    const sp: Vec3 = [0.7, 1.1, 2.3];
    let kept = 0;
    let cut = 0;
    for (const dims of [
      [40, 23, 11],
      [1, 30, 9],
      [25, 1, 40],
    ] as Vec3[]) {
      const rng = new Rng(17);
      const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (let i = 0; i < m.length; i++) m[i] = rng.next() < 0.01 ? 1 : 0;
      for (const targetNonzero of [true, false]) {
        for (const outside of [false, true]) {
          const full = squaredDistanceField(m, dims, sp, targetNonzero, outside);
          for (const cap of [0.49, 4.84, 26.45, 81]) {
            const capped = squaredDistanceField(m, dims, sp, targetNonzero, outside, cap);
            for (let i = 0; i < m.length; i++) {
              if (full[i]! <= cap) {
                expect(capped[i]).toBe(full[i]);
                if (full[i]! > 0) kept++;
              } else {
                expect(capped[i]!).toBeGreaterThan(cap);
                cut++;
              }
            }
          }
        }
      }
    }
    // both branches ran many times: nonzero distances under the cap, and values cut
    expect(kept).toBeGreaterThan(1000);
    expect(cut).toBeGreaterThan(1000);
  });

  it('gives Infinity without targets and keeps geometry', () => {
    const vol = createVolume([4, 3, 2], Uint8Array, { spacing: [1, 2, 3], origin: [1, 2, 3] });
    const d = distanceTransform(vol);
    expect(Array.from(d.data).every((v) => v === Infinity)).toBe(true);
    expect(d.spacing).toEqual([1, 2, 3]);
    vol.data.fill(1);
    // All foreground: the distance to the nearest outside voxel (x spacing 1 is the closest axis).
    const inside = distanceTransform(vol, { target: 'background', outsideIsTarget: true }).data;
    expect(Array.from(inside.slice(0, 4))).toEqual([1, 2, 2, 1]);
  });

  it('rejects a bad target', () => {
    const vol = createVolume([2, 2, 2], Uint8Array);
    expect(() => distanceTransform(vol, { target: 'x' as 'foreground' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
