/**
 * IBSI chapter 3 intensity families: local intensity (3.2), intensity statistics (3.3),
 * intensity histogram (3.4) and intensity-volume histogram (3.5). Keys are IBSI codes; the two
 * IVH codes that stand for two thresholds get a suffix (BC2M_10, BC2M_90, GBPN_10, GBPN_90).
 */
import type { Vec3 } from '../../core/volume.js';
import { percentileSorted, robustMeanAbsoluteDeviation } from './firstorder.js';

function moments(x: ArrayLike<number>) {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, m2, m3, m4 };
}

/** Statistics shared by intensity statistics and the intensity histogram (same formulas). */
function distributionStats(x: ArrayLike<number>) {
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  const { mean, m2, m3, m4 } = moments(sorted);
  const p10 = percentileSorted(sorted, 10);
  const p25 = percentileSorted(sorted, 25);
  const p50 = percentileSorted(sorted, 50);
  const p75 = percentileSorted(sorted, 75);
  const p90 = percentileSorted(sorted, 90);
  let mad = 0;
  let medad = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    mad += Math.abs(v - mean);
    medad += Math.abs(v - p50);
  }
  return {
    sorted,
    mean,
    var: m2,
    skew: m2 === 0 ? 0 : m3 / m2 ** 1.5,
    kurt: m2 === 0 ? 0 : m4 / (m2 * m2) - 3,
    median: p50,
    min: sorted[0]!,
    p10,
    p90,
    max: sorted[n - 1]!,
    iqr: p75 - p25,
    range: sorted[n - 1]! - sorted[0]!,
    mad: mad / n,
    rmad: robustMeanAbsoluteDeviation(sorted, p10, p90),
    medad: medad / n,
    cov: Math.sqrt(m2) / mean,
    qcod: (p75 - p25) / (p75 + p25),
  };
}

/**
 * IBSI intensity statistics (3.3) of the intensity-mask values.
 *
 * @example
 * ```ts
 * import { intensityStatistics } from 'medimg/radiomics';
 * const s = intensityStatistics(roiValues); // IBSI 3.3, keyed by IBSI code (Q4LE = mean)
 * console.log(s.Q4LE);
 * ```
 */
export function intensityStatistics(x: ArrayLike<number>): Record<string, number> {
  const s = distributionStats(x);
  let energy = 0;
  for (let i = 0; i < x.length; i++) energy += x[i]! * x[i]!;
  return {
    Q4LE: s.mean,
    ECT3: s.var,
    KE2A: s.skew,
    IPH6: s.kurt,
    Y12H: s.median,
    '1GSF': s.min,
    QG58: s.p10,
    '8DWT': s.p90,
    '84IY': s.max,
    SALO: s.iqr,
    '2OJQ': s.range,
    '4FUA': s.mad,
    '1128': s.rmad,
    N72L: s.medad,
    '7TET': s.cov,
    '9S40': s.qcod,
    N8CA: energy,
    '5ZWQ': Math.sqrt(energy / x.length),
  };
}

/**
 * IBSI intensity histogram (3.4) of discretised levels 1..nLevels. The histogram gradient runs
 * over levels 1..nLevels (central differences inside, one-sided at the ends).
 *
 * @example
 * ```ts
 * import { discretiseFbn, intensityHistogram } from 'medimg/radiomics';
 * const { levels, nLevels } = discretiseFbn(roiValues, 32);
 * const h = intensityHistogram(levels, nLevels); // IBSI 3.4 on the discretised levels
 * ```
 */
