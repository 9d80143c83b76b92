// Thin adapters from the tasks' raw typed arrays (dims + spacing) to the Volume-based ops of
// src/core/ops, so the pipelines' hot loops keep working on plain arrays. No algorithm lives here
// except the closed-form 3x3 eigen solver used at single candidate points.
import { distanceTransform } from '../../core/ops/distance.js';
import { connectedComponents } from '../../core/ops/labels.js';
import { fillHoles, keepLargestComponent } from '../../core/ops/labels.js';
import { close, dilate, erode, open } from '../../core/ops/morphology.js';
import type { Mask, Vec3 } from '../../core/volume.js';

const ID = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function vol(data: Uint8Array, dims: Vec3, spacing: Vec3 = [1, 1, 1]): Mask {
  return { data, dims: [...dims] as Vec3, spacing: [...spacing] as Vec3, origin: [0, 0, 0], direction: ID };
}

/** Connected components result: labels 1..count (0 = background), sizes[label] in voxels. */
export interface Components {
  labels: Int32Array;
  count: number;
  sizes: number[];
}

/** 3D connected components (6- or 26-connectivity) with voxel counts. */
export function labelComponents(mask: Uint8Array, dims: Vec3, connectivity: 6 | 26 = 6): Components {
  const r = connectedComponents(vol(mask, dims), { connectivity, stats: false });
  const labels = r.labels.data;
  const sizes = new Array<number>(r.count + 1).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]!]!++;
  sizes[0] = 0;
  return { labels, count: r.count, sizes };
}

/** Keeps only the given component labels (a 0/1 mask). */
export function selectLabels(c: Components, keep: (label: number) => boolean): Uint8Array {
  const out = new Uint8Array(c.labels.length);
  const k = new Uint8Array(c.count + 1);
  for (let l = 1; l <= c.count; l++) k[l] = keep(l) ? 1 : 0;
  for (let i = 0; i < out.length; i++) out[i] = k[c.labels[i]!]!;
  return out;
}

/** The largest 3D component (0/1). */
export function largestComponent(mask: Uint8Array, dims: Vec3, connectivity: 6 | 26 = 6): Uint8Array {
  return keepLargestComponent(vol(mask, dims), { connectivity }).data;
}

/** Holes filled slice by slice (axial, 4-connected background). */
export function fillHoles2d(mask: Uint8Array, dims: Vec3): Uint8Array {
  return fillHoles(vol(mask, dims), { mode: 'slice', axis: 2 }).data;
}

/** Dilation by a ball of `radiusMm`. */
export function dilateMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return dilate(vol(mask, dims, spacing), { radiusMm }).data;
}

/** Erosion by a ball of `radiusMm` (the grid border does not erode). */
export function erodeMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return erode(vol(mask, dims, spacing), { radiusMm }).data;
}

/** Closing by a ball. */
export function closeMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return close(vol(mask, dims, spacing), { radiusMm }).data;
}

/** Opening by a ball. */
export function openMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return open(vol(mask, dims, spacing), { radiusMm }).data;
}

/** Distance (mm) of each voxel to the nearest nonzero voxel of `feature` (Infinity when none). */
export function distanceMm(feature: Uint8Array, dims: Vec3, spacing: Vec3): Float32Array {
  return distanceTransform(vol(feature, dims, spacing)).data;
}

/**
 * Eigenvalues (ascending) of a symmetric 3x3 matrix [xx, yy, zz, xy, xz, yz], closed form
 * (Smith 1961), for the Hessian at single candidate points. Writes into `out`.
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
  out[0] = e3;
  out[1] = 3 * q - e1 - e3;
  out[2] = e1;
}
