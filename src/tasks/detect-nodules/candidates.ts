import { symmetricEigenvalues3 } from '../../core/geometry.js';
import { gaussian } from '../../core/ops/gaussian.js';
import type { Stages } from '../../core/progress.js';
import { kthSmallest } from '../../core/select.js';
import type { Vec3 } from '../../core/volume.js';

/** A cropped working image around the lungs. */
export interface LungCrop {
  /** HU, clamped to [-1000, 150]; voxels outside the lung mask set to the parenchyma HU. */
  data: Float32Array;
  /** Lung mask inside the crop. */
  hull: Uint8Array;
  dims: Vec3;
  spacing: Vec3;
  /** Index of the crop's voxel (0,0,0) in the full grid. */
  offset: Vec3;
  /** Median HU of the lung parenchyma. */
  parenchymaHU: number;
}

/** A blob candidate found in scale space. */
export interface BlobCandidate {
  /** Voxel index in the crop. */
  x: number;
  y: number;
  z: number;
  /** Scale (mm) and the matching blob radius sigma·√3 (mm). */
  sigmaMm: number;
  radiusMm: number;
  /** Scale-normalised LoG response, HU. */
  response: number;
  /** Hessian eigenvalues (ascending) of the smoothed image at the centre, HU/mm². */
  eig: [number, number, number];
}

// The LoG is taken from the ops Gaussian by central differences, only inside the lungs, and the
// Hessian only at local maxima: cheaper than full-volume laplacianOfGaussian/hessianEigen passes
// (three extra separable passes per scale) for the same quantities at sigma >= 1 voxel.

/**
 * Multi-scale scale-normalised LoG blob detection (Lindeberg 1998): at each scale the image is
 * smoothed, -σ²∇²G is computed inside the lungs, and its 26-neighbour local maxima above
 * max(`minResponse`, `noiseK` robust SDs of the response) become candidates with the Hessian eigenvalues at their centre.
 */
