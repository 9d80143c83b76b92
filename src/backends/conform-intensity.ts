// The intensity half of FreeSurfer-style conforming (mri_convert --conform; FastSurfer's conform.py,
// which niivue's `conform` and so brainchop follow): a T1 that is resampled onto the conformed grid
// is also rescaled to 0..255 with robust limits and rounded to integers, so the brainchop models see
// the 8-bit image they were trained on whatever the scanner's range. Min-max scaling alone would let
// a few bright voxels (vessels, fat, a spike) darken the whole brain.

/** Limits of the robust rescale: `v' = clamp(round((v - srcMin) * scale), 0, 255)`. */
export interface UcharScale {
  srcMin: number;
  scale: number;
}

const BINS = 1000;

/**
 * FreeSurfer's robust rescale limits from a 1000-bin histogram of the whole volume: the lower
 * limit is where `lower` of all voxels lie below (0: the minimum); the upper is the first bin at
 * which all but `1 - upper` of the non-zero voxels lie below, moved two bins down (as conform.py's
 * getscale does, so the brightest voxels saturate at 255). Non-finite voxels are skipped.
 */
export function ucharScale(data: ArrayLike<number>, lower: number, upper: number): UcharScale {
  const n = data.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonzero = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (Math.abs(v) >= 1e-15) nonzero++;
  }
  if (finite === 0 || !(max > min)) return { srcMin: finite ? min : 0, scale: 1 };
  const binSize = (max - min) / BINS;
  const hist = new Float64Array(BINS);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    // numpy.histogram: equal bins over [min, max], the last one closed
    const b = Math.floor((v - min) / binSize);
    hist[b >= BINS ? BINS - 1 : b]!++;
  }
  // cumulative counts: cs[k] = voxels in bins below k (cs[0] = 0)
  const cs = new Float64Array(BINS + 1);
  for (let k = 0; k < BINS; k++) cs[k + 1] = cs[k]! + hist[k]!;
  const loNth = Math.floor(lower * finite);
  let lo = 0;
  for (let k = BINS; k >= 0; k--)
    if (cs[k]! < loNth) {
      lo = k + 1;
      break;
    }
  const srcMin = min + lo * binSize;
  const hiNth = finite - Math.floor((1 - upper) * nonzero);
  let hi = BINS - 2;
  for (let k = 0; k <= BINS; k++)
    if (cs[k]! >= hiNth) {
      hi = k - 2;
      break;
    }
  // a histogram this skewed has no robust upper limit two bins down: fall back to the maximum
  const srcMax = hi > 0 ? srcMin + hi * binSize : max;
  return { srcMin, scale: srcMax > srcMin ? 255 / (srcMax - srcMin) : 1 };
}

/** Applies {@link UcharScale} in place: scaled, clipped to [0, 255], rounded half to even as numpy.rint. */
export function applyUcharScale(data: Float32Array, s: UcharScale): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const x = Number.isFinite(v) ? (v - s.srcMin) * s.scale : 0;
    data[i] = x <= 0 ? 0 : x >= 255 ? 255 : rint(x);
  }
  return data;
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** True for data that already is 8-bit: FreeSurfer leaves a uchar volume's intensities alone. */
export function isUcharData(data: ArrayLike<number>): boolean {
  return data instanceof Uint8Array || data instanceof Uint8ClampedArray;
}
