import { assertArg, MedImgError } from '../errors.js';
import { kthSmallest } from '../select.js';
import { assertSameGrid, type Volume, type VoxelArray, validateVolume, withData } from '../volume.js';

/** Options naming the voxels that statistics are computed over. */
export interface MaskOption {
  /** Only nonzero voxels of this mask (same grid) count. Default: every voxel. */
  mask?: Volume;
}

function checkMask(vol: Volume, mask: Volume | undefined): VoxelArray | null {
  validateVolume(vol);
  if (!mask) return null;
  validateVolume(mask, 'mask');
  assertSameGrid(vol, mask);
  return mask.data;
}

/** Intensity window: `{ center, width }` (DICOM style) or `{ min, max }`. */
export type WindowSpec = { center: number; width: number } | { min: number; max: number };

/** Options of {@link window}. */
export interface WindowOptions {
  /** Output value at the window's lower end. Default 0. */
  outMin?: number;
  /** Output value at the window's upper end. Default 1. */
  outMax?: number;
}

function windowBounds(spec: WindowSpec): [number, number] {
  assertArg(spec && typeof spec === 'object', 'window needs { center, width } or { min, max }.');
  let lo: number;
  let hi: number;
  if ('center' in spec) {
    lo = spec.center - spec.width / 2;
    hi = spec.center + spec.width / 2;
  } else {
    lo = spec.min;
    hi = spec.max;
  }
  assertArg(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo, 'window bounds must be finite with max > min.');
  return [lo, hi];
}

/**
 * Linear intensity window: values at or below the lower bound map to `outMin`, at or above the
 * upper to `outMax`, linear in between. Float32 result on the same grid.
 */
export function window(vol: Volume, spec: WindowSpec, options: WindowOptions = {}): Volume<Float32Array> {
  validateVolume(vol);
  const [lo, hi] = windowBounds(spec);
  const o0 = options.outMin ?? 0;
  const o1 = options.outMax ?? 1;
  assertArg(Number.isFinite(o0) && Number.isFinite(o1), 'outMin/outMax must be finite.');
  const out = Float32Array.from(vol.data as ArrayLike<number>);
  const scale = (o1 - o0) / (hi - lo);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    out[i] = v <= lo ? o0 : v >= hi ? o1 : o0 + (v - lo) * scale;
  }
  return withData(vol, out);
}

/** Clips values to [min, max]; Float32 result. */
export function clip(vol: Volume, min: number, max: number): Volume<Float32Array> {
  validateVolume(vol);
  assertArg(!(min > max), 'clip needs min <= max.');
  const out = Float32Array.from(vol.data as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v < min) out[i] = min;
    else if (v > max) out[i] = max;
  }
  return withData(vol, out);
}

/** Options of {@link normalize}. */
export interface NormalizeOptions extends MaskOption {
  /** Default 0. */
  outMin?: number;
  /** Default 1. */
  outMax?: number;
}

/**
 * Min-max rescaling: the minimum (inside the mask, if given) maps to `outMin`, the maximum to
 * `outMax`. A constant image maps to `outMin`. Float32 result over the whole grid.
 */
export function normalize(vol: Volume, options: NormalizeOptions = {}): Volume<Float32Array> {
  const m = checkMask(vol, options.mask);
  const o0 = options.outMin ?? 0;
  const o1 = options.outMax ?? 1;
  const d = vol.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    if (m && m[i] === 0) continue;
    const v = d[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) throw new MedImgError('EMPTY_MASK', 'normalize: the mask selects no voxels.');
  const scale = hi > lo ? (o1 - o0) / (hi - lo) : 0;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = o0 + (d[i]! - lo) * scale;
  return withData(vol, out);
}

