/**
 * Radiomics pre-processing: intensity normalisation, interpolation to a new grid (IBSI grid
 * alignment and PyRadiomics's bounding-box grid), ROI re-segmentation and mask checks.
 *
 * Interpolation is separable (the new grid's axes are the old grid's axes), so each axis is
 * resampled in turn: exact for trilinear and tensor-product cubic B-spline interpolation.
 */
import { MedImgError } from '../../core/errors.js';
import type { Vec3 } from '../../core/volume.js';
import type { BBox } from './roi.js';

/** Interpolators. 'bspline' = interpolating cubic B-spline (prefiltered, mirror boundaries). */
export type Interpolator = 'nearest' | 'linear' | 'bspline';

/** Maps PyRadiomics/SimpleITK interpolator names ('sitkBSpline', 'sitkLinear', ...). */
export function interpolatorFromName(name: string | undefined): Interpolator {
  const n = (name ?? 'sitkBSpline').toLowerCase().replace(/^sitk/, '');
  if (n === 'nearestneighbor' || n === 'nearest') return 'nearest';
  if (n === 'linear') return 'linear';
  if (n === 'bspline' || n === 'bspline3' || n === 'cubic') return 'bspline';
  throw new MedImgError(
    'INVALID_ARGUMENT',
    `Unsupported interpolator "${name}" (use sitkNearestNeighbor, sitkLinear or sitkBSpline).`,
  );
}

/** A plain float grid. */
export interface Grid {
  data: Float64Array;
  dims: Vec3;
  spacing: Vec3;
  /** Continuous index (in the source grid) of this grid's voxel 0, per axis. */
  originIndex: Vec3;
}

const POLE = Math.sqrt(3) - 2;

/** In-place cubic B-spline prefilter of a strided line (mirror boundaries, Unser 1993). */
function bsplinePrefilter(line: Float64Array, n: number): void {
  if (n === 1) return;
  const z = POLE;
  const gain = (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) line[i]! *= gain;
  // causal initialisation (mirror, exact sum for short lines, truncated otherwise)
  const horizon = Math.min(n, Math.ceil(Math.log(1e-12) / Math.log(Math.abs(z))));
  let sum = line[0]!;
  if (horizon < n) {
    let zn = z;
    for (let k = 1; k < horizon; k++) {
      sum += zn * line[k]!;
      zn *= z;
    }
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = z ** (n - 1);
    sum = line[0]! + z2n * line[n - 1]!;
    z2n = z2n * z2n * iz;
    for (let k = 1; k < n - 1; k++) {
      sum += (zn + z2n) * line[k]!;
      zn *= z;
      z2n *= iz;
    }
    sum /= 1 - zn * zn;
  }
  line[0] = sum;
  for (let k = 1; k < n; k++) line[k] = line[k]! + z * line[k - 1]!;
  line[n - 1] = (z / (z * z - 1)) * (z * line[n - 2]! + line[n - 1]!);
  for (let k = n - 2; k >= 0; k--) line[k] = z * (line[k + 1]! - line[k]!);
}

function mirror(k: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  k = ((k % period) + period) % period;
  return k < n ? k : period - k;
}

/**
 * Resamples `src` (dims) along one axis at the given continuous positions. Returns the new array
 * (the axis length becomes positions.length).
 */
function resampleAxis(
  src: Float64Array,
  dims: Vec3,
  axis: 0 | 1 | 2,
  pos: Float64Array,
  method: Interpolator,
): { data: Float64Array; dims: Vec3 } {
  const n = dims[axis];
  const m = pos.length;
  const nd: Vec3 = [dims[0], dims[1], dims[2]];
  nd[axis] = m;
  const out = new Float64Array(nd[0] * nd[1] * nd[2]);
  const strideIn = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const strideOut = axis === 0 ? 1 : axis === 1 ? nd[0] : nd[0] * nd[1];
  const line = new Float64Array(n);
  // precompute per-position taps
  const i0 = new Int32Array(m);
  const fr = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const p = pos[j]!;
    i0[j] = Math.floor(p);
    fr[j] = p - Math.floor(p);
  }
  // iterate over all lines along `axis`
  const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const na = dims[a]!;
  const nb = dims[b]!;
  const sa = a === 0 ? 1 : a === 1 ? dims[0] : dims[0] * dims[1];
  const sb = b === 0 ? 1 : b === 1 ? dims[0] : dims[0] * dims[1];
  const sao = a === 0 ? 1 : a === 1 ? nd[0] : nd[0] * nd[1];
  const sbo = b === 0 ? 1 : b === 1 ? nd[0] : nd[0] * nd[1];
  for (let ib = 0; ib < nb; ib++)
    for (let ia = 0; ia < na; ia++) {
      const baseIn = ia * sa + ib * sb;
      const baseOut = ia * sao + ib * sbo;
      for (let k = 0; k < n; k++) line[k] = src[baseIn + k * strideIn]!;
      if (method === 'bspline') bsplinePrefilter(line, n);
      for (let j = 0; j < m; j++) {
        let v: number;
        const k0 = i0[j]!;
        const t = fr[j]!;
        if (method === 'nearest') {
          // round half up (ITK), clamp to the grid
          let k = t >= 0.5 ? k0 + 1 : k0;
          k = k < 0 ? 0 : k >= n ? n - 1 : k;
          v = line[k]!;
        } else if (method === 'linear') {
          const ka = k0 < 0 ? 0 : k0 >= n ? n - 1 : k0;
          const kb = k0 + 1 < 0 ? 0 : k0 + 1 >= n ? n - 1 : k0 + 1;
          v = line[ka]! * (1 - t) + line[kb]! * t;
        } else {
          const t2 = t * t;
          const t3 = t2 * t;
          const w0 = (1 - t) ** 3 / 6;
          const w1 = (4 - 6 * t2 + 3 * t3) / 6;
          const w2 = (1 + 3 * t + 3 * t2 - 3 * t3) / 6;
          const w3 = t3 / 6;
          v =
            w0 * line[mirror(k0 - 1, n)]! +
            w1 * line[mirror(k0, n)]! +
            w2 * line[mirror(k0 + 1, n)]! +
            w3 * line[mirror(k0 + 2, n)]!;
        }
        out[baseOut + j * strideOut] = v;
      }
    }
  return { data: out, dims: nd };
}

