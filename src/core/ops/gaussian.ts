import { assertArg } from '../errors.js';
import { type Grid, type Vec3, type Volume, validateGrid, withData } from '../volume.js';
import { correlateSeparable } from './convolve.js';

/** Options of {@link gaussian}. */
export interface GaussianOptions {
  /** Standard deviation in mm, one value or one per axis. 0 leaves an axis unsmoothed. */
  sigmaMm: number | [number, number, number];
  /** Kernel half-width in standard deviations. Default 4 (as scipy.ndimage's `truncate`). */
  truncate?: number;
}

/**
 * Sampled 1D Gaussian (order 0) or Gaussian derivative (order 1, 2) kernel for `sigma` in voxels,
 * as correlation weights `w[j + r]`, radius `r = floor(truncate * sigma + 0.5)` (scipy.ndimage's
 * rule). Order 0 sums to 1. Derivative kernels (units 1/voxel^order) are `x * g` and `(x² - m2) * g`
 * scaled to the sampled kernel's moments, so they are exact on linear and quadratic functions;
 * for sigma >= ~1 voxel they equal scipy's `gaussian_filter1d(order=...)` kernels to ~1e-4.
 */
export function gaussianKernel1d(sigmaVoxels: number, truncate = 4, order: 0 | 1 | 2 = 0): Float32Array {
  assertArg(Number.isFinite(sigmaVoxels) && sigmaVoxels >= 0, 'sigma must be finite and >= 0.');
  assertArg(Number.isFinite(truncate) && truncate > 0, 'truncate must be finite and > 0.');
  if (order > 0) {
    assertArg(sigmaVoxels > 0, 'Gaussian derivatives need sigma > 0.');
    // Tiny sigmas: the moment-normalised kernels below tend to central differences ([-1/2, 0, 1/2]
    // and [1, -2, 1]); flooring sigma keeps exp() from underflowing on the way there.
    sigmaVoxels = Math.max(sigmaVoxels, 0.1);
  }
  const radius = sigmaVoxels > 0 ? Math.max(order > 0 ? 1 : 0, Math.floor(truncate * sigmaVoxels + 0.5)) : 0;
  const n = 2 * radius + 1;
  if (radius === 0) {
    const k = new Float32Array(n);
    k[radius] = 1;
    return k;
  }
  const phi = new Float64Array(n);
  const s2 = sigmaVoxels * sigmaVoxels;
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 * i * i) / s2);
    phi[i + radius] = v;
    sum += v;
  }
  // Moments of the sampled kernel. For small sigma they differ a lot from the continuous ones
  // (sigma 0.4 voxel: m2 = 0.1, not 0.16), so derivative kernels are normalised to the sampled
  // moments: they then differentiate polynomials exactly (order 1: linear; order 2: quadratic, and
  // constants give exactly 0), where the textbook (x / sigma²) kernels are off by up to 40 %.
  let m2 = 0;
  let m4 = 0;
  for (let i = -radius; i <= radius; i++) {
    const p = phi[i + radius]! / sum;
    phi[i + radius] = p;
    m2 += i * i * p;
    m4 += i * i * i * i * p;
  }
  const k = new Float32Array(n);
  const c2 = 2 / (m4 - m2 * m2);
  for (let i = -radius; i <= radius; i++) {
    const p = phi[i + radius]!;
    // Correlation weights: w[j] = g^(order)(-j) for the convolution kernel g^(order).
    if (order === 0) k[i + radius] = p;
    else if (order === 1) k[i + radius] = (i / m2) * p;
    else k[i + radius] = c2 * (i * i - m2) * p;
  }
  return k;
}

/** Per-axis sigma in mm from a scalar or triple, validated. */
export function sigmaTriple(sigmaMm: number | readonly number[], name = 'sigmaMm'): Vec3 {
  const s = typeof sigmaMm === 'number' ? [sigmaMm, sigmaMm, sigmaMm] : sigmaMm;
  assertArg(
    Array.isArray(s) && s.length === 3 && s.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0),
    `${name} must be a finite number >= 0 or three of them.`,
  );
  return [s[0]!, s[1]!, s[2]!];
}

/**
 * Separable Gaussian smoothing with sigma in millimetres (anisotropic spacing respected) and
 * 'reflect' boundaries as scipy.ndimage's `gaussian_filter`. Returns a Float32 volume on the same
 * grid; the input is not modified. Cost: one pass per smoothed axis, two Float32 buffers.
 */
export function gaussian(vol: Volume, options: GaussianOptions): Volume<Float32Array>;
export function gaussian(vol: Grid, options: GaussianOptions): Grid<Float32Array>;
export function gaussian(vol: Grid, options: GaussianOptions): Grid<Float32Array> {
  validateGrid(vol);
  assertArg(options && typeof options === 'object', 'gaussian needs options { sigmaMm }.');
  const sig = sigmaTriple(options.sigmaMm);
  const truncate = options.truncate ?? 4;
  const kernels = [0, 1, 2].map((a) => {
    const s = sig[a]! / vol.spacing[a]!;
    return s > 0 ? gaussianKernel1d(s, truncate) : null;
  }) as [Float32Array | null, Float32Array | null, Float32Array | null];
  let data = correlateSeparable(vol.data, vol.dims, kernels);
  if (data === vol.data) data = data.slice();
  return withData(vol, data);
}