/** Mean and (population) standard deviation of the finite voxels in the mask. */
export function meanStdMasked(vol: Volume, mask?: Volume): { mean: number; std: number; count: number } {
  const m = checkMask(vol, mask);
  const d = vol.data;
  // Two passes (mean, then squared deviations) for accuracy on large volumes.
  let n = 0;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    if (m && m[i] === 0) continue;
    const v = d[i]!;
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  if (n === 0) throw new MedImgError('EMPTY_MASK', 'No voxels to compute statistics over.');
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < d.length; i++) {
    if (m && m[i] === 0) continue;
    const v = d[i]!;
    if (Number.isNaN(v)) continue;
    ss += (v - mean) * (v - mean);
  }
  return { mean, std: Math.sqrt(ss / n), count: n };
}

/** Options of {@link zscore}. */
export interface ZscoreOptions extends MaskOption {
  /** Added to the standard deviation to avoid division by zero. Default 1e-8 (as nnU-Net). */
  eps?: number;
  /** Voxels outside the mask are set to this value; default: they are normalised like the rest. */
  outsideValue?: number;
}

/** Z-score normalisation `(x - mean) / (std + eps)` with statistics from the mask (or all voxels). */
export function zscore(vol: Volume, options: ZscoreOptions = {}): Volume<Float32Array> {
  const { mean, std } = meanStdMasked(vol, options.mask);
  const eps = options.eps ?? 1e-8;
  const inv = 1 / (std + eps);
  const d = vol.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = (d[i]! - mean) * inv;
  if (options.outsideValue !== undefined && options.mask) {
    const m = options.mask.data;
    for (let i = 0; i < d.length; i++) if (m[i] === 0) out[i] = options.outsideValue;
  }
  return withData(vol, out);
}

/** Options of {@link histogram}. */
export interface HistogramOptions extends MaskOption {
  /** Number of equal-width bins. Default 256. */
  bins?: number;
  /** [min, max] of the binned range; values outside are not counted. Default: data min and max. */
  range?: [number, number];
}

/** A histogram: `counts[i]` voxels in `[edges[i], edges[i + 1])`, the last bin closed (as numpy). */
export interface Histogram {
  counts: Float64Array;
  edges: Float64Array;
}

/** Histogram of the voxel values (inside the mask), numpy.histogram conventions. */
export function histogram(vol: Volume, options: HistogramOptions = {}): Histogram {
  const m = checkMask(vol, options.mask);
  const bins = options.bins ?? 256;
  assertArg(Number.isInteger(bins) && bins > 0, 'bins must be a positive integer.');
  const d = vol.data;
  let lo: number;
  let hi: number;
  if (options.range) {
    [lo, hi] = options.range;
    assertArg(Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo, 'range must be finite with max >= min.');
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      if (m && m[i] === 0) continue;
      const v = d[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) lo = hi = 0;
  }
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (let i = 0; i < d.length; i++) {
    if (m && m[i] === 0) continue;
    const v = d[i]!;
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor((v - lo) * scale);
    if (b >= bins) b = bins - 1;
    // Floating rounding near an edge: move to the bin whose half-open interval holds v.
    if (b > 0 && v < edges[b]!) b--;
    else if (b < bins - 1 && v >= edges[b + 1]!) b++;
    counts[b] = counts[b]! + 1;
  }
  return { counts, edges };
}

/**
 * Percentiles (0..100) of the voxel values inside the mask with numpy's default 'linear' method:
 * the value at fractional rank `p / 100 * (n - 1)` of the sorted values, interpolated. NaNs are
 * ignored. Exact: integer images use counting, others selection on a copy.
 */
