// TODO(merge): every function here stands in for an op of src/core/ops that the ops branch is
// writing (connectedComponents, fillHoles, dilate/erode, distanceTransform, laplacianOfGaussian,
// hessianEigen). Replace the calls with the ops versions once merged, then delete this file.
// Kept small, internal (not exported from any barrel) and typed-array only.
import { edtMm } from '../../core/metrics/edt.js';
import type { Vec3 } from '../../core/volume.js';

/** Connected components result: labels 1..count (0 = background), sizes[label] in voxels. */
export interface Components {
  labels: Int32Array;
  count: number;
  sizes: number[];
}

/**
 * 3D connected components of non-zero voxels (6- or 26-connectivity), breadth-first with an
 * explicit queue (no recursion). Components are numbered in scan order.
 */
export function labelComponents(mask: ArrayLike<number>, dims: Vec3, connectivity: 6 | 26 = 6): Components {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const n = sxy * nz;
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes = [0];
  let count = 0;
  const offs: number[][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const m = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (m === 0 || (connectivity === 6 && m > 1)) continue;
        offs.push([dx, dy, dz]);
      }
  for (let s = 0; s < n; s++) {
    if (!mask[s] || labels[s]) continue;
    count++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    labels[s] = count;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % nx;
      const y = ((i - x) / nx) % ny;
      const z = (i - x - y * nx) / sxy;
      for (const o of offs) {
        const xx = x + o[0]!;
        const yy = y + o[1]!;
        const zz = z + o[2]!;
        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
        const j = xx + nx * (yy + ny * zz);
        if (mask[j] && !labels[j]) {
          labels[j] = count;
          queue[tail++] = j;
        }
      }
    }
    sizes.push(tail);
  }
  return { labels, count, sizes };
}

/** Keeps only the given component labels (a 0/1 mask). */
export function selectLabels(c: Components, keep: (label: number) => boolean): Uint8Array {
  const out = new Uint8Array(c.labels.length);
  const k = new Uint8Array(c.count + 1);
  for (let l = 1; l <= c.count; l++) k[l] = keep(l) ? 1 : 0;
  for (let i = 0; i < out.length; i++) out[i] = k[c.labels[i]!]!;
  return out;
}

/** The largest 3D component (0/1), or all zeros. */
export function largestComponent(mask: ArrayLike<number>, dims: Vec3, connectivity: 6 | 26 = 6): Uint8Array {
  const c = labelComponents(mask, dims, connectivity);
  let best = 0;
  for (let l = 1; l <= c.count; l++) if (c.sizes[l]! > (c.sizes[best] ?? 0)) best = l;
  return selectLabels(c, (l) => l === best);
}

/** Fills holes slice by slice (axial): background not 4-connected to the slice border becomes 1. */
export function fillHoles2d(mask: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const out = mask.slice();
  const outside = new Uint8Array(sxy);
  const queue = new Int32Array(sxy);
  for (let z = 0; z < nz; z++) {
    const base = z * sxy;
    outside.fill(0);
    let tail = 0;
    const push = (p: number): void => {
      if (!outside[p] && !mask[base + p]) {
        outside[p] = 1;
        queue[tail++] = p;
      }
    };
    for (let x = 0; x < nx; x++) {
      push(x);
      push(x + (ny - 1) * nx);
    }
    for (let y = 0; y < ny; y++) {
      push(y * nx);
      push(nx - 1 + y * nx);
    }
    let head = 0;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % nx;
      const y = (p - x) / nx;
      if (x > 0) push(p - 1);
      if (x < nx - 1) push(p + 1);
      if (y > 0) push(p - nx);
      if (y < ny - 1) push(p + nx);
    }
    for (let p = 0; p < sxy; p++) if (!outside[p]) out[base + p] = 1;
  }
  return out;
}

/** Dilation by a ball of `radiusMm` (exact, via the EDT of the mask). */
export function dilateMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  const d = edtMm(mask, dims, spacing);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = d[i]! <= radiusMm ? 1 : 0;
  return out;
}

/** Erosion by a ball of `radiusMm` (exact, via the EDT of the background; the grid edge is not background). */
export function erodeMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  const inv = new Uint8Array(mask.length);
  for (let i = 0; i < inv.length; i++) inv[i] = mask[i] ? 0 : 1;
  const d = edtMm(inv, dims, spacing);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = d[i]! > radiusMm ? 1 : 0;
  return out;
}

/** Closing (dilate then erode) by a ball; pads nothing, so keep objects off the grid edge. */
export function closeMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return erodeMm(dilateMm(mask, dims, spacing, radiusMm), dims, spacing, radiusMm);
}

/** Opening (erode then dilate) by a ball. */
export function openMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return dilateMm(erodeMm(mask, dims, spacing, radiusMm), dims, spacing, radiusMm);
}

/** Distance (mm) of each voxel to the nearest voxel where `feature` is set. */
export function distanceMm(feature: ArrayLike<number>, dims: Vec3, spacing: Vec3): Float32Array {
  return edtMm(feature, dims, spacing);
}

/**
 * Eigenvalues (ascending) of a symmetric 3x3 matrix [xx, yy, zz, xy, xz, yz], closed form
 * (Smith 1961). Writes into `out`.
 */
export function symEig3(a: number, b: number, c: number, d: number, e: number, f: number, out: Float64Array): void {
  const p1 = d * d + e * e + f * f;
  if (p1 < 1e-30) {
    const s = [a, b, c].sort((x, y) => x - y);
    out[0] = s[0]!;
    out[1] = s[1]!;
    out[2] = s[2]!;
    return;
  }
  const q = (a + b + c) / 3;
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const b11 = (a - q) / p;
  const b22 = (b - q) / p;
  const b33 = (c - q) / p;
  const b12 = d / p;
  const b13 = e / p;
  const b23 = f / p;
  const detB = b11 * (b22 * b33 - b23 * b23) - b12 * (b12 * b33 - b23 * b13) + b13 * (b12 * b23 - b22 * b13);
  const r = Math.max(-1, Math.min(1, detB / 2));
  const phi = Math.acos(r) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  const e2 = 3 * q - e1 - e3;
  out[0] = e3;
  out[1] = e2;
  out[2] = e1;
}
