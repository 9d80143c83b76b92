/**
 * Grey-level discretisation of ROI intensities.
 *
 * - PyRadiomics fixed bin width: edges at multiples of the bin width, starting at the largest
 *   multiple ≤ min(ROI) (`lowBound = min - (min mod w)`, Python's modulo, so floored), applied with
 *   `numpy.digitize` (half-open bins): level = floor(x/w) - floor(min/w) + 1.
 * - PyRadiomics fixed bin count: `numpy.histogram(x, binCount)` edges with the top edge raised
 *   by 1, then `digitize`.
 * - IBSI FBS (chapter 2.7): level = floor((x - Xmin)/w) + 1 with Xmin the lower re-segmentation
 *   bound when one is set, else min(ROI).
 * - IBSI FBN: level = floor(Ng (x - min)/(max - min)) + 1, with the maximum mapped to Ng.
 */
import { MedImgError } from '../../core/errors.js';

/** Result of discretising the ROI values. */
export interface Discretised {
  /** Level per ROI value (1-based), same order as the input values. */
  levels: Int32Array;
  /** Number of levels Ng (highest level the discretisation can produce). */
  nLevels: number;
  /** Bin edges used (PyRadiomics modes), or [Xmin, width] description for IBSI. */
  edges: number[];
}

/** Python's floored modulo. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function minMaxOf(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * PyRadiomics `getBinEdges` with binWidth.
 *
 * @example
 * ```ts
 * import { pyradiomicsBinWidthEdges } from 'medimg/radiomics';
 * pyradiomicsBinWidthEdges([-12, 3, 40], 25); // [-25, 0, 25, 50]: edges on multiples of the bin width
 * ```
 */
export function pyradiomicsBinWidthEdges(values: ArrayLike<number>, binWidth: number): number[] {
  if (!(binWidth > 0)) throw new MedImgError('INVALID_ARGUMENT', 'binWidth must be > 0.');
  const [minimum, maximum] = minMaxOf(values);
  const low = minimum - pyMod(minimum, binWidth);
  const high = maximum + 2 * binWidth;
  // numpy.arange(low, high, w): ceil((high - low)/w) elements, low + i*w
  const n = Math.ceil((high - low) / binWidth);
  const edges: number[] = [];
  for (let i = 0; i < n; i++) edges.push(low + i * binWidth);
  if (edges.length === 1) return [edges[0]! - 0.5, edges[0]! + 0.5];
  return edges;
}

/**
 * PyRadiomics `getBinEdges` with binCount (numpy.histogram edges, top edge + 1).
 *
 * @example
 * ```ts
 * import { pyradiomicsBinCountEdges } from 'medimg/radiomics';
 * const edges = pyradiomicsBinCountEdges(roiValues, 32); // 33 edges from min to max
 * ```
 */
export function pyradiomicsBinCountEdges(values: ArrayLike<number>, binCount: number): number[] {
  if (!(Number.isInteger(binCount) && binCount > 0))
    throw new MedImgError('INVALID_ARGUMENT', 'binCount must be a positive integer.');
  let [lo, hi] = minMaxOf(values);
  if (lo === hi) {
    // numpy.histogram widens a flat range to [v - 0.5, v + 0.5]
    lo -= 0.5;
    hi += 0.5;
  }
  const edges: number[] = [];
  // numpy.linspace(lo, hi, n+1)
  const step = (hi - lo) / binCount;
  for (let i = 0; i <= binCount; i++) edges.push(i === binCount ? hi : lo + i * step);
  edges[binCount] = edges[binCount]! + 1;
  return edges;
}

/** `numpy.digitize(x, edges)` for increasing edges: count of edges ≤ x. */
export function digitize(values: ArrayLike<number>, edges: number[]): Int32Array {
  const out = new Int32Array(values.length);
  const e = Float64Array.from(edges);
  const m = e.length;
  const uniform = m > 2;
  const lo = e[0]!;
  const w = uniform ? e[1]! - e[0]! : 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // fast guess for (near-)uniform edges, then fix up exactly
    let k = uniform ? Math.floor((x - lo) / w) + 1 : 0;
    if (k < 0) k = 0;
    if (k > m) k = m;
    while (k > 0 && e[k - 1]! > x) k--;
    while (k < m && e[k]! <= x) k++;
    out[i] = k;
  }
  return out;
}

/**
 * PyRadiomics discretisation (binCount wins over binWidth, as in PyRadiomics).
 *
 * @example
 * ```ts
 * import { discretisePyradiomics } from 'medimg/radiomics';
 * const { levels, nLevels } = discretisePyradiomics(roiValues, { binWidth: 25 }); // levels from 1, as PyRadiomics
 * ```
 */
export function discretisePyradiomics(
  values: ArrayLike<number>,
  opts: { binWidth?: number; binCount?: number | null },
): Discretised {
  const edges =
    opts.binCount != null
      ? pyradiomicsBinCountEdges(values, opts.binCount)
      : pyradiomicsBinWidthEdges(values, opts.binWidth ?? 25);
  const levels = digitize(values, edges);
  let nLevels = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i]! > nLevels) nLevels = levels[i]!;
  return { levels, nLevels, edges };
}

/**
 * IBSI fixed bin size. `min` is the lower re-segmentation bound if set, else min(ROI).
 *
 * @example
 * ```ts
 * import { discretiseFbs } from 'medimg/radiomics';
 * const { levels, nLevels } = discretiseFbs(roiValues, 25, -1000); // IBSI fixed bin size from -1000 HU
 * ```
 */
export function discretiseFbs(values: ArrayLike<number>, binWidth: number, min?: number): Discretised {
  if (!(binWidth > 0)) throw new MedImgError('INVALID_ARGUMENT', 'binWidth must be > 0.');
  const [lo] = minMaxOf(values);
  const xmin = min ?? lo;
  const levels = new Int32Array(values.length);
  let nLevels = 0;
  for (let i = 0; i < values.length; i++) {
    const l = Math.floor((values[i]! - xmin) / binWidth) + 1;
    levels[i] = l;
    if (l > nLevels) nLevels = l;
  }
  return { levels, nLevels, edges: [xmin, binWidth] };
}

/**
 * IBSI fixed bin number.
 *
 * @example
 * ```ts
 * import { discretiseFbn } from 'medimg/radiomics';
 * const { levels, nLevels } = discretiseFbn(roiValues, 32); // IBSI fixed bin number
 * ```
 */
export function discretiseFbn(values: ArrayLike<number>, nBins: number): Discretised {
  if (!(Number.isInteger(nBins) && nBins > 0))
    throw new MedImgError('INVALID_ARGUMENT', 'bin count must be a positive integer.');
  const [lo, hi] = minMaxOf(values);
  const levels = new Int32Array(values.length);
  const range = hi - lo;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    levels[i] = range > 0 ? (x >= hi ? nBins : Math.floor((nBins * (x - lo)) / range) + 1) : 1;
  }
  return { levels, nLevels: nBins, edges: [lo, hi] };
}
