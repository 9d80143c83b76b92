/**
 * Direction and neighbourhood sets. Offsets are [dx, dy, dz] in voxels (x fastest).
 *
 * IBSI: 13 unique directions in 3D, 4 in-plane directions in 2D, scaled by the distance δ.
 * PyRadiomics: `imageoperations.generateAngles` / C `build_angles`, which lists every offset whose
 * Chebyshev norm is one of `distances`, drops offsets as large as the ROI bounding box in that
 * axis (and out-of-plane ones when 2D), and keeps the first half of the list ordered from
 * +max to -max with z varying slowest (so one of each ± pair, in PyRadiomics's order).
 */
import type { Vec3 } from '../../../core/volume.js';

export type Offset = [number, number, number];

/** All offsets with Chebyshev norm in `distances`, PyRadiomics order (z slowest, + first). */
function allOffsets(distances: readonly number[], size: Vec3 | null, twoD: boolean): Offset[] {
  const maxD = Math.max(...distances);
  const out: Offset[] = [];
  for (let dz = maxD; dz >= -maxD; dz--) {
    if (twoD && dz !== 0) continue;
    for (let dy = maxD; dy >= -maxD; dy--) {
      for (let dx = maxD; dx >= -maxD; dx--) {
        const norm = Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz));
        if (norm === 0 || !distances.includes(norm)) continue;
        if (size && (Math.abs(dx) >= size[0] || Math.abs(dy) >= size[1] || Math.abs(dz) >= size[2])) continue;
        out.push([dx, dy, dz]);
      }
    }
  }
  return out;
}

/**
 * PyRadiomics's mono-directional angles (GLCM, GLRLM): one of each ± pair, restricted by the ROI
 * bounding-box size `size` ([x, y, z]).
 */
export function pyradiomicsAngles(size: Vec3, distances: readonly number[], twoD: boolean): Offset[] {
  const all = allOffsets(distances, size, twoD);
  return all.slice(0, all.length / 2);
}

/** Bidirectional neighbourhood: every offset with Chebyshev norm in `distances` (2D: dz = 0). */
export function neighbourhood(distances: readonly number[], twoD: boolean): Offset[] {
  return allOffsets(distances, null, twoD);
}

/** IBSI directions for GLCM/GLRLM (13 in 3D, 4 in 2D), scaled by distance δ. */
export function ibsiDirections(twoD: boolean, delta = 1): Offset[] {
  const unit = allOffsets([1], null, twoD);
  return unit.slice(0, unit.length / 2).map(([x, y, z]) => [x * delta, y * delta, z * delta]);
}

/** Chebyshev distances 1..δ (IBSI neighbourhoods include every voxel within δ). */
export function upTo(delta: number): number[] {
  return Array.from({ length: delta }, (_, k) => k + 1);
}

/**
 * PyRadiomics `weightingNorm` weight of an angle. GLCM uses exp(-d²); GLRLM uses d itself.
 * `spacing` is [x, y, z] in mm.
 */
export function angleDistance(
  a: Offset,
  spacing: Vec3,
  norm: 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting',
): number {
  const ax = Math.abs(a[0]) * spacing[0];
  const ay = Math.abs(a[1]) * spacing[1];
  const az = Math.abs(a[2]) * spacing[2];
  switch (norm) {
    case 'infinity':
      return Math.max(ax, ay, az);
    case 'euclidean':
      return Math.sqrt(ax * ax + ay * ay + az * az);
    case 'manhattan':
      return ax + ay + az;
    default:
      return Number.NaN;
  }
}
