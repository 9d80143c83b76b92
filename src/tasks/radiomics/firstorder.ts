/**
 * PyRadiomics first-order features (radiomics/firstorder.py, documented formulas).
 *
 * X = ROI intensities, c = voxelArrayShift (only in Energy, TotalEnergy, RootMeanSquared),
 * p(i) = histogram of the discretised ROI (binWidth/binCount) / Np. Moments are population
 * moments; Kurtosis is NOT excess (a normal distribution gives 3); Skewness and Kurtosis are 0
 * for a flat region. Percentiles interpolate linearly (numpy default). Entropy uses log2 with
 * machine epsilon added, as PyRadiomics.
 */
import { discretisePyradiomics } from './discretise.js';

/**
 * Mean absolute deviation from their mean of the values in [lo, hi] (inclusive): PyRadiomics's
 * RobustMeanAbsoluteDeviation and IBSI's robust MAD (lo = P10, hi = P90). `sorted` is ascending.
 */
export function robustMeanAbsoluteDeviation(sorted: ArrayLike<number>, lo: number, hi: number): number {
  let a = 0;
  while (a < sorted.length && sorted[a]! < lo) a++;
  let b = sorted.length;
  while (b > a && sorted[b - 1]! > hi) b--;
  let s = 0;
  for (let i = a; i < b; i++) s += sorted[i]!;
  const m = s / (b - a);
  let d = 0;
  for (let i = a; i < b; i++) d += Math.abs(sorted[i]! - m);
  return d / (b - a);
}

/** Linear-interpolated percentile of sorted values (numpy 'linear'). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const f = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * f;
}

/** Options of {@link firstOrderFeatures}. */
export interface FirstOrderOptions {
  /** PyRadiomics `binWidth`. Default 25. */
  binWidth?: number;
  /** PyRadiomics `binCount` (overrides binWidth). */
  binCount?: number | null;
  /** PyRadiomics `voxelArrayShift`. Default 0. */
  voxelArrayShift?: number;
  /** Volume of one voxel in mm³ (TotalEnergy). */
  voxelVolume: number;
  /** Include the deprecated StandardDeviation. Default false (PyRadiomics disables deprecated features). */
  includeDeprecated?: boolean;
}

const EPS = 2.220446049250313e-16;

/** PyRadiomics firstorder feature names enabled by default, in PyRadiomics's order. */
export const FIRSTORDER_FEATURES = [
  'Energy',
  'TotalEnergy',
  'Entropy',
  'Minimum',
  '10Percentile',
  '90Percentile',
  'Maximum',
  'Mean',
  'Median',
  'InterquartileRange',
  'Range',
  'MeanAbsoluteDeviation',
  'RobustMeanAbsoluteDeviation',
  'RootMeanSquared',
  'Skewness',
  'Kurtosis',
  'Variance',
  'Uniformity',
] as const;

/**
 * First-order features of the ROI values `x` (any order).
 *
 * @example
 * ```ts
 * import { firstOrderFeatures } from 'medimg/radiomics';
 * const f = firstOrderFeatures(roiValues, { binWidth: 25, voxelVolume: 0.7 * 0.7 * 1.25 });
 * console.log(f.Mean, f.Entropy, f['90Percentile']);
 * ```
 */
export function firstOrderFeatures(x: ArrayLike<number>, opts: FirstOrderOptions): Record<string, number> {
  const n = x.length;
  const c = opts.voxelArrayShift ?? 0;
  const sorted = Float64Array.from(x).sort();
  let sum = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    sum += v;
    energy += (v + c) * (v + c);
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let mad = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    mad += Math.abs(d);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  mad /= n;
  const p10 = percentileSorted(sorted, 10);
  const p90 = percentileSorted(sorted, 90);
  const p25 = percentileSorted(sorted, 25);
  const p75 = percentileSorted(sorted, 75);
  const rmad = robustMeanAbsoluteDeviation(sorted, p10, p90);
  // binned histogram
  const disc = discretisePyradiomics(sorted, { binWidth: opts.binWidth ?? 25, binCount: opts.binCount ?? null });
  const counts = new Float64Array(disc.nLevels + 1);
  for (let i = 0; i < n; i++) counts[disc.levels[i]!]!++;
  let entropy = 0;
  let uniformity = 0;
  for (let i = 1; i < counts.length; i++) {
    const p = counts[i]! / n;
    if (p === 0) continue;
    entropy -= p * Math.log2(p + EPS);
    uniformity += p * p;
  }
  const out: Record<string, number> = {
    Energy: energy,
    TotalEnergy: energy * opts.voxelVolume,
    Entropy: entropy,
    Minimum: sorted[0]!,
    '10Percentile': p10,
    '90Percentile': p90,
    Maximum: sorted[n - 1]!,
    Mean: mean,
    Median: percentileSorted(sorted, 50),
    InterquartileRange: p75 - p25,
    Range: sorted[n - 1]! - sorted[0]!,
    MeanAbsoluteDeviation: mad,
    RobustMeanAbsoluteDeviation: rmad,
    RootMeanSquared: Math.sqrt(energy / n),
    Skewness: m2 === 0 ? 0 : m3 / m2 ** 1.5,
    Kurtosis: m2 === 0 ? 0 : m4 / (m2 * m2),
    Variance: m2,
    Uniformity: uniformity,
  };
  if (opts.includeDeprecated) out.StandardDeviation = Math.sqrt(m2);
  return out;
}
