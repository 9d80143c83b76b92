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
  // The grid's edge voxels are searched too when they hold lung, i.e. when the lungs run to the
  // scan's edge (the crop pads them by 6 mm otherwise): the first or last slice of a scan that stops
  // inside the lungs, the first or last column or row of a field of view that cuts them. Their
  // neighbour beyond the edge is the voxel itself, the Gaussian's 'reflect' boundary. A mass cut by
  // the edge has its response maximum there; searched one voxel in, its Hessian was that of its flank.
  const back = (k: number, step: number) => (k > 0 ? -step : 0);
  const fwd = (k: number, n: number, step: number) => (k < n - 1 ? step : 0);
  const inner = new Int32Array(26);
  const edge = new Int32Array(26);
  // a single slice has no second derivative across slices: no blobs (as before)
  const zEnd = nz >= 2 ? nz : 0;
  for (let si = 0; si < sigmasMm.length; si++) {
    const sigma = sigmasMm[si]!;
    await stages.step(progress.done + si, progress.total);
    const g = gaussian(vol, { sigmaMm: sigma, truncate: 3 }).data;
    await stages.step(progress.done + si + 0.5, progress.total);
    const s2 = sigma * sigma;
    resp.fill(0);
    for (let z = 0; z < zEnd; z++) {
      const dzm = back(z, sxy);
      const dzp = fwd(z, nz, sxy);
      for (let y = 0; y < ny; y++) {
        const dym = back(y, nx);
        const dyp = fwd(y, ny, nx);
        const row = z * sxy + y * nx;
        // the row's first and last voxel are their own neighbour beyond the edge
        for (let x = 0; x < nx; x = x === 0 && nx > 1 ? nx - 1 : nx) {
          const i = row + x;
          if (!crop.hull[i]) continue;
          const c2 = 2 * g[i]!;
          const lap =
            (g[i + back(x, 1)]! + g[i + fwd(x, nx, 1)]! - c2) * ix2 +
            (g[i + dym]! + g[i + dyp]! - c2) * iy2 +
            (g[i + dzm]! + g[i + dzp]! - c2) * iz2;
          resp[i] = -s2 * lap;
        }
        for (let i = row + 1, e = row + nx - 1; i < e; i++) {
          if (!crop.hull[i]) continue;
          const c2 = 2 * g[i]!;
          const lap =
            (g[i - 1]! + g[i + 1]! - c2) * ix2 +
            (g[i + dym]! + g[i + dyp]! - c2) * iy2 +
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
    for (let z = 0; z < zEnd; z++) {
      const dzm = back(z, sxy);
      const dzp = fwd(z, nz, sxy);
      // the 26 neighbours' offsets inside the slice's rows and columns, and at an edge voxel
      // (where the voxel itself stands for its neighbour beyond the edge)
      neighbourOffsets(-1, 1, -nx, nx, dzm, dzp, inner);
      for (let y = 0; y < ny; y++) {
        const dym = back(y, nx);
        const dyp = fwd(y, ny, nx);
        const yEdge = y === 0 || y === ny - 1;
        let i = z * sxy + y * nx;
        for (let x = 0; x < nx; x++, i++) {
          const r = resp[i]!;
          if (r < floor || !crop.hull[i]) continue;
          const dxm = back(x, 1);
          const dxp = fwd(x, nx, 1);
          const offs = yEdge || x === 0 || x === nx - 1 ? neighbourOffsets(dxm, dxp, dym, dyp, dzm, dzp, edge) : inner;
          let isMax = true;
          for (let k = 0; k < 26; k++) {
            const j = i + offs[k]!;
            if (resp[j]! > r || (resp[j]! === r && j < i)) {
              isMax = false;
              break;
            }
          }
          if (!isMax) continue;
          const c2 = 2 * g[i]!;
          const hxx = (g[i + dxm]! + g[i + dxp]! - c2) * ix2;
          const hyy = (g[i + dym]! + g[i + dyp]! - c2) * iy2;
          const hzz = (g[i + dzm]! + g[i + dzp]! - c2) * iz2;
          const hxy = (g[i + dxp + dyp]! - g[i + dxp + dym]! - g[i + dxm + dyp]! + g[i + dxm + dym]!) / (4 * sx * sy);
          const hxz = (g[i + dxp + dzp]! - g[i + dxp + dzm]! - g[i + dxm + dzp]! + g[i + dxm + dzm]!) / (4 * sx * sz);
          const hyz = (g[i + dyp + dzp]! - g[i + dyp + dzm]! - g[i + dym + dzp]! + g[i + dym + dzm]!) / (4 * sy * sz);
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

/** The offsets of the 26 neighbours from the backward and forward steps along x, y and z, into `out`. */
function neighbourOffsets(
  xm: number,
  xp: number,
  ym: number,
  yp: number,
  zm: number,
  zp: number,
  out: Int32Array,
): Int32Array {
  let k = 0;
  for (let c = 0; c < 3; c++)
    for (let b = 0; b < 3; b++)
      for (let a = 0; a < 3; a++) {
        if (a === 1 && b === 1 && c === 1) continue; // the voxel itself
        out[k++] =
          (a === 0 ? xm : a === 2 ? xp : 0) + (b === 0 ? ym : b === 2 ? yp : 0) + (c === 0 ? zm : c === 2 ? zp : 0);
      }
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
