import { describe, expect, it } from 'vitest';
import { type Connectivity, connectedComponents, fillHoles, keepLargestComponent } from '../../src/core/ops/index.js';
import { Rng } from '../../src/core/random.js';
import { createVolume, type Vec3 } from '../../src/core/volume.js';

/** Reference labelling by BFS in raster order. */
function bfsLabels(m: Uint8Array, dims: Vec3, conn: Connectivity): { labels: Int32Array; count: number } {
  const [nx, ny, nz] = dims;
  const offs: Vec3[] = [];
  for (let c = -1; c <= 1; c++)
    for (let b = -1; b <= 1; b++)
      for (let a = -1; a <= 1; a++) {
        const k = Math.abs(a) + Math.abs(b) + Math.abs(c);
        if (k === 0 || (conn === 6 && k > 1) || (conn === 18 && k > 2)) continue;
        offs.push([a, b, c]);
      }
  const labels = new Int32Array(m.length);
  let count = 0;
  for (let i = 0; i < m.length; i++) {
    if (!m[i] || labels[i]) continue;
    count++;
    labels[i] = count;
    const q = [i];
    while (q.length) {
      const p = q.pop()!;
      const x = p % nx;
      const y = Math.floor(p / nx) % ny;
      const z = Math.floor(p / (nx * ny));
      for (const [a, b, c] of offs) {
        const xx = x + a;
        const yy = y + b;
        const zz = z + c;
        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
        const j = xx + nx * (yy + ny * zz);
        if (m[j] && !labels[j]) {
          labels[j] = count;
          q.push(j);
        }
      }
    }
  }
  return { labels, count };
}

describe('connectedComponents', () => {
  it('distinguishes face, edge and corner contacts by connectivity', () => {
    const vol = createVolume([5, 5, 5], Uint8Array);
    const set = (x: number, y: number, z: number) => {
      vol.data[x + 5 * (y + 5 * z)] = 1;
    };
    set(1, 1, 1);
    set(2, 1, 1); // face neighbour of (1,1,1)
    set(3, 2, 1); // edge neighbour of (2,1,1)
    set(4, 3, 2); // corner neighbour of (3,2,1)
    expect(connectedComponents(vol, { connectivity: 6 }).count).toBe(3);
    expect(connectedComponents(vol, { connectivity: 18 }).count).toBe(2);
    expect(connectedComponents(vol, { connectivity: 26 }).count).toBe(1);
  });

  it('equals BFS labelling (same numbering) on random masks for 6, 18 and 26', () => {
    const dims: Vec3 = [23, 17, 11];
    const rng = new Rng(11);
    const m = new Uint8Array(23 * 17 * 11);
    for (let i = 0; i < m.length; i++) m[i] = rng.next() < 0.3 ? 1 : 0;
    const vol = createVolume(dims, m);
    for (const c of [6, 18, 26] as const) {
      const ref = bfsLabels(m, dims, c);
      const got = connectedComponents(vol, { connectivity: c });
      expect(got.count).toBe(ref.count);
      expect(Array.from(got.labels.data)).toEqual(Array.from(ref.labels));
    }
  });

  it('reports voxel count, volume, bbox, LPS centroid and mean intensity of known boxes', () => {
    const dims: Vec3 = [20, 10, 8];
    const vol = createVolume(dims, Uint8Array, {
      spacing: [0.5, 1, 2],
      origin: [10, 20, 30],
      direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    });
    const img = createVolume(dims, Float32Array, {
      spacing: [0.5, 1, 2],
      origin: [10, 20, 30],
      direction: vol.direction,
    });
    for (let z = 0; z < 8; z++)
      for (let y = 0; y < 10; y++)
        for (let x = 0; x < 20; x++) {
          const i = x + 20 * (y + 10 * z);
          img.data[i] = x + 100 * z;
          if (x >= 2 && x <= 5 && y >= 1 && y <= 3 && z >= 0 && z <= 1) vol.data[i] = 1; // 4x3x2 box
          if (x >= 10 && x <= 18 && y === 7 && z === 5) vol.data[i] = 1; // 9x1x1 line
        }
    const r = connectedComponents(vol, { connectivity: 6 }, img);
    expect(r.count).toBe(2);
    const [a, b] = r.components as [(typeof r.components)[0], (typeof r.components)[0]];
    expect(a.voxelCount).toBe(24);
    expect(a.volumeMm3).toBeCloseTo(24 * 0.5 * 1 * 2, 10);
    expect(a.bboxMin).toEqual([2, 1, 0]);
    expect(a.bboxMax).toEqual([5, 3, 1]);
    expect(a.centroidIndex).toEqual([3.5, 2, 0.5]);
    expect(a.centroidMm[0]).toBeCloseTo(10 - 3.5 * 0.5, 10);
    expect(a.centroidMm[1]).toBeCloseTo(20 - 2, 10);
    expect(a.centroidMm[2]).toBeCloseTo(30 + 0.5 * 2, 10);
    expect(a.meanIntensity).toBeCloseTo(3.5 + 50, 10);
    expect(b.voxelCount).toBe(9);
    expect(b.meanIntensity).toBeCloseTo(14 + 500, 10);
    expect(r.labels.data[2 + 20 * (1 + 10 * 0)]).toBe(1);
    expect(r.labels.data[10 + 20 * (7 + 10 * 5)]).toBe(2);
    expect(r.labels.origin).toEqual([10, 20, 30]);
  });

  it('keeps the largest component', () => {
    const vol = createVolume([10, 4, 4], Uint8Array);
    vol.data[0] = 1;
    for (let x = 4; x < 9; x++) vol.data[x + 10 * (2 + 4 * 2)] = 1;
    const k = keepLargestComponent(vol);
    expect(k.data.reduce((s, v) => s + v, 0)).toBe(5);
    expect(k.data[0]).toBe(0);
    expect(keepLargestComponent(vol, { count: 2 }).data.reduce((s, v) => s + v, 0)).toBe(6);
    expect(keepLargestComponent(createVolume([3, 3, 3], Uint8Array)).data.every((v) => v === 0)).toBe(true);
  });

  it('rejects bad connectivity and grid mismatches with MedImgError', () => {
    const vol = createVolume([3, 3, 3], Uint8Array);
    expect(() => connectedComponents(vol, { connectivity: 8 as Connectivity })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => connectedComponents(vol, {}, createVolume([3, 3, 4], Float32Array))).toThrow(
      expect.objectContaining({ code: 'GRID_MISMATCH' }),
    );
  });
});

