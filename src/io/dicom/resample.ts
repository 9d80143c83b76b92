import type { Vec3 } from '../../core/volume.js';
import type { ValueArray } from './values.js';

/**
 * Resamples a stack of slices with uneven spacing and/or gantry tilt onto a uniform grid
 * orthogonal to the slices, as dcm2niix does: target slice z lies at distance
 * d0 + z * gap along the normal; each is interpolated linearly between the two source slices
 * that bracket it, each of those bilinearly in-plane at the target point's in-plane position
 * (which shifts from slice to slice when the gantry is tilted). Points outside the source
 * field of view get `fill`. Integer outputs are rounded.
 */
export function resampleStack(
  src: ValueArray,
  nx: number,
  ny: number,
  positions: Vec3[],
  distances: number[],
  rowDir: Vec3,
  colDir: Vec3,
  spacingXY: [number, number],
  gap: number,
  fill: number,
): ValueArray {
  const nz = positions.length;
  const plane = nx * ny;
  const out = new (src.constructor as { new (n: number): ValueArray })(plane * nz);
  const round = !(out instanceof Float32Array);
  const p0 = positions[0]!;
  // in-plane offset (pixels) of each source slice relative to slice 0
  const ox = new Float64Array(nz);
  const oy = new Float64Array(nz);
  for (let k = 0; k < nz; k++) {
    const p = positions[k]!;
    const d: Vec3 = [p[0] - p0[0], p[1] - p0[1], p[2] - p0[2]];
    ox[k] = (d[0] * rowDir[0] + d[1] * rowDir[1] + d[2] * rowDir[2]) / spacingXY[0];
    oy[k] = (d[0] * colDir[0] + d[1] * colDir[1] + d[2] * colDir[2]) / spacingXY[1];
  }
  const rowA = new Float64Array(nx);
  let k = 0;
  for (let z = 0; z < nz; z++) {
    const dz = distances[0]! + z * gap;
    while (k < nz - 2 && distances[k + 1]! < dz) k++;
    const k1 = Math.min(k + 1, nz - 1);
    const span = distances[k1]! - distances[k]!;
    let w = span > 0 ? (dz - distances[k]!) / span : 0;
    w = Math.min(1, Math.max(0, w));
    const base = z * plane;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) rowA[i] = 0;
      for (let s = 0; s < 2; s++) {
        const kk = s === 0 ? k : k1;
        const ws = s === 0 ? 1 - w : w;
        if (ws === 0) continue;
        const fy = j - oy[kk]!;
        const sbase = kk * plane;
        const y0 = Math.floor(fy);
        const ty = fy - y0;
        for (let i = 0; i < nx; i++) {
          const fx = i - ox[kk]!;
          const x0 = Math.floor(fx);
          const tx = fx - x0;
          const v = bilinear(src, sbase, nx, ny, x0, y0, tx, ty, fill);
          rowA[i] = rowA[i]! + ws * v;
        }
      }
      const o = base + j * nx;
      if (round) for (let i = 0; i < nx; i++) out[o + i] = Math.round(rowA[i]!);
      else for (let i = 0; i < nx; i++) out[o + i] = rowA[i]!;
    }
  }
  return out;
}

function bilinear(
  a: ValueArray,
  base: number,
  nx: number,
  ny: number,
  x0: number,
  y0: number,
  tx: number,
  ty: number,
  fill: number,
): number {
  // exact hits on the grid (the common untilted case) need one read
  if (tx < 1e-9 && ty < 1e-9) return at(a, base, nx, ny, x0, y0, fill);
  const v00 = at(a, base, nx, ny, x0, y0, fill);
  const v10 = at(a, base, nx, ny, x0 + 1, y0, fill);
  const v01 = at(a, base, nx, ny, x0, y0 + 1, fill);
  const v11 = at(a, base, nx, ny, x0 + 1, y0 + 1, fill);
  return (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
}

function at(a: ValueArray, base: number, nx: number, ny: number, x: number, y: number, fill: number): number {
  return x < 0 || y < 0 || x >= nx || y >= ny ? fill : a[base + y * nx + x]!;
}
