import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import type { Vec3 } from '../../src/core/volume.js';
import { nonzeroBox } from '../../src/core/ops/work-box.js';

/** Bounding box by visiting every voxel. */
function bruteBox(m: ArrayLike<number>, [nx, ny, nz]: Vec3): number[] | null {
  const b = [nx, ny, nz, -1, -1, -1];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        if (!m[x + nx * (y + ny * z)]) continue;
        b[0] = Math.min(b[0]!, x);
        b[1] = Math.min(b[1]!, y);
        b[2] = Math.min(b[2]!, z);
        b[3] = Math.max(b[3]!, x);
        b[4] = Math.max(b[4]!, y);
        b[5] = Math.max(b[5]!, z);
      }
  return b[3]! < 0 ? null : b;
}

describe('nonzeroBox', () => {
  it('equals the brute-force box for byte masks (word-wide path) and other arrays, padded and clipped', () => {
    const rng = new Rng(7);
    // nx = 16 and 24 take the four-bytes-at-a-time path for Uint8Array; 17 the plain one
    for (const dims of [
      [16, 9, 5],
      [24, 7, 3],
      [17, 9, 5],
    ] as Vec3[]) {
      const n = dims[0] * dims[1] * dims[2];
      for (let t = 0; t < 300; t++) {
        const m = new Uint8Array(n);
        const k = t % 6; // 0 .. 5 voxels, values 1..255 anywhere (every byte position of a word)
        for (let j = 0; j < k; j++) m[Math.floor(rng.next() * n)] = 1 + Math.floor(rng.next() * 255);
        const ref = bruteBox(m, dims);
        expect(nonzeroBox(m, dims, [0, 0, 0])).toEqual(ref);
        expect(nonzeroBox(Float32Array.from(m), dims, [0, 0, 0])).toEqual(ref);
        if (ref) {
          const padded = nonzeroBox(m, dims, [2, 1, 3])!;
          expect(padded).toEqual([
            Math.max(0, ref[0]! - 2),
            Math.max(0, ref[1]! - 1),
            Math.max(0, ref[2]! - 3),
            Math.min(dims[0] - 1, ref[3]! + 2),
            Math.min(dims[1] - 1, ref[4]! + 1),
            Math.min(dims[2] - 1, ref[5]! + 3),
          ]);
        }
      }
    }
  });
});
