/** Size measurements of one lesion (a nodule, a tumour) from its voxels: axial axes, equivalent diameter. */
import type { Vec3 } from './volume.js';

/** Axial long and short axes of a lesion, mm. */
export interface LesionAxes {
  longMm: number;
  shortMm: number;
}

/** Diameter (mm) of the sphere of the given volume (mm³). */
export function equivalentDiameterMm(volumeMm3: number): number {
  return Math.cbrt((6 * volumeMm3) / Math.PI);
}

/**
 * Axial long and short axes of a lesion given as the linear indices of its voxels on a grid of
 * `dims` and `spacing` (mm), as RECIST and Lung-RADS measure them: the long axis is the largest
 * in-plane Feret diameter over the axial slices; the short axis the largest width perpendicular to
 * it on that slice. Distances between voxel centres plus one pixel (each extreme voxel reaches half
 * a pixel further). An empty list gives 0 and 0. Cost: quadratic in the boundary pixels of a slice,
 * meant for lesions, not organs.
 *
 * @example
 * ```ts
 * import { lesionAxes } from 'medimg/ops';
 * const voxelIndices: number[] = []; // linear indices of the lesion's voxels
 * for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) voxelIndices.push(i);
 * const { longMm, shortMm } = lesionAxes(voxelIndices, mask.dims, mask.spacing);
 * ```
 */
export function lesionAxes(vox: ArrayLike<number>, ld: Vec3, sp: Vec3): LesionAxes {
  const bySlice = new Map<number, number[]>();
  for (let k = 0; k < vox.length; k++) {
    const li = vox[k]!;
    const lz = Math.floor(li / (ld[0] * ld[1]));
    const list = bySlice.get(lz);
    if (list) list.push(li);
    else bySlice.set(lz, [li]);
  }
  const px = 0.5 * (sp[0] + sp[1]);
  let best: LesionAxes = { longMm: 0, shortMm: 0 };
  for (const list of bySlice.values()) {
    // boundary pixels of the slice (4-neighbour)
    const set = new Set(list);
    const pts: number[] = [];
    for (const li of list) {
      if (!set.has(li - 1) || !set.has(li + 1) || !set.has(li - ld[0]) || !set.has(li + ld[0])) {
        pts.push((li % ld[0]) * sp[0], (Math.floor(li / ld[0]) % ld[1]) * sp[1]);
      }
    }
    let dmax = 0;
    let ux = 1;
    let uy = 0;
    for (let a = 0; a < pts.length; a += 2)
      for (let b = a + 2; b < pts.length; b += 2) {
        const dx = pts[b]! - pts[a]!;
        const dy = pts[b + 1]! - pts[a + 1]!;
        const d = dx * dx + dy * dy;
        if (d > dmax) {
          dmax = d;
          ux = dx;
          uy = dy;
        }
      }
    const long = Math.sqrt(dmax) + px;
    if (long <= best.longMm) continue;
    const nrm = Math.hypot(ux, uy) || 1;
    const vx = -uy / nrm;
    const vy = ux / nrm;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < pts.length; a += 2) {
      const p = pts[a]! * vx + pts[a + 1]! * vy;
      if (p < lo) lo = p;
      if (p > hi) hi = p;
    }
    best = { longMm: long, shortMm: Math.min(long, hi - lo + px) };
  }
  return best;
}