export async function detectBlobs(
  crop: LungCrop,
  sigmasMm: number[],
  minResponse: number,
  minBlobness: number,
  noiseK: number,
  stages: Stages,
  /** Steps of the current stage done before these scales, and the stage's total (one step per scale). */
  progress: { done: number; total: number },
  floors: number[] = [],
): Promise<BlobCandidate[]> {
  const [nx, ny, nz] = crop.dims;
  const [sx, sy, sz] = crop.spacing;
  const sxy = nx * ny;
  const n = sxy * nz;
  const out: BlobCandidate[] = [];
  const resp = new Float32Array(n);
  const sample = new Float64Array(Math.ceil(n / 7));
  const vol = {
    data: crop.data,
    dims: crop.dims,
    spacing: crop.spacing,
    origin: [0, 0, 0] as Vec3,
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  };
  const eig = new Float64Array(3);
  const ix2 = 1 / (sx * sx);
  const iy2 = 1 / (sy * sy);
  const iz2 = 1 / (sz * sz);
  // Slices 0 and nz - 1 are searched too when they hold lung, i.e. when the lungs run to the scan's
  // edge (the crop pads them by 6 mm otherwise): their neighbour beyond the edge is the slice
  // itself, the Gaussian's 'reflect' boundary. A mass cut by the scan edge has its response
  // maximum there; searched from the next slice in, its Hessian was that of the mass's flank.
  const z0 = nz >= 2 ? 0 : 1;
  const z1 = nz >= 2 ? nz - 1 : -1;
  const zStep = (z: number): [number, number] => [z > 0 ? -sxy : 0, z < nz - 1 ? sxy : 0];
  for (let si = 0; si < sigmasMm.length; si++) {
    const sigma = sigmasMm[si]!;
    await stages.step(progress.done + si, progress.total);
    const g = gaussian(vol, { sigmaMm: sigma, truncate: 3 }).data;
    await stages.step(progress.done + si + 0.5, progress.total);
    const s2 = sigma * sigma;
    resp.fill(0);
    for (let z = z0; z <= z1; z++) {
      const [dzm, dzp] = zStep(z);
      for (let y = 1; y < ny - 1; y++) {
        let i = z * sxy + y * nx + 1;
        for (let x = 1; x < nx - 1; x++, i++) {
          if (!crop.hull[i]) continue;
          const c2 = 2 * g[i]!;
          const lap =
            (g[i - 1]! + g[i + 1]! - c2) * ix2 +
            (g[i - nx]! + g[i + nx]! - c2) * iy2 +
            (g[i + dzm]! + g[i + dzp]! - c2) * iz2;
          resp[i] = -s2 * lap;
        }
      }
    }
    // noise-adaptive floor: a robust SD of the response over the lungs (1.4826 · median |r|,
    // vessels and nodules being a small fraction), so noise maxima do not crowd out faint blobs
    let m = 0;
    for (let i = 0; i < n; i += 7) if (crop.hull[i]) sample[m++] = Math.abs(resp[i]!);
    const floor = Math.max(minResponse, noiseK * 1.4826 * (m ? kthSmallest(sample.subarray(0, m), m >> 1) : 0));
    floors.push(floor);
    for (let z = z0; z <= z1; z++) {
      const [dzm, dzp] = zStep(z);
      for (let y = 1; y < ny - 1; y++) {
        let i = z * sxy + y * nx + 1;
        for (let x = 1; x < nx - 1; x++, i++) {
          const r = resp[i]!;
          if (r < floor || !crop.hull[i]) continue;
          let isMax = true;
          for (let dz = -1; dz <= 1 && isMax; dz++)
            for (let dy = -1; dy <= 1 && isMax; dy++)
              for (let dx = -1; dx <= 1; dx++) {
                if (dx === 0 && dy === 0 && dz === 0) continue;
                const j = i + dx + dy * nx + (dz < 0 ? dzm : dz > 0 ? dzp : 0);
                if (resp[j]! > r || (resp[j]! === r && j < i)) {
                  isMax = false;
                  break;
                }
              }
          if (!isMax) continue;
          const c2 = 2 * g[i]!;
          const hxx = (g[i - 1]! + g[i + 1]! - c2) * ix2;
          const hyy = (g[i - nx]! + g[i + nx]! - c2) * iy2;
          const hzz = (g[i + dzm]! + g[i + dzp]! - c2) * iz2;
          const hxy = (g[i + 1 + nx]! - g[i + 1 - nx]! - g[i - 1 + nx]! + g[i - 1 - nx]!) / (4 * sx * sy);
          const hxz = (g[i + 1 + dzp]! - g[i + 1 + dzm]! - g[i - 1 + dzp]! + g[i - 1 + dzm]!) / (4 * sx * sz);
          const hyz = (g[i + nx + dzp]! - g[i + nx + dzm]! - g[i - nx + dzp]! + g[i - nx + dzm]!) / (4 * sy * sz);
          symmetricEigenvalues3(hxx, hyy, hzz, hxy, hxz, hyz, eig);
          // tubes (vessels) and plates (fissures, pleura) have |λ3| << |λ1|: not blobs
          if (!(eig[2]! < 0) || eig[2]! / eig[0]! < minBlobness) continue;
          out.push({
            x,
            y,
            z,
            sigmaMm: sigma,
            radiusMm: sigma * Math.sqrt(3),
            response: r,
            eig: [eig[0]!, eig[1]!, eig[2]!],
          });
        }
      }
    }
  }
  await stages.step(progress.done + sigmasMm.length, progress.total);
  return out;
}

/** Ranking key of a candidate: LoG response weighted by how blob-like (not tubular) it is. */
export function rankKey(c: BlobCandidate): number {
  return Math.sqrt(c.response) * (c.eig[2] / c.eig[0]);
}

/**
 * Non-maximum suppression across scales: best ranked first ({@link rankKey}), a candidate is dropped when its centre
 * lies within half the radius of a better kept one (so a faint large blob, e.g. ground glass, is not
 * removed by a strong small vessel crossing it).
 */
