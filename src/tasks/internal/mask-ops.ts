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