describe('fillHoles', () => {
  it('fills the cavity of a hollow ball in 3D but not an open shell', () => {
    const n = 21;
    const vol = createVolume([n, n, n], Uint8Array);
    const c = 10;
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const r = Math.hypot(x - c, y - c, z - c);
          if (r <= 8 && r > 5) vol.data[x + n * (y + n * z)] = 1;
        }
    const filled = fillHoles(vol);
    let count = 0;
    let ballCount = 0;
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const inBall = Math.hypot(x - c, y - c, z - c) <= 8;
          count += filled.data[x + n * (y + n * z)]!;
          ballCount += inBall ? 1 : 0;
          expect(filled.data[x + n * (y + n * z)]).toBe(inBall ? 1 : 0);
        }
    expect(count).toBe(ballCount);
    // Drill a channel from the cavity to the outside along +x: nothing is a hole any more.
    for (let x = c; x < n; x++) vol.data[x + n * (c + n * c)] = 0;
    const open = fillHoles(vol);
    expect(open.data[c + n * (c + n * c)]).toBe(0);
    expect(open.data[c - 3 + n * (c + n * c)]).toBe(0);
  });

  it('per slice fills rings of an open tube that 3D filling leaves', () => {
    const n = 15;
    const vol = createVolume([n, n, 6], Uint8Array);
    for (let z = 0; z < 6; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const r = Math.hypot(x - 7, y - 7);
          if (r <= 6 && r > 3) vol.data[x + n * (y + n * z)] = 1;
        }
    const centre = 7 + n * (7 + n * 3);
    expect(fillHoles(vol).data[centre]).toBe(0);
    expect(fillHoles(vol, { mode: 'slice' }).data[centre]).toBe(1);
    // Along x the tube wall slices are not rings: nothing to fill at the centre.
    expect(fillHoles(vol, { mode: 'slice', axis: 0 }).data[centre]).toBe(0);
  });

  it('masks much smaller than the grid (filled in their padded bounding box) match a flood fill', () => {
    const dims: Vec3 = [40, 33, 12];
    const [nx, ny, nz] = dims;
    /** Background not reached from the grid border (6-connected in 3D, 4-connected per slice). */
    const floodRef = (m: Uint8Array, planar: boolean, corners = false): Uint8Array => {
      const seen = new Uint8Array(m.length);
      const queue: number[] = [];
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const edge = corners
              ? (x === 0 || x === nx - 1) && (y === 0 || y === ny - 1)
              : x === 0 || y === 0 || x === nx - 1 || y === ny - 1 || (!planar && (z === 0 || z === nz - 1));
            const i = x + nx * (y + ny * z);
            if (edge && !m[i]) {
              seen[i] = 1;
              queue.push(i);
            }
          }
      while (queue.length) {
        const i = queue.pop()!;
        const x = i % nx;
        const y = Math.floor(i / nx) % ny;
        const z = Math.floor(i / (nx * ny));
        const nb = [
          x > 0 ? i - 1 : -1,
          x < nx - 1 ? i + 1 : -1,
          y > 0 ? i - nx : -1,
          y < ny - 1 ? i + nx : -1,
          !planar && z > 0 ? i - nx * ny : -1,
          !planar && z < nz - 1 ? i + nx * ny : -1,
        ];
        for (const j of nb)
          if (j >= 0 && !m[j] && !seen[j]) {
            seen[j] = 1;
            queue.push(j);
          }
      }
      return m.map((v, i) => (v || !seen[i] ? 1 : 0));
    };
    const rng = new Rng(3);
    for (const [cx, cy, cz] of [
      [20, 16, 6],
      [2, 1, 0],
      [38, 16, 11],
    ] as Vec3[]) {
      const m = new Uint8Array(nx * ny * nz);
      for (let z = Math.max(0, cz - 3); z <= Math.min(nz - 1, cz + 3); z++)
        for (let y = Math.max(0, cy - 6); y <= Math.min(ny - 1, cy + 6); y++)
          for (let x = Math.max(0, cx - 7); x <= Math.min(nx - 1, cx + 7); x++)
            if (rng.next() < 0.6) m[x + nx * (y + ny * z)] = 1;
      const vol = createVolume(dims, m);
      for (const planar of [false, true]) {
        const got = fillHoles(vol, { mode: planar ? 'slice' : '3d' }).data;
        const ref = floodRef(m, planar);
        expect(ref.reduce((s, v, i) => s + (v && !m[i] ? 1 : 0), 0)).toBeGreaterThan(0); // holes exist
        expect(Array.from(got)).toEqual(Array.from(ref));
      }
      const corners = fillHoles(vol, { mode: 'slice', openAt: 'corners' }).data;
      expect(Array.from(corners)).toEqual(Array.from(floodRef(m, true, true)));
    }
    expect(fillHoles(createVolume(dims, Uint8Array)).data.some((v) => v)).toBe(false);
  });

  it("openAt 'corners': background that the grid's edge cuts off between two parts of the object is filled", () => {
    // A ring cut by the left edge (a lung that a reduced field of view cuts): open to the border at
    // x = 0 between the ring's two arms, but reaching no corner of the slice.
    const n = 20;
    const vol = createVolume([n, n, 2], Uint8Array);
    for (let z = 0; z < 2; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const r = Math.hypot(x - 3, y - 10);
          if (r <= 8 && r > 5) vol.data[x + n * (y + n * z)] = 1;
        }
    const inside = 0 + n * 10; // on the edge, inside the cut ring
    const outside = 15 + n * 2;
    expect(fillHoles(vol, { mode: 'slice' }).data[inside]).toBe(0);
    const filled = fillHoles(vol, { mode: 'slice', openAt: 'corners' }).data;
    expect(filled[inside]).toBe(1);
    expect(filled[inside + n * n]).toBe(1);
    expect(filled[outside]).toBe(0);
    expect(() => fillHoles(vol, { openAt: 'corners' })).toThrow(/needs mode 'slice'/);
  });
});
