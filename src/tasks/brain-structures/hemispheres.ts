// Left/right volumes of brain structures: from the labels when the model splits the sides
// (Left-*, ctx-lh-*), else by the mid-sagittal plane through the centroid of all labelled voxels.
import type { Volume } from '../../core/volume.js';
import { voxelVolumeMm3 } from '../../core/volume.js';
import type { StructureMeasurement } from '../segment-structures/types.js';
import type { BrainStructureVolume } from './types.js';

/** Structures on the midline: no left/right volumes or asymmetry. */
const MIDLINE = /brain-?stem|3rd|4th|^csf$|callosum|^cc_/i;

/** The side a label name states, or null. */
export type Side = 'left' | 'right' | null;

/**
 * The side a label name states and the name without it.
 *
 * @example
 * ```ts
 * import { sideOfName } from 'medimg';
 * sideOfName('Left-Hippocampus'); // { side: 'left', base: 'Hippocampus' }
 * sideOfName('ctx-rh-insula'); // { side: 'right', base: 'ctx-insula' }
 * ```
 */
export function sideOfName(name: string): { side: Side; base: string } {
  const m = /^(left|right)[-_ ](.+)$/i.exec(name);
  if (m) return { side: m[1]!.toLowerCase() as Side, base: m[2]! };
  const c = /^(ctx|wm)-(lh|rh)-(.+)$/i.exec(name);
  if (c) return { side: c[2]!.toLowerCase() === 'lh' ? 'left' : 'right', base: `${c[1]}-${c[3]}` };
  return { side: null, base: name };
}

/**
 * (L - R) / ((L + R) / 2) in percent; null when both are 0.
 *
 * @example
 * ```ts
 * import { asymmetryIndex } from 'medimg';
 * asymmetryIndex(4.1, 3.7); // 10.3 (% of the mean, positive = left larger)
 * ```
 */
export function asymmetryIndex(left: number, right: number): number | null {
  const mean = (left + right) / 2;
  return mean > 0 ? ((left - right) / mean) * 100 : null;
}

/**
 * Per-structure volumes with sides. `labels` is on the image grid (LPS world: +x = patient left).
 * Returns the structures and how the sides were found.
 */
export function brainStructureTable(
  labels: Volume<Uint8Array>,
  perLabel: StructureMeasurement[],
  icvMl: number,
): { structures: BrainStructureVolume[]; hemisphereMethod: 'labels' | 'midline'; midlineXMm: number | null } {
  const named = perLabel.map((s) => ({ ...s, ...sideOfName(s.name) }));
  const bySide = named.some((s) => s.side !== null);
  const frac = (ml: number): number => (icvMl > 0 ? ml / icvMl : 0);
  if (bySide) {
    const groups = new Map<string, typeof named>();
    for (const s of named) {
      const g = groups.get(s.base) ?? [];
      g.push(s);
      groups.set(s.base, g);
    }
    const structures = [...groups.entries()].map(([name, g]): BrainStructureVolume => {
      const volumeMl = g.reduce((a, s) => a + s.volumeMl, 0);
      const sided =
        g.every((s) => s.side !== null) && g.some((s) => s.side === 'left') && g.some((s) => s.side === 'right');
      const leftMl = sided ? g.filter((s) => s.side === 'left').reduce((a, s) => a + s.volumeMl, 0) : null;
      const rightMl = sided ? g.filter((s) => s.side === 'right').reduce((a, s) => a + s.volumeMl, 0) : null;
      return {
        name,
        labels: g.map((s) => s.label),
        volumeMl,
        icvFraction: frac(volumeMl),
        leftMl,
        rightMl,
        asymmetryIndex: leftMl !== null && rightMl !== null ? asymmetryIndex(leftMl, rightMl) : null,
      };
    });
    return { structures, hemisphereMethod: 'labels', midlineXMm: null };
  }
  // Midline split: world x of each voxel is linear in (i, j, k).
  const [nx, ny, nz] = labels.dims;
  const d = labels.direction;
  const [sx, sy, sz] = labels.spacing;
  const ax = d[0]! * sx;
  const ay = d[1]! * sy;
  const az = d[2]! * sz;
  const ox = labels.origin[0];
  const data = labels.data;
  const centroid = labelledCentroidX(labels);
  const midX = centroid ?? 0;
  const left = new Float64Array(256);
  const right = new Float64Array(256);
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = ox + ay * j + az * k - midX;
      for (let i = 0; i < nx; i++, p++) {
        const l = data[p]!;
        if (!l) continue;
        if (row + ax * i > 0) left[l]!++;
        else right[l]!++;
      }
    }
  const ml = voxelVolumeMm3(labels) / 1000;
  const structures = perLabel.map((s): BrainStructureVolume => {
    const midline = MIDLINE.test(s.name);
    const leftMl = midline ? null : left[s.label]! * ml;
    const rightMl = midline ? null : right[s.label]! * ml;
    return {
      name: s.name,
      labels: [s.label],
      volumeMl: s.volumeMl,
      icvFraction: frac(s.volumeMl),
      leftMl,
      rightMl,
      asymmetryIndex: leftMl !== null && rightMl !== null ? asymmetryIndex(leftMl, rightMl) : null,
    };
  });
  return { structures, hemisphereMethod: 'midline', midlineXMm: centroid };
}

/** World x (LPS mm) of the centroid of the labelled (non-zero) voxels: the mid-sagittal plane; null when none. */
export function labelledCentroidX(labels: Volume): number | null {
  const [nx, ny, nz] = labels.dims;
  const d = labels.direction;
  const ax = d[0]! * labels.spacing[0];
  const ay = d[1]! * labels.spacing[1];
  const az = d[2]! * labels.spacing[2];
  const data = labels.data;
  let sumX = 0;
  let n = 0;
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = labels.origin[0] + ay * j + az * k;
      for (let i = 0; i < nx; i++, p++) {
        if (data[p]) {
          sumX += row + ax * i;
          n++;
        }
      }
    }
  return n > 0 ? sumX / n : null;
}
