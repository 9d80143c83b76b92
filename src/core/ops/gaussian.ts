import { assertArg } from '../errors.js';
import type { Volume } from '../volume.js';

/** Options of {@link gaussian}. */
export interface GaussianOptions {
  /** Standard deviation in mm, one value or one per axis. */
  sigmaMm: number | [number, number, number];
  /** Kernel half-width in standard deviations. Default 4 (as scipy.ndimage's `truncate`). */
  truncate?: number;
}

/** Normalised 1D Gaussian kernel for `sigma` in voxels (radius = ceil(truncate * sigma)). */
export function gaussianKernel1d(sigmaVoxels: number, truncate = 4): Float32Array {
  const radius = Math.max(0, Math.ceil(truncate * sigmaVoxels));
  const k = new Float32Array(2 * radius + 1);
  if (sigmaVoxels <= 0) {
    k[radius] = 1;
    return k;
  }
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigmaVoxels * sigmaVoxels));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Separable Gaussian smoothing with sigma in millimetres (anisotropic spacing respected) and
 * mirror ('reflect') boundaries as scipy.ndimage. Returns a Float32 volume on the same grid.
 */
export function gaussian(vol: Volume, options: GaussianOptions): Volume<Float32Array> {
  const sig =
    typeof options.sigmaMm === 'number' ? [options.sigmaMm, options.sigmaMm, options.sigmaMm] : options.sigmaMm;
  assertArg(sig.length === 3 && sig.every((s) => Number.isFinite(s) && s >= 0), 'sigmaMm must be finite and >= 0.');
  const truncate = options.truncate ?? 4;
  const out = Float32Array.from(vol.data as ArrayLike<number>);
  const [nx, ny, nz] = vol.dims;
  const strides = [1, nx, nx * ny];
  const lengths = [nx, ny, nz];
  for (let axis = 0; axis < 3; axis++) {
    const s = sig[axis]! / vol.spacing[axis]!;
    if (s <= 0 || lengths[axis]! === 1) continue;
    convolveAxis(out, vol.dims, axis, gaussianKernel1d(s, truncate), strides[axis]!, lengths[axis]!);
  }
  return {
    data: out,
    dims: [...vol.dims],
    spacing: [...vol.spacing],
    origin: [...vol.origin],
    direction: [...vol.direction],
    ...(vol.meta ? { meta: vol.meta } : {}),
  };
}

/** In-place 1D convolution along one axis with reflect boundaries (d c b a | a b c d | d c b a). */
function convolveAxis(
  data: Float32Array,
  dims: [number, number, number],
  axis: number,
  kernel: Float32Array,
  stride: number,
  n: number,
): void {
  const r = (kernel.length - 1) >> 1;
  const line = new Float32Array(n + 2 * r);
  const total = dims[0] * dims[1] * dims[2];
  const lines = total / n;
  for (let l = 0; l < lines; l++) {
    // start index of line l: enumerate all positions with coordinate 0 on `axis`
    let start: number;
    if (axis === 0) start = l * n;
    else if (axis === 1) start = (l % dims[0]) + Math.floor(l / dims[0]) * dims[0] * dims[1];
    else start = l;
    for (let i = 0; i < n; i++) line[r + i] = data[start + i * stride]!;
    for (let i = 1; i <= r; i++) {
      line[r - i] = line[r + reflect(i - 1, n)]!;
      line[r + n - 1 + i] = line[r + reflect(n - i, n)]!;
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < kernel.length; k++) acc += kernel[k]! * line[i + k]!;
      data[start + i * stride] = acc;
    }
  }
}

/** scipy 'reflect' index for positions outside [0, n): maps i (possibly >= n) into range. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}
