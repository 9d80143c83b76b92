/**
 * PyRadiomics image types: Laplacian of Gaussian (`log-sigma-<s>-mm-3D`) and the undecimated
 * wavelet (`wavelet-LLH` ... `wavelet-HHH`, `wavelet-LLL`).
 *
 * LoG: the recursive (Deriche) Gaussian filters of ITK's LaplacianRecursiveGaussianImageFilter,
 * normalised across scale (× sigma²), edge values extended beyond the borders.
 * Wavelet: pywt.swtn level 1 along x, y, z with periodic extension (odd sizes padded by one
 * wrapped voxel, then cropped), as PyRadiomics's _swt3; letters name the filter per axis in
 * x, y, z order. Only 'coif1' and 'haar' filter banks are built in.
 */
import { MedImgError } from '../../core/errors.js';
import type { Vec3 } from '../../core/volume.js';

/**
 * Applies a 1D kernel along one axis: out[i] = Σ_j k[j]·in[i + center - j], with mirror ('reflect',
 * d c b a | a b c d | d c b a) or periodic boundaries. Each line is copied once into an extended
 * buffer so the inner loop has no boundary logic.
 */
function convolveAxis(
  src: Float64Array,
  dims: Vec3,
  axis: 0 | 1 | 2,
  k: Float64Array,
  center: number,
  periodic = false,
): Float64Array {
  const out = new Float64Array(src.length);
  const n = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const kl = k.length;
  const left = kl - 1 - center; // samples needed before index 0
  const right = center; // after n - 1
  const ext = new Float64Array(n + left + right);
  // extended-buffer index of source position p (may be outside [0, n))
  const srcIndex = (p: number) => {
    if (periodic) return ((p % n) + n) % n;
    while (p < 0 || p >= n) p = p < 0 ? -p - 1 : 2 * n - p - 1;
    return p;
  };
  const mapLeft = new Int32Array(left);
  for (let q = 0; q < left; q++) mapLeft[q] = srcIndex(q - left);
  const mapRight = new Int32Array(right);
  for (let q = 0; q < right; q++) mapRight[q] = srcIndex(n + q);
  // reversed kernel so the inner loop walks forward: out[i] = Σ_t kr[t]·ext[i + t]
  const kr = new Float64Array(kl);
  for (let t = 0; t < kl; t++) kr[t] = k[kl - 1 - t]!;
  const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const sa = a === 0 ? 1 : a === 1 ? dims[0] : dims[0] * dims[1];
  const sb = b === 0 ? 1 : b === 1 ? dims[0] : dims[0] * dims[1];
  const na = dims[a]!;
  const nb = dims[b]!;
  for (let ib = 0; ib < nb; ib++)
    for (let ia = 0; ia < na; ia++) {
      const base = ia * sa + ib * sb;
      for (let i = 0; i < n; i++) ext[left + i] = src[base + i * stride]!;
      for (let q = 0; q < left; q++) ext[q] = ext[left + mapLeft[q]!]!;
      for (let q = 0; q < right; q++) ext[left + n + q] = ext[left + mapRight[q]!]!;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < kl; t++) s += kr[t]! * ext[i + t]!;
        out[base + i * stride] = s;
      }
    }
  return out;
}

/** Coefficients of a 4th-order recursive (Deriche) Gaussian filter along one axis. */
interface RecursiveCoefficients {
  n: [number, number, number, number];
  m: [number, number, number, number];
  d: [number, number, number, number];
  bn: [number, number, number, number];
  bm: [number, number, number, number];
}

/**
 * Deriche's recursive approximation of the Gaussian (order 0) or of its second derivative
 * (order 2), with sigma in voxels, normalised as ITK's RecursiveGaussianImageFilter does (unit
 * DC gain; second derivative exact on quadratics, times `scale`).
 */