export function intensityHistogram(levels: ArrayLike<number>, nLevels: number): Record<string, number> {
  const s = distributionStats(levels);
  const n = levels.length;
  let ng = nLevels;
  for (let i = 0; i < n; i++) if (levels[i]! > ng) ng = levels[i]!;
  const h = new Float64Array(ng + 1);
  for (let i = 0; i < n; i++) h[levels[i]!]!++;
  let entropy = 0;
  let uniformity = 0;
  let mode = 1;
  for (let i = 1; i <= ng; i++) {
    const p = h[i]! / n;
    if (p > 0) {
      entropy -= p * Math.log2(p);
      uniformity += p * p;
    }
    // highest count; ties go to the level closest to the mean
    if (h[i]! > h[mode]! || (h[i] === h[mode] && Math.abs(i - s.mean) < Math.abs(mode - s.mean))) mode = i;
  }
  let maxG = Number.NEGATIVE_INFINITY;
  let maxGi = 1;
  let minG = Number.POSITIVE_INFINITY;
  let minGi = 1;
  for (let i = 1; i <= ng; i++) {
    let g: number;
    if (ng === 1) g = 0;
    else if (i === 1) g = h[2]! - h[1]!;
    else if (i === ng) g = h[ng]! - h[ng - 1]!;
    else g = (h[i + 1]! - h[i - 1]!) / 2;
    if (g > maxG) {
      maxG = g;
      maxGi = i;
    }
    if (g < minG) {
      minG = g;
      minGi = i;
    }
  }
  return {
    X6K6: s.mean,
    CH89: s.var,
    '88K1': s.skew,
    C3I7: s.kurt,
    WIFQ: s.median,
    '1PR8': s.min,
    GPMT: s.p10,
    OZ0C: s.p90,
    '3NCY': s.max,
    AMMC: mode,
    WR0O: s.iqr,
    '5Z3W': s.range,
    D2ZX: s.mad,
    WRZB: s.rmad,
    '4RNL': s.medad,
    CWYJ: s.cov,
    SLWD: s.qcod,
    TLU2: entropy,
    BJ5W: uniformity,
    '12CE': maxG,
    '8E6O': maxGi,
    VQB3: minG,
    RHQZ: minGi,
  };
}

/** How intensities are discretised for the IVH (IBSI 3.5). */
export interface IvhOptions {
  /**
   * 'none': intensities as they are (a grid of step 1 when they are integers); 'FBS': bins of
   * `value` width from `min`, represented by bin centres; 'FBN': `value` bins, represented by the
   * bin number. Default 'none'.
   */
  method?: 'none' | 'FBS' | 'FBN';
  value?: number;
  /** Lower bound of the bins for FBS (the re-segmentation lower bound). Default min(ROI). */
  min?: number;
  /** Intensity range used for intensity fractions (the re-segmentation range). Default ROI min/max. */
  range?: [number, number];
}

/**
 * IBSI intensity-volume histogram features.
 *
 * @example
 * ```ts
 * import { intensityVolumeHistogram } from 'medimg/radiomics';
 * const ivh = intensityVolumeHistogram(roiValues, { method: 'FBS', value: 2.5, min: -1000 });
 * ```
 */
export function intensityVolumeHistogram(x: ArrayLike<number>, opts: IvhOptions = {}): Record<string, number> {
  const n = x.length;
  const method = opts.method ?? 'none';
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (x[i]! < lo) lo = x[i]!;
    if (x[i]! > hi) hi = x[i]!;
  }
  // map every voxel to a grid index k = 0..K-1 with intensity val(k) = g0 + k*step
  let g0: number;
  let step: number;
  let K: number;
  const idx = new Int32Array(n);
  let iMin: number;
  let iMax: number;
  if (method === 'FBN') {
    const nb = opts.value ?? 1000;
    const r = hi - lo;
    for (let i = 0; i < n; i++) idx[i] = r > 0 ? (x[i]! >= hi ? nb - 1 : Math.floor((nb * (x[i]! - lo)) / r)) : 0;
    g0 = 1;
    step = 1;
    K = nb;
    iMin = 1;
    iMax = nb;
  } else {
    let allInt = true;
    for (let i = 0; i < n && allInt; i++) if (!Number.isInteger(x[i]!)) allInt = false;
    const w = method === 'FBS' ? (opts.value ?? 1) : 1;
    const base = method === 'FBS' ? (opts.min ?? lo) : lo;
    if (method === 'FBS' || allInt) {
      for (let i = 0; i < n; i++) idx[i] = Math.floor((x[i]! - base) / w);
      g0 = method === 'FBS' ? base + w / 2 : base;
      step = w;
      let kmax = 0;
      for (let i = 0; i < n; i++) if (idx[i]! > kmax) kmax = idx[i]!;
      K = kmax + 1;
    } else {
      return ivhFromUnique(x, opts.range ?? [lo, hi]);
    }
    iMin = opts.range ? opts.range[0] : lo;
    iMax = opts.range ? opts.range[1] : hi;
    if (method === 'FBS' && !opts.range) {
      iMin = g0;
      iMax = g0 + (K - 1) * step;
    }
  }
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[idx[i]!]!++;
  // V(k): fraction with intensity >= val(k)
  const V = new Float64Array(K + 1);
  for (let k = K - 1; k >= 0; k--) V[k] = V[k + 1]! + counts[k]! / n;
  const val = (k: number) => g0 + k * step;
  const span = iMax - iMin;
  const volAt = (frac: number) => {
    // volume fraction of voxels with intensity fraction >= frac
    const thr = iMin + frac * span;
    let s = 0;
    for (let k = 0; k < K; k++) if (val(k) >= thr - 1e-9 * Math.abs(span)) s += counts[k]!;
    return s / n;
  };
  const intAt = (frac: number) => {
    for (let k = 0; k < K; k++) if (V[k]! <= frac) return val(k);
    return val(K - 1) + step;
  };
  const v10 = volAt(0.1);
  const v90 = volAt(0.9);
  const i10 = intAt(0.1);
  const i90 = intAt(0.9);
  return {
    BC2M_10: v10,
    BC2M_90: v90,
    GBPN_10: i10,
    GBPN_90: i90,
    DDTU: v10 - v90,
    CNV2: i10 - i90,
  };
}