export function percentiles(vol: Volume, ps: readonly number[], options: MaskOption = {}): number[] {
  const m = checkMask(vol, options.mask);
  assertArg(Array.isArray(ps) && ps.every((p) => Number.isFinite(p) && p >= 0 && p <= 100), 'percentiles in [0, 100].');
  const d = vol.data;
  const ranks: number[] = [];
  const isInt = !(d instanceof Float32Array || d instanceof Float64Array);
  let values: Float64Array | Float32Array | null = null;
  let count = 0;
  let counting: { lo: number; counts: Float64Array } | null = null;
  if (isInt) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      if (m && m[i] === 0) continue;
      const v = d[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo !== Infinity && hi - lo < 1 << 24) {
      const counts = new Float64Array(hi - lo + 1);
      for (let i = 0; i < d.length; i++) {
        if (m && m[i] === 0) continue;
        const k = d[i]! - lo;
        counts[k] = counts[k]! + 1;
      }
      for (let k = 0; k < counts.length; k++) count += counts[k]!;
      counting = { lo, counts };
    }
  }
  if (!counting) {
    values = d instanceof Float64Array || isInt ? new Float64Array(d.length) : new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) {
      if (m && m[i] === 0) continue;
      const v = d[i]!;
      if (Number.isNaN(v)) continue;
      values[count++] = v;
    }
  }
  if (count === 0) throw new MedImgError('EMPTY_MASK', 'percentiles: no voxels selected.');
  for (const p of ps) ranks.push((p / 100) * (count - 1));
  // Order-statistic lookup: k-th smallest value (0-based).
  const kth = counting
    ? (() => {
        const { lo, counts } = counting;
        return (k: number): number => {
          let c = 0;
          for (let i = 0; i < counts.length; i++) {
            c += counts[i]!;
            if (c > k) return lo + i;
          }
          return lo + counts.length - 1;
        };
      })()
    : selector(values!.subarray(0, count));
  return ranks.map((h) => {
    const lo = Math.floor(h);
    const v0 = kth(lo);
    if (h === lo) return v0;
    const v1 = kth(lo + 1);
    return v0 + (h - lo) * (v1 - v0);
  });
}

/** k-th smallest of an array (reordered in place), amortised over increasing ranks by quickselect. */
function selector(a: Float64Array | Float32Array): (k: number) => number {
  const cache = new Map<number, number>();
  return (k: number): number => {
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const v = kthSmallest(a, k);
    cache.set(k, v);
    return v;
  };
}

/** Options of {@link percentileClip}. */
export interface PercentileClipOptions extends MaskOption {
  /** Lower percentile. Default 0.5 (nnU-Net). */
  lower?: number;
  /** Upper percentile. Default 99.5 (nnU-Net). */
  upper?: number;
}

/** Clips to the [lower, upper] percentiles of the values inside the mask; Float32 result. */
export function percentileClip(vol: Volume, options: PercentileClipOptions = {}): Volume<Float32Array> {
  const [lo, hi] = percentiles(vol, [options.lower ?? 0.5, options.upper ?? 99.5], options);
  return clip(vol, lo!, hi!);
}

/** Intensity statistics of nnU-Net's CT normalisation (from its plans: foreground_intensity_properties). */
export interface CtNormalizationStats {
  /** Clip bounds: nnU-Net's percentile_00_5 and percentile_99_5. */
  lower: number;
  upper: number;
  mean: number;
  std: number;
}

/** Options of {@link ctNormalize}. */
export interface CtNormalizeOptions extends MaskOption {
  /**
   * Dataset statistics (as in nnU-Net plans). Default: computed from this image inside `mask`
   * (0.5/99.5 percentiles, then mean and std of the clipped foreground values).
   */
  stats?: CtNormalizationStats;
}

/**
 * nnU-Net's CT normalisation: clip to [lower, upper], then `(x - mean) / max(std, 1e-8)`.
 * Returns the normalised Float32 image and the statistics used.
 */
export function ctNormalize(
  vol: Volume,
  options: CtNormalizeOptions = {},
): { image: Volume<Float32Array>; stats: CtNormalizationStats } {
  let stats = options.stats;
  if (!stats) {
    const [lower, upper] = percentiles(vol, [0.5, 99.5], options);
    const clipped = clip(vol, lower!, upper!);
    const { mean, std } = meanStdMasked(clipped, options.mask);
    stats = { lower: lower!, upper: upper!, mean, std };
  }
  const { lower, upper, mean, std } = stats;
  assertArg([lower, upper, mean, std].every(Number.isFinite) && upper >= lower, 'stats must be finite numbers.');
  validateVolume(vol);
  const inv = 1 / Math.max(std, 1e-8);
  const d = vol.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    let v = d[i]!;
    if (v < lower) v = lower;
    else if (v > upper) v = upper;
    out[i] = (v - mean) * inv;
  }
  return { image: withData(vol, out), stats };
}