function recursiveCoefficients(sigmaVox: number, order: 0 | 2, scale: number): RecursiveCoefficients {
  // Deriche's fitted constants for the Gaussian and its second derivative
  const W1 = 0.6681;
  const L1 = -1.3932;
  const W2 = 2.0787;
  const L2 = -1.3732;
  const c1 = Math.cos(W1 / sigmaVox);
  const c2 = Math.cos(W2 / sigmaVox);
  const s1 = Math.sin(W1 / sigmaVox);
  const s2 = Math.sin(W2 / sigmaVox);
  const e1 = Math.exp(L1 / sigmaVox);
  const e2 = Math.exp(L2 / sigmaVox);
  const d4 = e1 * e1 * e2 * e2;
  const d3 = -2 * c1 * e1 * e2 * e2 - 2 * c2 * e2 * e1 * e1;
  const d2 = 4 * c2 * c1 * e1 * e2 + e1 * e1 + e2 * e2;
  const d1 = -2 * (e2 * c2 + e1 * c1);
  const SD = 1 + d1 + d2 + d3 + d4;
  const DD = d1 + 2 * d2 + 3 * d3 + 4 * d4;
  const ED = d1 + 4 * d2 + 9 * d3 + 16 * d4;
  const numer = (A1: number, B1: number, A2: number, B2: number) => {
    const n0 = A1 + A2;
    const n1 = e2 * (B2 * s2 - (A2 + 2 * A1) * c2) + e1 * (B1 * s1 - (A1 + 2 * A2) * c1);
    const n2 = 2 * e1 * e2 * ((A1 + A2) * c2 * c1 - (B1 * c2 * s1 + B2 * c1 * s2)) + A2 * e1 * e1 + A1 * e2 * e2;
    const n3 = e2 * e1 * e1 * (B2 * s2 - A2 * c2) + e1 * e2 * e2 * (B1 * s1 - A1 * c1);
    return { n: [n0, n1, n2, n3], S: n0 + n1 + n2 + n3, D: n1 + 2 * n2 + 3 * n3, E: n1 + 4 * n2 + 9 * n3 };
  };
  let n: number[];
  if (order === 0) {
    const g = numer(1.353, 1.8151, -0.3531, 0.0902);
    const alpha0 = (2 * g.S) / SD - g.n[0]!;
    n = g.n.map((v) => v / alpha0);
  } else {
    const g0 = numer(1.353, 1.8151, -0.3531, 0.0902);
    const g2 = numer(-1.3563, 5.2318, 0.3446, -2.2355);
    // remove the DC response, then normalise the response to x² (second moment)
    const beta = -(2 * g2.S - SD * g2.n[0]!) / (2 * g0.S - SD * g0.n[0]!);
    const nn = g2.n.map((v, i) => v + beta * g0.n[i]!);
    const S = g2.S + beta * g0.S;
    const D = g2.D + beta * g0.D;
    const E = g2.E + beta * g0.E;
    const alpha2 = (E * SD * SD - ED * S * SD - 2 * D * DD * SD + 2 * DD * DD * S) / (SD * SD * SD);
    n = nn.map((v) => (v * scale) / alpha2);
  }
  // symmetric filter: anti-causal numerators
  const m = [n[1]! - d1 * n[0]!, n[2]! - d2 * n[0]!, n[3]! - d3 * n[0]!, -d4 * n[0]!];
  const SN = n[0]! + n[1]! + n[2]! + n[3]!;
  const SM = m[0]! + m[1]! + m[2]! + m[3]!;
  const d = [d1, d2, d3, d4];
  return {
    n: n as RecursiveCoefficients['n'],
    m: m as RecursiveCoefficients['m'],
    d: d as RecursiveCoefficients['d'],
    // boundary terms: the edge value is assumed to extend to infinity
    bn: d.map((v) => (v * SN) / SD) as RecursiveCoefficients['bn'],
    bm: d.map((v) => (v * SM) / SD) as RecursiveCoefficients['bm'],
  };
}

