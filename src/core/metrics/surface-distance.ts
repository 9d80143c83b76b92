import { assertSameGrid, type Mask, type Vec3 } from '../volume.js';
import { distanceTransform } from '../ops/distance.js';

/** Surface distances of two masks, in mm. */
export interface SurfaceDistances {
  /** For each surface voxel of `pred`, the distance (mm) to the nearest surface voxel of `truth`. */
  predToTruth: Float32Array;
  /** For each surface voxel of `truth`, the distance (mm) to the nearest surface voxel of `pred`. */
  truthToPred: Float32Array;
}

/**
 * Surface voxels: non-zero voxels with at least one 6-neighbour that is zero or outside the grid.
 * Returns a 0/1 array on the mask's grid.
 */
export function surfaceVoxels(mask: Mask): Uint8Array {
  const [nx, ny, nz] = mask.dims;
  const m = mask.data;
  const out = new Uint8Array(m.length);
  const sxy = nx * ny;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = z * sxy + y * nx;
      for (let x = 0; x < nx; x++) {
        const i = row + x;
        if (!m[i]) continue;
        if (
          x === 0 ||
          x === nx - 1 ||
          y === 0 ||
          y === ny - 1 ||
          (nz > 1 && (z === 0 || z === nz - 1)) ||
          !m[i - 1] ||
          !m[i + 1] ||
          !m[i - nx] ||
          !m[i + nx] ||
          (nz > 1 && (!m[i - sxy] || !m[i + sxy]))
        ) {
          out[i] = 1;
        }
      }
    }
  }
  return out;
}

/**
 * Directed surface distances between two masks on the same (possibly anisotropic) grid, exact
 * Euclidean in mm: surface voxels of one mask, each to the nearest surface voxel of the other.
 */
export function surfaceDistances(pred: Mask, truth: Mask): SurfaceDistances {
  assertSameGrid(pred, truth);
  const sp = surfaceVoxels(pred);
  const st = surfaceVoxels(truth);
  return {
    predToTruth: gather(sp, st, pred.dims, pred.spacing),
    truthToPred: gather(st, sp, pred.dims, pred.spacing),
  };
}

function gather(from: Uint8Array, to: Uint8Array, dims: Vec3, spacing: Vec3): Float32Array {
  let count = 0;
  for (let i = 0; i < from.length; i++) count += from[i]!;
  const out = new Float32Array(count);
  if (count === 0) return out;
  const dt = distanceTransform({
    data: to,
    dims,
    spacing,
    origin: [0, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  }).data;
  let k = 0;
  for (let i = 0; i < from.length; i++) if (from[i]) out[k++] = dt[i]!;
  return out;
}

/** q-th percentile (0..100) with linear interpolation between order statistics (numpy default). */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * Robust Hausdorff distance in mm: the larger of the two directed `q`-th percentile surface
 * distances (default q = 95; the definition of MONAI `compute_hausdorff_distance(percentile=95)` and
 * DeepMind `surface-distance`). Both masks empty: 0; exactly one empty: Infinity.
 */
export function hausdorff95(pred: Mask, truth: Mask, q = 95): number {
  const d = surfaceDistances(pred, truth);
  const ea = d.predToTruth.length === 0;
  const eb = d.truthToPred.length === 0;
  if (ea && eb) return 0;
  if (ea || eb) return Number.POSITIVE_INFINITY;
  return Math.max(percentile(d.predToTruth, q), percentile(d.truthToPred, q));
}

/** Classic Hausdorff distance (q = 100) in mm. */
export function hausdorff(pred: Mask, truth: Mask): number {
  return hausdorff95(pred, truth, 100);
}

/**
 * Average symmetric surface distance (ASSD) in mm: the mean of all surface distances in both
 * directions, (Σ d(A→B) + Σ d(B→A)) / (|∂A| + |∂B|), as in the MICCAI 2007 liver challenge
 * (Heimann et al., IEEE TMI 2009). Both empty: 0; exactly one empty: Infinity.
 */
export function averageSurfaceDistance(pred: Mask, truth: Mask): number {
  const d = surfaceDistances(pred, truth);
  const na = d.predToTruth.length;
  const nb = d.truthToPred.length;
  if (na === 0 && nb === 0) return 0;
  if (na === 0 || nb === 0) return Number.POSITIVE_INFINITY;
  let s = 0;
  for (let i = 0; i < na; i++) s += d.predToTruth[i]!;
  for (let i = 0; i < nb; i++) s += d.truthToPred[i]!;
  return s / (na + nb);
}