/**
 * Samples `src` on a grid whose voxel j along each axis sits at continuous source index
 * `start[axis] + j * step[axis]`, for `size[axis]` voxels. Axes with step 1, start 0 and the same
 * size are left untouched.
 */
export function sampleGrid(
  src: ArrayLike<number>,
  dims: Vec3,
  start: Vec3,
  step: Vec3,
  size: Vec3,
  method: Interpolator,
): Float64Array {
  let data = src instanceof Float64Array ? src : Float64Array.from(src);
  let cur: Vec3 = [dims[0], dims[1], dims[2]];
  for (const axis of [0, 1, 2] as const) {
    if (start[axis] === 0 && step[axis] === 1 && size[axis] === dims[axis]) continue;
    const pos = new Float64Array(size[axis]);
    for (let j = 0; j < size[axis]; j++) pos[j] = start[axis] + j * step[axis];
    const r = resampleAxis(data, cur, axis, pos, method);
    data = r.data;
    cur = r.dims;
  }
  return data === src ? Float64Array.from(data) : data;
}

/** IBSI grid (centres aligned): new size ceil(n·s/s'), first voxel at (n-1)/2 - (n'-1)/2·s'/s. */
export function ibsiGrid(dims: Vec3, spacing: Vec3, newSpacing: Vec3): { start: Vec3; step: Vec3; size: Vec3 } {
  const start: Vec3 = [0, 0, 0];
  const step: Vec3 = [1, 1, 1];
  const size: Vec3 = [dims[0], dims[1], dims[2]];
  for (let a = 0; a < 3; a++) {
    const s = spacing[a]!;
    const ns = newSpacing[a]!;
    if (!(ns > 0) || Math.abs(ns - s) < 1e-9) continue;
    const n = dims[a]!;
    const m = Math.ceil((n * s) / ns - 1e-9);
    size[a] = m;
    step[a] = ns / s;
    start[a] = (n - 1) / 2 - ((m - 1) / 2) * (ns / s);
  }
  return { start, step, size };
}

/**
 * PyRadiomics resampling grid (imageoperations.resampleImage): aligned to the image origin
 * corner, covering the mask bounding box plus `padDistance` new voxels, clipped to the image.
 * Axes where the ROI spans one voxel keep their spacing; a 0 in `newSpacing` keeps the spacing.
 */
export function pyradiomicsGrid(
  dims: Vec3,
  spacing: Vec3,
  newSpacing: Vec3,
  bb: BBox,
  padDistance: number,
): { start: Vec3; step: Vec3; size: Vec3; spacing: Vec3 } {
  const start: Vec3 = [0, 0, 0];
  const step: Vec3 = [1, 1, 1];
  const size: Vec3 = [0, 0, 0];
  const outSp: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const s = spacing[a]!;
    const lo = bb[2 * a]!;
    const bsize = bb[2 * a + 1]! - lo + 1;
    let ns = newSpacing[a]! === 0 ? s : newSpacing[a]!;
    if (bsize === 1) ns = s;
    const ratio = s / ns;
    let nLo = Math.floor((lo - 0.5) * ratio - padDistance);
    let nUp = Math.ceil((lo + bsize - 0.5) * ratio + padDistance);
    const maxUp = Math.ceil(dims[a]! * ratio) - 1;
    if (nLo < 0) nLo = 0;
    if (nUp > maxUp) nUp = maxUp;
    size[a] = nUp - nLo + 1;
    step[a] = ns / s;
    start[a] = (0.5 * (ns - s)) / s + nLo / ratio;
    outSp[a] = ns;
  }
  return { start, step, size, spacing: outSp };
}