/** Runs the causal + anti-causal recursions over one line (length ≥ 4). */
function recursiveLine(x: Float64Array, y: Float64Array, z: Float64Array, len: number, k: RecursiveCoefficients): void {
  const [n0, n1, n2, n3] = k.n;
  const [m1, m2, m3, m4] = k.m;
  const [d1, d2, d3, d4] = k.d;
  const [bn1, bn2, bn3, bn4] = k.bn;
  const [bm1, bm2, bm3, bm4] = k.bm;
  const v = x[0]!;
  y[0] = (n0 + n1 + n2 + n3) * v - (bn1 + bn2 + bn3 + bn4) * v;
  y[1] = n0 * x[1]! + (n1 + n2 + n3) * v - (d1 * y[0]! + (bn2 + bn3 + bn4) * v);
  y[2] = n0 * x[2]! + n1 * x[1]! + (n2 + n3) * v - (d1 * y[1]! + d2 * y[0]! + (bn3 + bn4) * v);
  y[3] = n0 * x[3]! + n1 * x[2]! + n2 * x[1]! + n3 * v - (d1 * y[2]! + d2 * y[1]! + d3 * y[0]! + bn4 * v);
  for (let i = 4; i < len; i++) {
    y[i] =
      n0 * x[i]! +
      n1 * x[i - 1]! +
      n2 * x[i - 2]! +
      n3 * x[i - 3]! -
      (d1 * y[i - 1]! + d2 * y[i - 2]! + d3 * y[i - 3]! + d4 * y[i - 4]!);
  }
  const w = x[len - 1]!;
  const L = len - 1;
  z[L] = (m1 + m2 + m3 + m4) * w - (bm1 + bm2 + bm3 + bm4) * w;
  z[L - 1] = m1 * x[L]! + (m2 + m3 + m4) * w - (d1 * z[L]! + (bm2 + bm3 + bm4) * w);
  z[L - 2] = m1 * x[L - 1]! + m2 * x[L]! + (m3 + m4) * w - (d1 * z[L - 1]! + d2 * z[L]! + (bm3 + bm4) * w);
  z[L - 3] =
    m1 * x[L - 2]! + m2 * x[L - 1]! + m3 * x[L]! + m4 * w - (d1 * z[L - 2]! + d2 * z[L - 1]! + d3 * z[L]! + bm4 * w);
  for (let i = len - 4; i > 0; i--) {
    z[i - 1] =
      m1 * x[i]! +
      m2 * x[i + 1]! +
      m3 * x[i + 2]! +
      m4 * x[i + 3]! -
      (d1 * z[i]! + d2 * z[i + 1]! + d3 * z[i + 2]! + d4 * z[i + 3]!);
  }
  for (let i = 0; i < len; i++) y[i] = y[i]! + z[i]!;
}

/** Applies a recursive filter along one axis (returns a new array). */
function recursiveAxis(src: Float64Array, dims: Vec3, axis: 0 | 1 | 2, k: RecursiveCoefficients): Float64Array {
  const out = new Float64Array(src.length);
  const len = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const sa = a === 0 ? 1 : a === 1 ? dims[0] : dims[0] * dims[1];
  const sb = b === 0 ? 1 : b === 1 ? dims[0] : dims[0] * dims[1];
  const x = new Float64Array(len);
  const y = new Float64Array(len);
  const z = new Float64Array(len);
  for (let ib = 0; ib < dims[b]!; ib++)
    for (let ia = 0; ia < dims[a]!; ia++) {
      const base = ia * sa + ib * sb;
      for (let i = 0; i < len; i++) x[i] = src[base + i * stride]!;
      recursiveLine(x, y, z, len, k);
      for (let i = 0; i < len; i++) out[base + i * stride] = y[i]!;
    }
  return out;
}

/**
 * Laplacian of Gaussian with sigma in mm, normalised across scale (× sigma²), as SimpleITK's
 * LaplacianRecursiveGaussianImageFilter (what PyRadiomics uses): for each axis, the recursive
 * second-derivative filter along it and recursive Gaussians along the others, divided by the
 * squared spacing and summed. Beyond the borders the edge values are assumed constant. Every
 * axis needs at least 4 voxels.
 */
export function laplacianOfGaussian(data: ArrayLike<number>, dims: Vec3, spacing: Vec3, sigmaMm: number): Float64Array {
  if (!(sigmaMm > 0)) throw new MedImgError('INVALID_ARGUMENT', 'LoG sigma must be > 0.');
  if (Math.min(...dims) < 4) throw new MedImgError('INVALID_ARGUMENT', 'LoG needs at least 4 voxels along every axis.');
  const src = Float64Array.from(data);
  const out = new Float64Array(src.length);
  const smooth = [0, 1, 2].map((a) => recursiveCoefficients(sigmaMm / spacing[a]!, 0, 1));
  const second = [0, 1, 2].map((a) => recursiveCoefficients(sigmaMm / spacing[a]!, 2, sigmaMm * sigmaMm));
  for (let d = 0; d < 3; d++) {
    let cur = recursiveAxis(src, dims, d as 0 | 1 | 2, second[d]!);
    for (let a = 0; a < 3; a++) if (a !== d) cur = recursiveAxis(cur, dims, a as 0 | 1 | 2, smooth[a]!);
    const inv = 1 / (spacing[d]! * spacing[d]!);
    for (let i = 0; i < out.length; i++) out[i]! += cur[i]! * inv;
  }
  return out;
}