export function mergeCandidates(cands: BlobCandidate[], spacing: Vec3, maxKeep: number): BlobCandidate[] {
  const sorted = [...cands].sort((a, b) => rankKey(b) - rankKey(a));
  const kept: BlobCandidate[] = [];
  for (const c of sorted) {
    let drop = false;
    for (const k of kept) {
      const d2 = ((c.x - k.x) * spacing[0]) ** 2 + ((c.y - k.y) * spacing[1]) ** 2 + ((c.z - k.z) * spacing[2]) ** 2;
      const r = 0.5 * k.radiusMm;
      // a smaller-scale blob never suppresses a larger one (a vessel inside ground glass)
      if (d2 <= r * r && k.radiusMm >= 0.75 * c.radiusMm) {
        drop = true;
        break;
      }
    }
    if (!drop) kept.push(c);
    if (kept.length >= maxKeep) break;
  }
  return kept;
}

/** In-plane mean pooling of a crop by `f` (hull: any voxel of the block). */
export function poolCrop(crop: LungCrop, f: number): LungCrop {
  if (f === 1) return crop;
  const [nx, ny, nz] = crop.dims;
  const dims: Vec3 = [Math.ceil(nx / f), Math.ceil(ny / f), nz];
  const n = dims[0] * dims[1] * nz;
  const sum = new Float32Array(n);
  const cnt = new Uint16Array(n);
  const hull = new Uint8Array(n);
  const src = crop.data;
  const inHull = crop.hull;
  const px = dims[0];
  // Each pooled voxel's run of f source voxels in a row is summed in a local, rounded to float32
  // after every add as the stored sum was: the same sums, bit for bit, without a store per voxel.
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const row = px * (Math.floor(y / f) + dims[1] * z);
      for (let q = 0, x = 0; q < px; q++) {
        const j = row + q;
        const end = Math.min(nx, x + f);
        let s = sum[j]!;
        let h = 0;
        cnt[j]! += end - x;
        for (; x < end; x++, i++) {
          s = Math.fround(s + src[i]!);
          h |= inHull[i]!;
        }
        sum[j] = s;
        if (h) hull[j] = 1;
      }
    }
  for (let j = 0; j < n; j++) sum[j]! /= cnt[j]! || 1;
  return {
    data: sum,
    hull,
    dims,
    spacing: [crop.spacing[0] * f, crop.spacing[1] * f, crop.spacing[2]],
    offset: crop.offset,
    parenchymaHU: crop.parenchymaHU,
  };
}

/**
 * Multi-scale detection with large scales on in-plane pooled grids (pixels up to σ/2), which keeps
 * the cost of wide Gaussians down; candidate positions are mapped back to the crop grid.
 */
export async function detectBlobsMultiGrid(
  crop: LungCrop,
  sigmasMm: number[],
  minResponse: number,
  minBlobness: number,
  noiseK: number,
  stages: Stages,
  floors: number[] = [],
): Promise<BlobCandidate[]> {
  const sp = Math.max(crop.spacing[0], crop.spacing[1]);
  const groups = new Map<number, number[]>();
  for (const s of sigmasMm) {
    const f = Math.max(1, Math.min(4, Math.floor(s / (2 * sp))));
    const g = groups.get(f);
    if (g) g.push(s);
    else groups.set(f, [s]);
  }
  const out: BlobCandidate[] = [];
  let done = 0;
  for (const [f, sig] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const pooled = poolCrop(crop, f);
    const progress = { done, total: sigmasMm.length };
    done += sig.length;
    const found = await detectBlobs(pooled, sig, minResponse, minBlobness, noiseK, stages, progress, floors);
    for (const c of found) {
      if (f > 1) {
        c.x = Math.min(crop.dims[0] - 1, Math.round(c.x * f + (f - 1) / 2));
        c.y = Math.min(crop.dims[1] - 1, Math.round(c.y * f + (f - 1) / 2));
      }
      out.push(c);
    }
  }
  return out;
}
