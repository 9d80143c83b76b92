import { describe, expect, it } from 'vitest';
import { close, dilate, erode, open } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

/** Brute-force dilation by the ball |d|mm <= r (scipy binary_dilation with the same ball). */
function bruteDilate(m: Uint8Array, dims: Vec3, sp: Vec3, r: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(m.length);
  const R = [0, 1, 2].map((a) => Math.floor(r / sp[a]!));
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let on = 0;
        for (let c = -R[2]!; c <= R[2]! && !on; c++)
          for (let b = -R[1]!; b <= R[1]! && !on; b++)
            for (let a = -R[0]!; a <= R[0]! && !on; a++) {
              if ((a * sp[0]) ** 2 + (b * sp[1]) ** 2 + (c * sp[2]) ** 2 > r * r) continue;
              const xx = x + a;
              const yy = y + b;
              const zz = z + c;
              if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
              if (m[xx + nx * (yy + ny * zz)]) on = 1;
            }
        out[x + nx * (y + ny * z)] = on;
      }
  return out;
}

/**
 * dilate(m) against brute force, and erode of m's complement against the complement of the same
 * (erosion is the complement of the dilation of the complement; outside ignored by default).
 */
function expectMatchesBrute(m: Uint8Array, dims: Vec3, sp: Vec3, r: number): void {
  const ref = bruteDilate(m, dims, sp, r);
  expect(Array.from(dilate(createVolume(dims, m, { spacing: sp }), { radiusMm: r }).data)).toEqual(Array.from(ref));
  const inv = createVolume(
    dims,
    m.map((v) => 1 - v),
    { spacing: sp },
  );
  expect(Array.from(erode(inv, { radiusMm: r }).data)).toEqual(Array.from(ref.map((v) => 1 - v)));
}