/** PyRadiomics `normalize`: (x - mean)/std over the whole image (ITK sample std), outliers clipped, then scaled. */
export function normalizeImage(data: ArrayLike<number>, scale = 1, removeOutliers?: number | null): Float64Array {
  const n = data.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += data[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (data[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, n - 1));
  const out = new Float64Array(n);
  const lim = removeOutliers ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    let v = sd > 0 ? (data[i]! - mean) / sd : 0;
    if (v > lim) v = lim;
    else if (v < -lim) v = -lim;
    out[i] = v * scale;
  }
  return out;
}

/** Rounds to the nearest integer, halves to even (numpy.round), in place. */
export function roundHalfEven(data: Float64Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const r = Math.round(v);
    data[i] = Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
  }
}

/** Thresholds an interpolated mask: inside when ≥ threshold (IBSI partial-volume 0.5). */
export function thresholdMask(data: Float64Array, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! >= threshold - 1e-12 ? 1 : 0;
  return out;
}

/** Re-segmentation options. */
export interface ResegmentOptions {
  /** [lower, upper] (upper may be Infinity or omitted as PyRadiomics's one-value form). */
  range?: number[] | null;
  /** PyRadiomics resegmentMode: 'absolute' (default), 'relative' (× max), 'sigma' (mean + k·sd). */
  mode?: 'absolute' | 'relative' | 'sigma';
  /** IBSI outlier filtering: keep mean ± k·sd (population sd of the ROI after range filtering). */
  outlierSigma?: number | null;
}

/** Returns a new mask with ROI voxels outside the range (and outliers) removed. */
export function resegment(image: ArrayLike<number>, mask: Uint8Array, opts: ResegmentOptions): Uint8Array {
  const out = Uint8Array.from(mask);
  const n = mask.length;
  if (opts.range && opts.range.length > 0) {
    const r = [...opts.range].sort((a, b) => a - b);
    let lo = r[0]!;
    let hi = r.length > 1 ? r[1]! : Number.POSITIVE_INFINITY;
    const mode = opts.mode ?? 'absolute';
    if (mode !== 'absolute') {
      let mx = Number.NEGATIVE_INFINITY;
      let s = 0;
      let c = 0;
      for (let i = 0; i < n; i++)
        if (out[i]) {
          const v = image[i]!;
          if (v > mx) mx = v;
          s += v;
          c++;
        }
      if (mode === 'relative') {
        lo *= mx;
        hi *= mx;
      } else {
        const mean = s / c;
        let ss = 0;
        for (let i = 0; i < n; i++) if (out[i]) ss += (image[i]! - mean) ** 2;
        const sd = Math.sqrt(ss / c);
        lo = mean + lo * sd;
        hi = mean + hi * sd;
      }
    }
    for (let i = 0; i < n; i++) if (out[i] && !(image[i]! >= lo && image[i]! <= hi)) out[i] = 0;
  }
  if (opts.outlierSigma != null) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++)
      if (out[i]) {
        s += image[i]!;
        c++;
      }
    const mean = s / c;
    let ss = 0;
    for (let i = 0; i < n; i++) if (out[i]) ss += (image[i]! - mean) ** 2;
    const sd = Math.sqrt(ss / c);
    const k = opts.outlierSigma;
    for (let i = 0; i < n; i++) if (out[i] && Math.abs(image[i]! - mean) > k * sd) out[i] = 0;
  }
  return out;
}

/**
 * PyRadiomics checkMask: ROI dimensionality (axes spanning > 1 voxel) ≥ minimumROIDimensions
 * (default 2) and voxel count > minimumROISize. Throws ROI_TOO_SMALL.
 */
export function checkRoi(bb: BBox, count: number, minDims = 2, minSize?: number | null): void {
  let nd = 0;
  for (let a = 0; a < 3; a++) if (bb[2 * a + 1]! > bb[2 * a]!) nd++;
  if (nd === 0)
    throw new MedImgError(
      'ROI_TOO_SMALL',
      'The mask holds a single voxel; features cannot be extracted from one voxel.',
      {
        details: { voxels: count },
      },
    );
  if (nd < minDims)
    throw new MedImgError('ROI_TOO_SMALL', `The ROI spans ${nd} dimension(s); minimumROIDimensions is ${minDims}.`, {
      details: { dimensions: nd, minimumROIDimensions: minDims },
    });
  if (minSize != null && count <= minSize)
    throw new MedImgError('ROI_TOO_SMALL', `The ROI has ${count} voxels; minimumROISize is ${minSize}.`, {
      details: { voxels: count, minimumROISize: minSize },
    });
}