function ivhFromUnique(x: ArrayLike<number>, range: [number, number]): Record<string, number> {
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  const span = range[1] - range[0];
  const volAt = (frac: number) => {
    const thr = range[0] + frac * span;
    let c = 0;
    for (let i = 0; i < n; i++) if (sorted[i]! >= thr) c++;
    return c / n;
  };
  const intAt = (frac: number) => {
    // smallest value whose fraction of voxels at or above it is <= frac
    for (let i = 0; i < n; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) continue;
      if ((n - i) / n <= frac) return sorted[i]!;
    }
    return sorted[n - 1]!;
  };
  const v10 = volAt(0.1);
  const v90 = volAt(0.9);
  const i10 = intAt(0.1);
  const i90 = intAt(0.9);
  return { BC2M_10: v10, BC2M_90: v90, GBPN_10: i10, GBPN_90: i90, DDTU: v10 - v90, CNV2: i10 - i90 };
}

/**
 * IBSI local intensity (3.2): mean intensity in a 1 cm³ sphere (radius 6.2035 mm) around a voxel,
 * over all image voxels whose centres lie in the sphere (not only the ROI). Local peak: around
 * the ROI voxels of maximum intensity (the highest such mean); global peak: highest over all ROI
 * voxels. `image` is the full (interpolated, unfiltered) image on the ROI's grid.
 *
 * @example
 * ```ts
 * import { localIntensityPeaks } from 'medimg/radiomics';
 * const peaks = localIntensityPeaks(ct.data, mask.data, ct.dims, ct.spacing); // { VJGA: local, '0F91': global }
 * ```
 */
export function localIntensityPeaks(
  image: ArrayLike<number>,
  roi: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
): { VJGA: number; '0F91': number } {
  const r = 10 * Math.cbrt(3 / (4 * Math.PI));
  const [nx, ny, nz] = dims;
  const rx = Math.floor(r / spacing[0]);
  const ry = Math.floor(r / spacing[1]);
  const rz = Math.floor(r / spacing[2]);
  const offs: number[] = [];
  for (let dz = -rz; dz <= rz; dz++)
    for (let dy = -ry; dy <= ry; dy++)
      for (let dx = -rx; dx <= rx; dx++) {
        const d2 = (dx * spacing[0]) ** 2 + (dy * spacing[1]) ** 2 + (dz * spacing[2]) ** 2;
        if (d2 <= r * r) offs.push(dx, dy, dz);
      }
  const no = offs.length / 3;
  const sphereMean = (x: number, y: number, z: number) => {
    let s = 0;
    let c = 0;
    const inside = x - rx >= 0 && x + rx < nx && y - ry >= 0 && y + ry < ny && z - rz >= 0 && z + rz < nz;
    for (let o = 0; o < no; o++) {
      const xx = x + offs[3 * o]!;
      const yy = y + offs[3 * o + 1]!;
      const zz = z + offs[3 * o + 2]!;
      if (!inside && (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz)) continue;
      s += image[xx + nx * (yy + ny * zz)]!;
      c++;
    }
    return s / c;
  };
  let maxInt = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < roi.length; i++) if (roi[i] && image[i]! > maxInt) maxInt = image[i]!;
  let local = Number.NEGATIVE_INFINITY;
  let global = Number.NEGATIVE_INFINITY;
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!roi[i]) continue;
        const m = sphereMean(x, y, z);
        if (m > global) global = m;
        if (image[i] === maxInt && m > local) local = m;
      }
  return { VJGA: local, '0F91': global };
}