describe('morphology', () => {
  it('dilation of one voxel is the anisotropic ball of radius r', () => {
    const dims: Vec3 = [31, 31, 13];
    const sp: Vec3 = [0.8, 0.8, 2.5];
    const vol = createVolume(dims, Uint8Array, { spacing: sp });
    vol.data[15 + 31 * (15 + 31 * 6)] = 1;
    const r = 5;
    const d = dilate(vol, { radiusMm: r }).data;
    for (let z = 0; z < 13; z++)
      for (let y = 0; y < 31; y++)
        for (let x = 0; x < 31; x++) {
          const inBall = ((x - 15) * sp[0]) ** 2 + ((y - 15) * sp[1]) ** 2 + ((z - 6) * sp[2]) ** 2 <= r * r;
          expect(d[x + 31 * (y + 31 * z)]).toBe(inBall ? 1 : 0);
        }
  });

  it('matches brute-force ball dilation and erosion on random masks (row and EDT paths)', () => {
    // Small balls use the row decomposition (nx = 17 and 19 on rows widened to 20 and 24), large
    // balls the EDT.
    for (const dims of [
      [16, 15, 9],
      [17, 15, 9],
      [19, 15, 9],
    ] as Vec3[]) {
      const sp: Vec3 = [0.7, 1.1, 2];
      const rng = new Rng(5);
      const n = dims[0] * dims[1] * dims[2];
      const m = new Uint8Array(n);
      for (let i = 0; i < n; i++) m[i] = rng.next() < 0.08 ? 1 : 0;
      for (const r of [0.5, 1, 2.3, 3, 9]) expectMatchesBrute(m, dims, sp, r);
    }
  });

  it('smooth masks (a few runs per row, painted run by run) match brute force, as do their complements', () => {
    // Overlapping ellipsoids: few runs per row, so both the dilation (runs of the mask) and the
    // erosion (runs of the background) take the run-painting path; widths not a multiple of 4.
    for (const dims of [
      [33, 29, 11],
      [35, 21, 9],
      [40, 24, 1],
    ] as Vec3[]) {
      const sp: Vec3 = [0.7, 0.9, dims[2] === 1 ? 1 : 2.5];
      const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (let z = 0; z < dims[2]; z++)
        for (let y = 0; y < dims[1]; y++)
          for (let x = 0; x < dims[0]; x++) {
            const a = ((x - 12) / 8) ** 2 + ((y - 10) / 6) ** 2 + ((z - dims[2] / 2) / 4) ** 2 < 1;
            const b = ((x - 22) / 5) ** 2 + ((y - 15) / 7) ** 2 + ((z - 3) / 3) ** 2 < 1;
            if (a || b) m[x + dims[0] * (y + dims[1] * z)] = 1;
          }
      for (const r of [1, 2.3, 3]) {
        expectMatchesBrute(m, dims, sp, r);
        expectMatchesBrute(
          m.map((v) => 1 - v),
          dims,
          sp,
          r,
        );
      }
    }
  });

  it('large balls on a compact mask (painted run by run instead of the distance transform) match brute force', () => {
    // More row offsets than the word-wide path takes: the EDT's case unless the runs are few.
    const dims: Vec3 = [45, 38, 14];
    const sp: Vec3 = [0.7, 0.9, 2.5];
    const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let z = 0; z < dims[2]; z++)
      for (let y = 0; y < dims[1]; y++)
        for (let x = 0; x < dims[0]; x++)
          if (((x - 21) / 7) ** 2 + ((y - 18) / 5) ** 2 + ((z - 7) / 2.5) ** 2 < 1)
            m[x + dims[0] * (y + dims[1] * z)] = 1;
    for (const r of [6, 8]) expectMatchesBrute(m, dims, sp, r);
  });

  it('runs missed by the sampled rows (the run arrays grow while collecting) still match brute force', () => {
    // Two runs on every row except each 16th (the rows the estimate samples): 1920 runs, more than
    // the first allocation of 1024, under the budget, so the painted path collects them growing.
    const dims: Vec3 = [64, 64, 16];
    const sp: Vec3 = [1, 1, 1];
    const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let z = 0; z < dims[2]; z++)
      for (let y = 0; y < dims[1]; y++) {
        if (y % 16 === 0) continue;
        const o = (y * 7 + z * 3) % 20;
        for (const x of [o + 5, o + 6, o + 30, o + 31, o + 32]) m[x + dims[0] * (y + dims[1] * z)] = 1;
      }
    expectMatchesBrute(m, dims, sp, 1);
  });

  it('masks much smaller than the grid (computed in their padded bounding box) match brute force', () => {
    // Clusters in the interior, at a corner and on a face: the box is cut at the grid border there.
    const dims: Vec3 = [42, 37, 15];
    const sp: Vec3 = [0.7, 0.9, 2.5];
    const n = dims[0] * dims[1] * dims[2];
    const rng = new Rng(11);
    for (const [cx, cy, cz] of [
      [20, 18, 7],
      [1, 2, 0],
      [40, 18, 14],
    ] as Vec3[]) {
      const m = new Uint8Array(n);
      for (let z = Math.max(0, cz - 2); z <= Math.min(dims[2] - 1, cz + 2); z++)
        for (let y = Math.max(0, cy - 5); y <= Math.min(dims[1] - 1, cy + 5); y++)
          for (let x = Math.max(0, cx - 6); x <= Math.min(dims[0] - 1, cx + 6); x++)
            if (rng.next() < 0.7) m[x + dims[0] * (y + dims[1] * z)] = 1;
      for (const r of [1, 2.3, 5]) {
        expectMatchesBrute(m, dims, sp, r);
        expectMatchesBrute(
          m.map((v) => 1 - v),
          dims,
          sp,
          r,
        );
      }
    }
    const none = createVolume(dims, Uint8Array, { spacing: sp });
    expect(sum(dilate(none, { radiusMm: 3 }).data)).toBe(0);
    expect(sum(erode(none, { radiusMm: 3 }).data)).toBe(0);
  });

  it('erosion of a sparse mask (computed around the voxels whose x and y chords fit the ball) matches brute force', () => {
    // Thin tubes with solid blobs in the interior, against an x face and in a corner (the grid
    // border does not erode): the erosion works in the blobs' padded box, or finds no survivor.
    const dims: Vec3 = [47, 41, 13];
    const sp: Vec3 = [0.8, 0.8, 2.5];
    const rng = new Rng(3);
    for (const blobs of [
      [[22, 20, 6]],
      [
        [2, 20, 6],
        [44, 38, 12],
      ],
      [],
    ] as Vec3[][]) {
      const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (let t = 0; t < 12; t++) {
        // a tube along a random axis, one to two voxels wide
        const ax = t % 3;
        const c = [rng.next() * dims[0], rng.next() * dims[1], rng.next() * dims[2]].map(Math.floor);
        for (let k = 0; k < dims[ax]!; k++) {
          const p = [...c];
          p[ax] = k;
          m[p[0]! + dims[0] * (p[1]! + dims[1] * p[2]!)] = 1;
          if (t % 2) m[Math.min(dims[0] - 1, p[0]! + 1) + dims[0] * (p[1]! + dims[1] * p[2]!)] = 1;
        }
      }
      for (const [bx, by, bz] of blobs)
        for (let z = 0; z < dims[2]; z++)
          for (let y = 0; y < dims[1]; y++)
            for (let x = 0; x < dims[0]; x++)
              if (((x - bx) * sp[0]) ** 2 + ((y - by) * sp[1]) ** 2 + ((z - bz) * sp[2]) ** 2 < 7.5 ** 2)
                m[x + dims[0] * (y + dims[1] * z)] = 1;
      for (const r of [1, 2.3, 4.3])
        expectMatchesBrute(
          m.map((v) => 1 - v),
          dims,
          sp,
          r,
        );
    }
  });

  it('dilating and eroding a ball changes its radius by r', () => {
    const n = 41;
    const sp: Vec3 = [0.5, 0.5, 0.5];
    const vol = createVolume([n, n, n], Uint8Array, { spacing: sp });
    const c = 20;
    const R = 6; // mm
    const ballCount = (rad: number) => {
      let k = 0;
      for (let z = 0; z < n; z++)
        for (let y = 0; y < n; y++)
          for (let x = 0; x < n; x++) if (Math.hypot(x - c, y - c, z - c) * 0.5 <= rad + 1e-9) k++;
      return k;
    };
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) if (Math.hypot(x - c, y - c, z - c) * 0.5 <= R) vol.data[x + n * (y + n * z)] = 1;
    // Discrete balls are not exactly Minkowski-additive; the radius of the result must be R ± r
    // within one voxel: compare to the discrete balls of radius R+r and R-r.
    const dl = sum(dilate(vol, { radiusMm: 2 }).data);
    const er = sum(erode(vol, { radiusMm: 2 }).data);
    expect(dl).toBeGreaterThanOrEqual(ballCount(7.5));
    expect(dl).toBeLessThanOrEqual(ballCount(8));
    expect(er).toBeGreaterThanOrEqual(ballCount(4));
    expect(er).toBeLessThanOrEqual(ballCount(4.5));
    // Radii along the axes are exact.
    const d = dilate(vol, { radiusMm: 2 }).data;
    expect(d[c + 16 + n * (c + n * c)]).toBe(1);
    expect(d[c + 17 + n * (c + n * c)]).toBe(0);
  });

  it('erodes at the border only when asked; open removes specks, close fills gaps', () => {
    const vol = createVolume([10, 10, 10], Uint8Array);
    vol.data.fill(1);
    expect(sum(erode(vol, { radiusMm: 1 }).data)).toBe(1000);
    expect(sum(erode(vol, { radiusMm: 1, erodeAtBorder: true }).data)).toBe(512);
    const speck = createVolume([12, 12, 12], Uint8Array);
    speck.data[5 + 12 * (5 + 12 * 5)] = 1;
    expect(sum(open(speck, { radiusMm: 1 }).data)).toBe(0);
    const gap = createVolume([12, 12, 12], Uint8Array);
    for (let x = 1; x < 11; x++)
      if (x !== 6) for (let y = 4; y < 8; y++) for (let z = 4; z < 8; z++) gap.data[x + 12 * (y + 12 * z)] = 1;
    const closed = close(gap, { radiusMm: 1 }).data;
    expect(closed[6 + 12 * (5 + 12 * 5)]).toBe(1);
    // The 4 corner voxels of the gap slice stay open: a radius-1 ball (the 6-neighbour cross)
    // centred just outside the bar's edge touches them without touching the bar.
    expect(sum(closed)).toBe(9 * 16 + 12);
    for (let i = 0; i < closed.length; i++) if (gap.data[i]) expect(closed[i]).toBe(1);
  });

  it('supports ellipsoidal elements and rejects bad radii', () => {
    const vol = createVolume([21, 21, 21], Uint8Array);
    vol.data[10 + 21 * (10 + 21 * 10)] = 1;
    const d = dilate(vol, { radiusMm: [3, 1, 0.5] }).data;
    expect(d[13 + 21 * (10 + 21 * 10)]).toBe(1);
    expect(d[14 + 21 * (10 + 21 * 10)]).toBe(0);
    expect(d[10 + 21 * (12 + 21 * 10)]).toBe(0);
    expect(d[10 + 21 * (10 + 21 * 11)]).toBe(0);
    expect(() => dilate(vol, { radiusMm: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