/** PyRadiomics image type name of a LoG sigma: 'log-sigma-1-0-mm-3D'. */
export function logImageName(sigma: number): string {
  const s = Number.isInteger(sigma) ? sigma.toFixed(1) : String(sigma);
  return `log-sigma-${s.replace('.', '-')}-mm-3D`;
}

/** Decomposition low-pass filters (pywt dec_lo). High-pass: dec_hi[k] = (-1)^(k+1) dec_lo[L-1-k]. */
const DEC_LO: Record<string, number[]> = {
  coif1: [
    -0.01565572813546454, -0.0727326195128539, 0.38486484686420286, 0.8525720202122554, 0.3378976624578092,
    -0.0727326195128539,
  ],
  haar: [Math.SQRT1_2, Math.SQRT1_2],
};

function filterBank(name: string): { lo: Float64Array; hi: Float64Array } {
  const lo = DEC_LO[name];
  if (!lo) throw new MedImgError('INVALID_ARGUMENT', `Unsupported wavelet "${name}" (supported: coif1, haar).`);
  const L = lo.length;
  const hi = new Float64Array(L);
  for (let k = 0; k < L; k++) hi[k] = (k % 2 === 0 ? -1 : 1) * lo[L - 1 - k]!;
  return { lo: Float64Array.from(lo), hi };
}

/**
 * Undecimated wavelet decompositions (level `start_level + 1`, PyRadiomics `level` 1). Returns the
 * 8 sub-bands keyed 'LLH', ..., 'HHH', 'LLL' (letter i = axis x, y, z).
 */
export function waveletDecompositions(
  data: ArrayLike<number>,
  dims: Vec3,
  opts: { wavelet?: string; start_level?: number; level?: number } = {},
): Map<string, Float64Array> {
  const { lo, hi } = filterBank(opts.wavelet ?? 'coif1');
  const startLevel = opts.start_level ?? 0;
  const level = opts.level ?? 1;
  // pad odd axes by one wrapped voxel
  const pd: Vec3 = [dims[0] + (dims[0] % 2), dims[1] + (dims[1] % 2), dims[2] + (dims[2] % 2)];
  let cur: Float64Array = new Float64Array(pd[0] * pd[1] * pd[2]);
  for (let z = 0; z < pd[2]; z++)
    for (let y = 0; y < pd[1]; y++)
      for (let x = 0; x < pd[0]; x++)
        cur[x + pd[0] * (y + pd[1] * z)] = data[(x % dims[0]) + dims[0] * ((y % dims[1]) + dims[1] * (z % dims[2]))]!;
  const result = new Map<string, Float64Array>();
  for (let lev = 0; lev < startLevel + level; lev++) {
    // à trous: filters upsampled by 2^lev
    const up = 2 ** lev;
    const upK = (k: Float64Array) => {
      const o = new Float64Array((k.length - 1) * up + 1);
      for (let i = 0; i < k.length; i++) o[i * up] = k[i]!;
      return o;
    };
    const L = upK(lo);
    const H = upK(hi);
    const c = Math.floor(L.length / 2);
    let bands = new Map<string, Float64Array>([['', cur]]);
    for (let a = 0; a < 3; a++) {
      const next = new Map<string, Float64Array>();
      for (const [name, arr] of bands) {
        next.set(`${name}L`, convolveAxis(arr, pd, a as 0 | 1 | 2, L, c, true));
        next.set(`${name}H`, convolveAxis(arr, pd, a as 0 | 1 | 2, H, c, true));
      }
      bands = next;
    }
    cur = bands.get('LLL')!;
    if (lev >= startLevel) {
      const idx = lev - startLevel + 1;
      for (const [name, arr] of bands) {
        if (name === 'LLL') continue;
        result.set(idx === 1 ? name : `${idx}:${name}`, crop(arr, pd, dims));
      }
    }
  }
  result.set(level === 1 ? 'LLL' : `${level}:LLL`, crop(cur, pd, dims));
  return result;
}

function crop(a: Float64Array, pd: Vec3, dims: Vec3): Float64Array {
  if (pd[0] === dims[0] && pd[1] === dims[1] && pd[2] === dims[2]) return a;
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) out[o++] = a[x + pd[0] * (y + pd[1] * z)]!;
  return out;
}
