import { assertArg } from '../core/errors.js';
import type { Vec3 } from '../core/volume.js';

/** One local maximum of a detection heatmap. */
export interface HeatmapPeak {
  /** Voxel index (x fastest grid of the heatmap). */
  index: Vec3;
  /** Heatmap value at the peak. */
  score: number;
  /**
   * Radius (mm) of the ball with the volume of the peak's half-maximum region (voxels connected to
   * the peak at or above score / 2, searched within `maxRadiusMm`).
   */
  halfMaxRadiusMm: number;
}

/** Options of {@link heatmapPeaks}. */
export interface HeatmapPeaksOptions {
  /** Least peak value. Default 0.5. */
  threshold?: number;
  /** Least distance (mm) between two kept peaks; the weaker one goes. Default 10. */
  minDistanceMm?: number;
  /** At most this many peaks (best first). Default 200. */
  maxPeaks?: number;
  /** Bound of the half-maximum flood fill around each peak, mm. Default 40. */
  maxRadiusMm?: number;
}

/**
 * Local maxima of a heatmap (26-neighbourhood, plateaus give one peak each after the distance
 * rule) at or above the threshold, greedily thinned so that no two lie closer than
 * `minDistanceMm`, best first. `data` is x fastest on `dims` with voxel `spacing` (mm).
 */
export function heatmapPeaks(
  data: Float32Array,
  dims: Vec3,
  spacing: Vec3,
  options: HeatmapPeaksOptions = {},
): HeatmapPeak[] {
  const [nx, ny, nz] = dims;
  assertArg(data.length >= nx * ny * nz, 'The heatmap is smaller than its dims.');
  const t = options.threshold ?? 0.5;
  const minD = options.minDistanceMm ?? 10;
  const maxPeaks = options.maxPeaks ?? 200;
  const maxR = options.maxRadiusMm ?? 40;
  const sxy = nx * ny;
  const cand: number[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        const v = data[i]!;
        if (!(v >= t)) continue;
        let isMax = true;
        for (let dz = -1; dz <= 1 && isMax; dz++) {
          const zz = z + dz;
          if (zz < 0 || zz >= nz) continue;
          for (let dy = -1; dy <= 1 && isMax; dy++) {
            const yy = y + dy;
            if (yy < 0 || yy >= ny) continue;
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              if (xx < 0 || xx >= nx) continue;
              if (data[xx + nx * yy + sxy * zz]! > v) {
                isMax = false;
                break;
              }
            }
          }
        }
        if (isMax) cand.push(i);
      }
  cand.sort((a, b) => data[b]! - data[a]!);
  const kept: Vec3[] = [];
  const out: HeatmapPeak[] = [];
  for (const i of cand) {
    if (out.length >= maxPeaks) break;
    const p: Vec3 = [i % nx, Math.floor(i / nx) % ny, Math.floor(i / sxy)];
    const near = kept.some(
      (q) => Math.hypot((p[0] - q[0]) * spacing[0], (p[1] - q[1]) * spacing[1], (p[2] - q[2]) * spacing[2]) < minD,
    );
    if (near) continue;
    kept.push(p);
    out.push({ index: p, score: data[i]!, halfMaxRadiusMm: halfMaxRadius(data, dims, spacing, p, maxR) });
  }
  return out;
}

/** The 6 face neighbours as (dx, dy, dz) triples. */
const NB = [-1, 0, 0, 1, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, -1, 0, 0, 1];

/** Equivalent-ball radius (mm) of the 6-connected region at or above half the peak value. */
function halfMaxRadius(data: Float32Array, dims: Vec3, spacing: Vec3, p: Vec3, maxR: number): number {
  const [nx, ny, nz] = dims;
  const h = [0, 1, 2].map((a) => Math.ceil(maxR / spacing[a]!));
  const x0 = Math.max(0, p[0] - h[0]!);
  const y0 = Math.max(0, p[1] - h[1]!);
  const z0 = Math.max(0, p[2] - h[2]!);
  const lx = Math.min(nx - 1, p[0] + h[0]!) - x0 + 1;
  const ly = Math.min(ny - 1, p[1] + h[1]!) - y0 + 1;
  const lz = Math.min(nz - 1, p[2] + h[2]!) - z0 + 1;
  const seen = new Uint8Array(lx * ly * lz);
  const queue = new Int32Array(lx * ly * lz);
  const half = data[p[0] + nx * (p[1] + ny * p[2])]! / 2;
  let tail = 0;
  const start = p[0] - x0 + lx * (p[1] - y0 + ly * (p[2] - z0));
  seen[start] = 1;
  queue[tail++] = start;
  for (let head = 0; head < tail; head++) {
    const l = queue[head]!;
    const x = l % lx;
    const y = Math.floor(l / lx) % ly;
    const z = Math.floor(l / (lx * ly));
    for (let k = 0; k < 6; k++) {
      const a = x + NB[k * 3]!;
      const b = y + NB[k * 3 + 1]!;
      const c = z + NB[k * 3 + 2]!;
      if (a < 0 || b < 0 || c < 0 || a >= lx || b >= ly || c >= lz) continue;
      const m = a + lx * (b + ly * c);
      if (seen[m]) continue;
      if (data[a + x0 + nx * (b + y0 + ny * (c + z0))]! >= half) {
        seen[m] = 1;
        queue[tail++] = m;
      }
    }
  }
  const mm3 = tail * spacing[0] * spacing[1] * spacing[2];
  return Math.cbrt((3 * mm3) / (4 * Math.PI));
}
